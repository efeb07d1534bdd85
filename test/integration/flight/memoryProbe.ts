/**
 * Streams a 5-million-row result from the embedded server (in a child process, so that only
 * the client's memory is measured) through FlightSQLClient and prints what memory did, as
 * JSON. Run by memory.test.ts in its own process with --expose-gc.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { FlightSQLClient } from '../../../src';

async function startServerProcess() {
  const cli = join(__dirname, '../../../src/cli/main.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'serve', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { location: line.toString().trim(), close: () => child.kill('SIGTERM') };
}

const ROWS = Number(process.env['PROBE_ROWS'] ?? 5_000_000);
const gc = (globalThis as { gc?: () => void }).gc;

async function main() {
  const server = await startServerProcess();
  const client = new FlightSQLClient({ host: server.location });
  const sql = `SELECT range AS id, range * 0.5 AS x, 'sensor-' || (range % 1000) AS tag FROM range(${ROWS})`;
  const info = await client.execute(sql);
  gc?.();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakLive = base.heapUsed + base.arrayBuffers;
  let rows = 0;
  let bytes = 0;
  let batches = 0;
  const reader = await client.doGet(info.endpoints[0]!.ticket);
  for await (const batch of reader) {
    rows += batch.numRows;
    for (const child of batch.data.children) {
      for (const buffer of [child.values, child.valueOffsets, child.nullBitmap])
        bytes += buffer?.byteLength ?? 0;
    }
    if (++batches % 10 === 0) {
      // A slow consumer (the server must wait for us, not buffer ahead); the pause also lets
      // V8 finish sweeping freed ArrayBuffers before we sample.
      gc?.();
      await new Promise((r) => setTimeout(r, 2));
      const now = process.memoryUsage();
      peakRss = Math.max(peakRss, now.rss);
      peakLive = Math.max(peakLive, now.heapUsed + now.arrayBuffers);
    }
  }
  await client.close();
  server.close();
  process.stdout.write(
    JSON.stringify({
      rows,
      batches,
      resultBytes: bytes,
      rssGrowth: peakRss - base.rss,
      liveGrowth: peakLive - base.heapUsed - base.arrayBuffers,
    }),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(String(err));
  process.exitCode = 1;
});
