/**
 * No silent loss at exit: a batching client's buffered points are flushed when the event loop
 * empties, and when the process ends with points unsent (process.exit(), a server that cannot
 * take them) it says how many, on stderr or through the error callback. Each case is a child
 * process running the sources (exitProbe.ts); the server is the embedded one, in this process.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { InfluxDBClient3 } from '../../../src/influx';
import { startServer, type RunningServer } from '../../../src/server';

const run = promisify(execFile);
const probe = join(__dirname, 'exitProbe.ts');
let server: RunningServer;
let reader: InfluxDBClient3;

beforeAll(async () => {
  server = await startServer({ port: 0, httpPort: 0 });
  reader = new InfluxDBClient3({
    host: server.httpUrl!,
    database: 'exits',
    flightOptions: { host: server.location },
  });
});
afterAll(async () => {
  await reader.close();
  await server.close();
});

/** Runs the probe; resolves with its exit code and output (never rejects on a non-zero code). */
async function child(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', probe, ...args], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

async function stored(measurement: string): Promise<bigint> {
  try {
    const table = await reader.query(`SELECT count(*) AS n FROM exits.${measurement}`);
    return table.toArray()[0]!.toJSON().n as bigint;
  } catch {
    return 0n; // no such table: nothing was written
  }
}

test('a script that writes one point and ends: the point is flushed and stored, nothing said', async () => {
  const out = await child('end', server.httpUrl!, 'ended');
  expect(out).toEqual({ code: 0, stdout: '', stderr: '' });
  expect(await stored('ended')).toBe(1n);
});

test('process.exit() with points buffered: stderr says how many were not written', async () => {
  const out = await child('exit', server.httpUrl!, 'exited');
  expect(out.code).toBe(0);
  expect(out.stderr).toMatch(/flightsql: the process exited .* 3 lines were not written/);
  expect(await stored('exited')).toBe(0n);
});

test('process.exit() with an error callback: the callback gets the unsent batch', async () => {
  const out = await child('exit-callback', server.httpUrl!, 'exitedcb');
  expect(out.stdout).toMatch(/^error callback: 3 lines: OperationalError: the process exited before/);
  expect(out.stderr).toBe('');
});

describe('a server that takes nothing', () => {
  let dead: Server;
  let url: string;
  beforeAll(async () => {
    // Accepts connections and closes them at once: every write fails on the network.
    dead = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(dead.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => dead.close(() => resolve())));

  test('the flush at exit fails: a warning on stderr says how many lines were lost', async () => {
    const out = await child('down', url, 'down');
    expect(out.code).toBe(0);
    expect(out.stderr).toMatch(/flightsql: a batch of 1 lines was not written/);
  });

  test('... or the error callback reports it', async () => {
    const out = await child('down', url, 'down', 'callback');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^error callback: 1 lines: /);
  });
});
