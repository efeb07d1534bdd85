/**
 * Issue: "A frozen server hangs the reader forever unless the caller sets timeoutMs, and
 * timeoutMs is a whole-call deadline that also cuts healthy long streams". Keepalive is now on
 * by default, and `idleTimeoutMs` bounds the wait for the next message without bounding the
 * stream. Both are shown on a real server process frozen with SIGSTOP in the middle of a stream.
 */
import { status } from '@grpc/grpc-js';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { FlightClient, FlightSQLClient } from '../../../src';
import { DEFAULT_KEEPALIVE_TIME_MS, DEFAULT_KEEPALIVE_TIMEOUT_MS } from '../../../src/flight';
import { outcome, runProbe, type ProbeRun } from './probe';

/** A result that never ends: only a client that streams sees any of it. */
const ENDLESS = `SELECT range AS id, range * 0.5 AS x FROM range(1000000000000000)`;

let server: ChildProcess;
let location: string;

beforeAll(async () => {
  const cli = join(__dirname, '../../../src/cli/main.ts');
  server = spawn(process.execPath, ['--import', 'tsx', cli, 'serve', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(server.stdout!, 'data')) as [Buffer];
  location = line.toString().trim().split('\n')[0]!;
});

afterAll(async () => {
  server.kill('SIGCONT');
  server.kill('SIGTERM');
  if (server.exitCode === null) await once(server, 'exit');
});

/** Streams ENDLESS in a probe, freezes the server once the stream runs, and thaws it after. */
async function freezeMidStream(options: Record<string, unknown>): Promise<ProbeRun> {
  try {
    return await runProbe(
      'frozen',
      { location, sql: ENDLESS, options },
      {
        onLine: (line, probe) => {
          if (line !== 'streaming') return;
          server.kill('SIGSTOP');
          probe.stdin!.write('stopped\n');
        },
      },
    );
  } finally {
    server.kill('SIGCONT');
  }
}

test('keepalive is on by default: a ping every 5 minutes while calls run, 20 s to answer', () => {
  expect(DEFAULT_KEEPALIVE_TIME_MS).toBe(300_000);
  expect(DEFAULT_KEEPALIVE_TIMEOUT_MS).toBe(20_000);
  expect(new FlightClient('grpc://127.0.0.1:1').limits).toMatchObject({
    keepaliveTimeMs: 300_000,
    keepaliveTimeoutMs: 20_000,
  });
  const client = new FlightSQLClient({
    host: 'grpc://127.0.0.1:1',
    keepaliveTimeMs: 1000,
    keepaliveTimeoutMs: 500,
  });
  expect(client.flight.limits).toMatchObject({ keepaliveTimeMs: 1000, keepaliveTimeoutMs: 500 });
  expect(new FlightClient('grpc://127.0.0.1:1', { keepaliveTimeMs: -1 }).limits.keepaliveTimeMs).toBe(-1);
});

test('a server frozen mid-stream fails the read through keepalive, with no deadline', async () => {
  const run = await freezeMidStream({ keepaliveTimeMs: 1000, keepaliveTimeoutMs: 1000 });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const result = outcome(run, 'frozen');
  expect(result).toMatchObject({ ok: false, errorName: 'OperationalError', grpcCode: status.UNAVAILABLE });
  expect(result.message).toMatch(/keepalive ping within keepaliveTimeoutMs \(1000 ms/);
  const { batches, sinceStopMs } = result.value as { batches: number; sinceStopMs: number };
  expect(batches).toBeGreaterThanOrEqual(20);
  // At most one interval until the next ping, one timeout for its answer, and slack for a loaded machine.
  expect(sinceStopMs).toBeGreaterThanOrEqual(0);
  expect(sinceStopMs).toBeLessThan(1000 + 1000 + 6000);
  expect(result.rssGrowthMb).toBeLessThan(100);
});

test('idleTimeoutMs fails a frozen stream after the longest wait for a message', async () => {
  const run = await freezeMidStream({ idleTimeoutMs: 1000, keepaliveTimeMs: -1 });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const result = outcome(run, 'frozen');
  expect(result).toMatchObject({
    ok: false,
    errorName: 'OperationalError',
    grpcCode: status.DEADLINE_EXCEEDED,
  });
  expect(result.message).toMatch(/no message from the server for 1000 ms \(idleTimeoutMs\)/);
  const { sinceStopMs } = result.value as { sinceStopMs: number };
  expect(sinceStopMs).toBeGreaterThanOrEqual(0);
  expect(sinceStopMs).toBeLessThan(1000 + 6000);
  expect(result.rssGrowthMb).toBeLessThan(100);
});

test('idleTimeoutMs never cuts a stream that keeps sending, nor a consumer that pauses', async () => {
  const run = await runProbe('healthyIdle', { location, sql: ENDLESS });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const result = outcome(run, 'healthy');
  // 3.5 s of reading, with a 2 s pause, under a 1 s idle timeout.
  expect(result).toMatchObject({ ok: true });
  expect(result.value as number).toBeGreaterThan(100_000);
  expect(result.elapsedMs).toBeGreaterThanOrEqual(3500);
  expect(result.elapsedMs).toBeLessThan(15_000);
  expect(result.rssGrowthMb).toBeLessThan(100);
});
