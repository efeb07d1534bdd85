// Throughput of recordBatchesFrom (DuckDB result -> Arrow RecordBatches). Not part of the tests.
// Run: npx tsx bench/duckdbArrow.bench.ts [rows]
//
// "convert only": recordBatchesFrom over chunks fetched beforehand (the conversion alone).
// "materialized": over an already computed result (connection.run): DuckDB's fetch_chunk plus
// the conversion. "streaming" (connection.stream) also includes DuckDB computing the rows.
// "fetch only" is the floor of the last two: fetch_chunk with no conversion.
import {
  DuckDBInstance,
  type DuckDBConnection,
  type DuckDBDataChunk,
  type DuckDBResult,
} from '@duckdb/node-api';
import { arrowSchemaFor, recordBatchesFrom, type RecordBatchesOptions } from '../src/server/duckdbArrow';

const ts = `make_timestamp(1704067200000000 + i)`;
const tags = `'room0','room1','room2','room3','room4'`;
const doubles = `i::DOUBLE * 0.5 a, i::DOUBLE * 0.25 b, i::DOUBLE * 0.125 c`;
const cases = (rows: number): Record<string, string> => ({
  'ts + tag + 3 doubles': `SELECT ${ts} ts, 'room' || (i % 5) tag, ${doubles} FROM range(${rows}) t(i)`,
  'ts + 3 doubles (fixed width)': `SELECT ${ts} ts, ${doubles} FROM range(${rows}) t(i)`,
  'ts + ENUM tag + 3 doubles': `SELECT ${ts} ts, ('room' || (i % 5))::ENUM(${tags}) tag, ${doubles} FROM range(${rows}) t(i)`,
  'tag only (VARCHAR, inline)': `SELECT 'room' || (i % 5) tag FROM range(${rows}) t(i)`,
  'VARCHAR 20-30 bytes, unique': `SELECT 'sensor-location-' || i || '-x' s FROM range(${rows}) t(i)`,
  'double, 10% nulls': `SELECT CASE WHEN i % 10 = 0 THEN NULL ELSE i::DOUBLE END a FROM range(${rows}) t(i)`,
});

function report(label: string, rows: number, ns: bigint, extra = ''): void {
  const s = Number(ns) / 1e9;
  console.log(
    `${label.padEnd(64)} ${(rows / s / 1e6).toFixed(1).padStart(6)} M rows/s  ${s.toFixed(2)} s ${extra}`,
  );
}

async function convert(label: string, result: DuckDBResult, options?: RecordBatchesOptions): Promise<void> {
  const schema = arrowSchemaFor(result);
  const t0 = process.hrtime.bigint();
  let rows = 0;
  let batches = 0;
  for await (const batch of recordBatchesFrom(result, schema, options)) {
    rows += batch.numRows;
    batches++;
  }
  report(label, rows, process.hrtime.bigint() - t0, `(${batches} batches)`);
}

async function fetchOnly(label: string, result: DuckDBResult): Promise<void> {
  const t0 = process.hrtime.bigint();
  let rows = 0;
  for (let c = await result.fetchChunk(); c && c.rowCount > 0; c = await result.fetchChunk())
    rows += c.rowCount;
  report(label, rows, process.hrtime.bigint() - t0);
}

/** A result whose chunks were all fetched beforehand, so that only the conversion is timed. */
async function prefetched(result: DuckDBResult): Promise<DuckDBResult> {
  const chunks: DuckDBDataChunk[] = [];
  for (let c = await result.fetchChunk(); c && c.rowCount > 0; c = await result.fetchChunk()) chunks.push(c);
  return {
    columnCount: result.columnCount,
    columnName: (i: number) => result.columnName(i),
    columnType: (i: number) => result.columnType(i),
    fetchChunk: async () => chunks.shift() ?? null,
  } as unknown as DuckDBResult;
}

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 10_000_000);
  const instance = await DuckDBInstance.create(':memory:');
  const conn: DuckDBConnection = await instance.connect();
  console.log(`${rows.toLocaleString()} rows`);
  for (const [name, sql] of Object.entries(cases(rows))) {
    await convert(`${name}: convert only`, await prefetched(await conn.run(sql)));
    await fetchOnly(`${name}: fetch only, materialized`, await conn.run(sql));
    await convert(`${name}: materialized`, await conn.run(sql));
    if (name === 'ts + tag + 3 doubles') {
      await convert(`${name}: materialized, batchRows 2048`, await conn.run(sql), { batchRows: 2048 });
    }
    await fetchOnly(`${name}: fetch only, streaming`, await conn.stream(sql));
    await convert(`${name}: streaming`, await conn.stream(sql));
  }
  conn.closeSync();
  instance.closeSync();
}

void main();
