/**
 * A child process for bulkUpdates.test.ts (run with --expose-gc): starts the embedded server,
 * streams a big ingest into it from a client that builds each batch when it is sent, and
 * samples the process's live JS memory (heap and ArrayBuffers, where uploaded Arrow data lives;
 * collected before each sample, so that garbage V8 has not yet swept does not count) all along.
 * Prints one JSON line: rows inserted, bytes uploaded, the peak live growth over the idle
 * baseline, and the peak RSS growth (which includes the table DuckDB holds in memory).
 */
import {
  Field,
  Float64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  TimestampNanosecond,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { FlightSQLClient } from '../../../src';
import { startServer } from '../../../src/server';

const ROWS = Number(process.env.PROBE_ROWS ?? 3_000_000);
const BATCH = 20_000;
const fields = [
  new Field('time', new TimestampNanosecond(), true),
  new Field('tag', new Utf8(), true),
  new Field('f1', new Float64(), true),
  new Field('f2', new Float64(), true),
  new Field('f3', new Float64(), true),
];
const schema = new Schema(fields);

function batchAt(start: number, length: number): RecordBatch {
  const time = new BigInt64Array(length);
  const f = [new Float64Array(length), new Float64Array(length), new Float64Array(length)];
  const tags: string[] = [];
  for (let i = 0; i < length; i++) {
    time[i] = BigInt(start + i) * 1_000_000n;
    tags.push(`room${(start + i) % 8}`);
    f[0]![i] = start + i;
    f[1]![i] = Math.sin(start + i);
    f[2]![i] = (start + i) / 7;
  }
  const fixed = (k: number, data: BigInt64Array | Float64Array) =>
    makeData({ type: fields[k]!.type, length, nullCount: 0, data } as never);
  const children = [
    fixed(0, time),
    vectorFromArray(tags, new Utf8()).data[0]!,
    ...f.map((d, k) => fixed(k + 2, d)),
  ];
  return new RecordBatch(schema, makeData({ type: new Struct(fields), length, nullCount: 0, children }));
}

const jsMemory = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const gc = (globalThis as { gc?: () => void }).gc;

async function main(): Promise<void> {
  const server = await startServer({ port: 0 });
  const client = new FlightSQLClient({ host: server.location });
  // Warm up every code path, then measure from a collected heap.
  await client.executeIngest([batchAt(0, BATCH)], { table: 'warm' });
  gc?.();
  const baseline = { js: jsMemory(), rss: process.memoryUsage().rss };
  let peak = 0;
  let peakRss = 0;
  const sample = setInterval(() => {
    gc?.();
    peak = Math.max(peak, jsMemory() - baseline.js);
    peakRss = Math.max(peakRss, process.memoryUsage().rss - baseline.rss);
  }, 100);
  let bytes = 0;
  async function* batches(): AsyncGenerator<RecordBatch> {
    for (let start = 0; start < ROWS; start += BATCH) {
      const batch = batchAt(start, Math.min(BATCH, ROWS - start));
      for (const child of batch.data.children) {
        for (const b of [child.valueOffsets, child.values, child.nullBitmap]) bytes += b?.byteLength ?? 0;
      }
      yield batch;
    }
  }
  const rows = await client.executeIngest(batches(), { table: 'big' });
  clearInterval(sample);
  process.stdout.write(`${JSON.stringify({ rows, bytes, peak, peakRss })}\n`);
  await client.close();
  await server.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
