/**
 * Reads 20 million rows of an endless result (the server could never finish it) through a
 * PEP 249 cursor, by `fetchone()` and by async iteration, against the embedded server in a
 * child process so that only the client's memory is measured; prints what memory did as JSON.
 * Run by streaming.test.ts with --expose-gc.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { connect, type Cursor } from '../../../src';

const ROWS = Number(process.env['PROBE_ROWS'] ?? 20_000_000);
const gc = (globalThis as { gc?: () => void }).gc;
// Endless: a client that waited for the whole result would never see a row.
const SQL = `SELECT range AS id, range * 0.5 AS x, 'sensor-' || (range % 1000) AS tag FROM range(1000000000000000)`;

async function startServerProcess() {
  const cli = join(__dirname, '../../../src/cli/main.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'serve', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { location: line.toString().trim(), close: () => child.kill('SIGTERM') };
}

interface Sample {
  rows: number;
  rssGrowth: number;
  liveGrowth: number;
}

async function measure(cursor: Cursor, read: (each: () => void) => Promise<void>): Promise<Sample> {
  await cursor.execute(SQL);
  gc?.();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakLive = base.heapUsed + base.arrayBuffers;
  let rows = 0;
  await read(() => {
    if (++rows % 2_000_000 === 0) {
      gc?.();
      const now = process.memoryUsage();
      peakRss = Math.max(peakRss, now.rss);
      peakLive = Math.max(peakLive, now.heapUsed + now.arrayBuffers);
    }
  });
  return { rows, rssGrowth: peakRss - base.rss, liveGrowth: peakLive - base.heapUsed - base.arrayBuffers };
}

async function main() {
  const server = await startServerProcess();
  const connection = await connect(server.location);
  const cursor = connection.cursor();
  const fetchone = await measure(cursor, async (each) => {
    for (let i = 0; i < ROWS; i++) {
      if ((await cursor.fetchone()) === null) throw new Error('the endless result ended');
      each();
    }
  });
  const iteration = await measure(cursor, async (each) => {
    let n = 0;
    for await (const _row of cursor) {
      each();
      if (++n === ROWS) break;
    }
  });
  await connection.close();
  server.close();
  process.stdout.write(JSON.stringify({ fetchone, iteration }));
}

main().catch((err: unknown) => {
  process.stderr.write(String(err));
  process.exitCode = 1;
});
