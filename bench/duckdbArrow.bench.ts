// Throughput and GC pressure of recordBatchesFrom (DuckDB result -> Arrow RecordBatches).
// Not part of the tests.
//
// Run: npx tsx bench/duckdbArrow.bench.ts [--rows N] [--runs N] [--all]
//
// The main cases use the server benchmark's shape of data (timestamp, VARCHAR tag of 8
// values, three doubles), each run in a fresh process (V8's GC heuristics depend on the heap's
// history, so runs sharing a process are not comparable), best of `--runs` (the machine is
// shared and noisy), with the GC count of that run as seen by a PerformanceObserver for 'gc'
// entries (major = mark-compact, minor = scavenge):
//   - "streaming": recordBatchesFrom over `connection.stream`, so DuckDB computing and
//     fetching the rows is included (the next chunk is fetched while one is converted);
//   - "fetch only": its floor, fetch_chunk with no conversion;
//   - "conversion only": recordBatchesFrom over chunks fetched beforehand.
//
// `--all` adds the older per-type cases, in this process: "convert only" (over chunks fetched
// beforehand), "materialized" (connection.run) and "streaming" (connection.stream).
import { spawnSync } from 'node:child_process';
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import {
  DuckDBInstance,
  type DuckDBConnection,
  type DuckDBDataChunk,
  type DuckDBResult,
} from '@duckdb/node-api';
import {
  arrowSchemaFor,
  recordBatchesFrom,
  type RecordBatchesOptions,
} from '../src/server/duckdb/recordBatches';

const MAIN_QUERY = (rows: number) =>
  `SELECT TIMESTAMP '2026-01-01' + to_microseconds(i) AS time, 'room' || (i % 8) AS tag, ` +
  `random() AS f1, random() AS f2, random() AS f3 FROM range(${rows}) t(i)`;

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

interface GcCounts {
  major: number;
  minor: number;
  other: number;
  ms: number;
}

interface Run {
  rows: number;
  batches: number;
  seconds: number;
  gc: GcCounts;
}

/** GC entries observed while `fn` runs (entries arrive asynchronously, hence the final tick). */
async function withGcCount<T>(fn: () => Promise<T>): Promise<[T, GcCounts]> {
  const gc: GcCounts = { major: 0, minor: 0, other: 0, ms: 0 };
  const count = (entries: PerformanceEntry[]) => {
    for (const e of entries) {
      const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.major++;
      else if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gc.minor++;
      else gc.other++;
      gc.ms += e.duration;
    }
  };
  const observer = new PerformanceObserver((list) => count(list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  try {
    const value = await fn();
    await new Promise((resolve) => setTimeout(resolve, 50));
    count(observer.takeRecords());
    return [value, gc];
  } finally {
    observer.disconnect();
  }
}

function line(label: string, run: Run): string {
  const { gc } = run;
  return (
    `${label.padEnd(58)} ${(run.rows / run.seconds / 1e6).toFixed(2).padStart(6)} M rows/s  ` +
    `${run.seconds.toFixed(2)} s  ${String(run.batches).padStart(4)} batches  ` +
    `GC ${gc.major + gc.minor + gc.other} (${gc.major} major, ${gc.minor} minor, ${gc.other} other, ` +
    `${gc.ms.toFixed(0)} ms)`
  );
}

async function convert(result: DuckDBResult, options?: RecordBatchesOptions): Promise<Run> {
  const schema = arrowSchemaFor(result);
  const [[rows, batches, seconds], gc] = await withGcCount(async () => {
    const t0 = process.hrtime.bigint();
    let rows = 0;
    let batches = 0;
    for await (const batch of recordBatchesFrom(result, schema, options)) {
      rows += batch.numRows;
      batches++;
    }
    return [rows, batches, Number(process.hrtime.bigint() - t0) / 1e9] as const;
  });
  return { rows, batches, seconds, gc };
}

async function fetchOnly(result: DuckDBResult): Promise<Run> {
  const [[rows, seconds], gc] = await withGcCount(async () => {
    const t0 = process.hrtime.bigint();
    let rows = 0;
    for (let c = await result.fetchChunk(); c && c.rowCount > 0; c = await result.fetchChunk()) {
      rows += c.rowCount;
    }
    return [rows, Number(process.hrtime.bigint() - t0) / 1e9] as const;
  });
  return { rows, batches: 0, seconds, gc };
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

const MAIN_CASES = {
  'fetch only, streaming': async (conn: DuckDBConnection, sql: string) => fetchOnly(await conn.stream(sql)),
  'recordBatchesFrom, streaming': async (conn: DuckDBConnection, sql: string) =>
    convert(await conn.stream(sql)),
  'recordBatchesFrom, conversion only': async (conn: DuckDBConnection, sql: string) =>
    convert(await prefetched(await conn.run(sql))),
};
type MainCase = keyof typeof MAIN_CASES;

/** Runs `name` once in a fresh process (this script with `--child`) and returns its result. */
function runInChild(name: MainCase, rows: number): Run {
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, process.argv[1], '--child', name, '--rows', String(rows)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (child.status !== 0) throw new Error(`${name}: child exited with ${child.status}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as Run;
}

/** Runs `name` `runs` times and prints every run and the fastest. */
function best(name: MainCase, rows: number, runs: number): void {
  let fastest: Run | undefined;
  for (let i = 0; i < runs; i++) {
    const run = runInChild(name, rows);
    console.log(line(`  ${name} #${i + 1}`, run));
    if (!fastest || run.seconds < fastest.seconds) fastest = run;
  }
  console.log(line(`${name}: best of ${runs}`, fastest!));
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

async function main(): Promise<void> {
  const rows = Number(flag('--rows') ?? 10_000_000);
  const runs = Number(flag('--runs') ?? 3);
  const child = flag('--child') as MainCase | undefined;
  const instance = await DuckDBInstance.create(':memory:');
  const conn: DuckDBConnection = await instance.connect();
  try {
    if (child) {
      console.log(JSON.stringify(await MAIN_CASES[child](conn, MAIN_QUERY(rows))));
      return;
    }
    console.log(`${rows.toLocaleString()} rows, Node ${process.version}`);
    for (const name of Object.keys(MAIN_CASES) as MainCase[]) best(name, rows, runs);
    if (process.argv.includes('--all')) {
      for (const [name, q] of Object.entries(cases(rows))) {
        console.log(line(`${name}: convert only`, await convert(await prefetched(await conn.run(q)))));
        console.log(line(`${name}: fetch only, materialized`, await fetchOnly(await conn.run(q))));
        console.log(line(`${name}: materialized`, await convert(await conn.run(q))));
        console.log(line(`${name}: fetch only, streaming`, await fetchOnly(await conn.stream(q))));
        console.log(line(`${name}: streaming`, await convert(await conn.stream(q))));
      }
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

void main();
