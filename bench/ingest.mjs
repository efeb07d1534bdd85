// Bulk ingest into the embedded server (issue 16, item 1): rows/s of 1,000,000 rows of
// (time TIMESTAMP, tag VARCHAR, f1 f2 f3 DOUBLE) through `executeIngest`, through the cursor's
// `executemany` on `INSERT ... VALUES (?, ?, ?, ?, ?)`, and through Knex
// `insert(rows).options({ ingest: true })`, each against the floor measured in the same run:
// DuckDB's own appender in this process, fed data chunks built from the same values.
//
//   node bench/ingest.mjs                        (after `npm run build`; run.mjs runs it too)
//   node --import tsx bench/ingest.mjs           (from the sources, no build)
//
// Environment: BENCH_INGEST_ROWS (default 1,000,000), BENCH_INGEST_RUNS (default 3, best kept).
// The server runs in a child process (this script with `serve`), as a real one would.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROWS = Number(process.env.BENCH_INGEST_ROWS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_INGEST_RUNS ?? 3);
const BATCH_ROWS = 65_536;
const EPOCH_US = 1_704_067_200_000_000n; // 2024-01-01

if (process.argv[2] === 'serve') {
  const { startServer } = await import('flightsql/server');
  const server = await startServer({ port: 0 });
  console.log(JSON.stringify({ location: server.location }));
  createInterface({ input: process.stdin }).on(
    'close',
    () => void server.close().then(() => process.exit(0)),
  );
} else {
  await main();
}

/** The bench's values as plain columns: what every path starts from. */
function columns(n) {
  const time = new BigInt64Array(n);
  const tag = new Array(n);
  const f1 = new Float64Array(n);
  const f2 = new Float64Array(n);
  const f3 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    time[i] = EPOCH_US + BigInt(i) * 1000n;
    tag[i] = `room${i % 8}`;
    f1[i] = (i % 1000) / 7;
    f2[i] = Math.sin(i);
    f3[i] = i * 0.001;
  }
  return { n, time, tag, f1, f2, f3, sum: f1.reduce((a, b) => a + b, 0) };
}

function arrowTable(arrow, data) {
  const {
    Table,
    RecordBatch,
    Schema,
    Field,
    TimestampMicrosecond,
    Utf8,
    Float64,
    Struct,
    makeData,
    vectorFromArray,
  } = arrow;
  const fields = [
    new Field('time', new TimestampMicrosecond(), true),
    new Field('tag', new Utf8(), true),
    new Field('f1', new Float64(), true),
    new Field('f2', new Float64(), true),
    new Field('f3', new Float64(), true),
  ];
  const schema = new Schema(fields);
  const batches = [];
  for (let start = 0; start < data.n; start += BATCH_ROWS) {
    const end = Math.min(data.n, start + BATCH_ROWS);
    const length = end - start;
    const fixed = (type, values) =>
      makeData({ type, length, nullCount: 0, data: values.subarray(start, end) });
    const children = [
      fixed(fields[0].type, data.time),
      vectorFromArray(data.tag.slice(start, end), new Utf8()).data[0],
      fixed(fields[2].type, data.f1),
      fixed(fields[3].type, data.f2),
      fixed(fields[4].type, data.f3),
    ];
    batches.push(
      new RecordBatch(schema, makeData({ type: new Struct(fields), length, nullCount: 0, children })),
    );
  }
  return new Table(schema, batches);
}

/** The floor: DuckDB's appender in this process, one data chunk per 2,048 rows. */
async function floor(data) {
  const duckdb = await import('@duckdb/node-api');
  const instance = await duckdb.DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run('CREATE TABLE floor (time TIMESTAMP, tag VARCHAR, f1 DOUBLE, f2 DOUBLE, f3 DOUBLE)');
  const types = [duckdb.TIMESTAMP, duckdb.VARCHAR, duckdb.DOUBLE, duckdb.DOUBLE, duckdb.DOUBLE];
  const started = performance.now();
  const appender = await connection.createAppender('floor');
  for (let start = 0; start < data.n; start += 2048) {
    const end = Math.min(data.n, start + 2048);
    const chunk = duckdb.DuckDBDataChunk.create(types, end - start);
    const time = [];
    for (let i = start; i < end; i++) time.push(new duckdb.DuckDBTimestampValue(data.time[i]));
    chunk.setColumns([
      time,
      data.tag.slice(start, end),
      Array.from(data.f1.subarray(start, end)),
      Array.from(data.f2.subarray(start, end)),
      Array.from(data.f3.subarray(start, end)),
    ]);
    appender.appendDataChunk(chunk);
  }
  appender.closeSync();
  const seconds = (performance.now() - started) / 1000;
  const check = (await connection.runAndReadAll('SELECT count(*)::DOUBLE, fsum(f1) FROM floor')).getRows()[0];
  connection.closeSync();
  instance.closeSync();
  return { seconds, rows: check[0], sum: check[1] };
}

function startServer() {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), 'serve'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`ingest server exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) => {
      resolve({ location: JSON.parse(line).location, stop: () => child.stdin.end() });
    });
  });
}

async function main() {
  const arrow = await import('apache-arrow');
  const { FlightSQLClient, connect } = await import('flightsql');
  const { FlightSQLDialect } = await import('flightsql/dialect');
  const knex = (await import('knex')).default;
  const data = columns(ROWS);
  const table = arrowTable(arrow, data);
  const rows = Array.from({ length: ROWS }, (_, i) => [
    new Date(Number(data.time[i] / 1000n)),
    data.tag[i],
    data.f1[i],
    data.f2[i],
    data.f3[i],
  ]);
  const objects = rows.map(([time, tag, f1, f2, f3]) => ({ time, tag, f1, f2, f3 }));

  const server = await startServer();
  const client = new FlightSQLClient({ host: server.location });
  const connection = await connect({ host: server.location });
  const db = knex({
    client: FlightSQLDialect,
    connection: { host: server.location },
    pool: { min: 1, max: 1 },
  });
  const create = (name) =>
    client.executeUpdate(
      `CREATE OR REPLACE TABLE ${name} (time TIMESTAMP, tag VARCHAR, f1 DOUBLE, f2 DOUBLE, f3 DOUBLE)`,
    );
  // Checked by a DELETE's count (rows, if the count and the sum of f1 are DuckDB's), which
  // also empties the table before it is dropped.
  const verify = async (name) => {
    const tol = 1e-9 * Math.abs(data.sum);
    const deleted = await client.executeUpdate(
      `DELETE FROM ${name} WHERE (SELECT abs(fsum(f1) - ${data.sum}) <= ${tol} FROM ${name})`,
    );
    await client.executeUpdate(`DROP TABLE ${name}`);
    return { rows: deleted, sum: deleted === ROWS ? data.sum : NaN };
  };
  const paths = [
    {
      label: "DuckDB's appender in-process, data chunks from the same values (floor)",
      run: () => floor(data),
    },
    {
      label: 'client.executeIngest(Arrow table of 64k-row batches)',
      run: async (name) => {
        const started = performance.now();
        await client.executeIngest(table, { table: name, mode: 'replace' });
        return { seconds: (performance.now() - started) / 1000, ...(await verify(name)) };
      },
    },
    {
      label: 'cursor.executemany(INSERT ... VALUES (?, ?, ?, ?, ?), rows as arrays)',
      run: async (name) => {
        await create(name);
        const cursor = connection.cursor();
        const started = performance.now();
        await cursor.executemany(`INSERT INTO ${name} VALUES (?, ?, ?, ?, ?)`, rows);
        const seconds = (performance.now() - started) / 1000;
        if (cursor.rowcount !== ROWS) throw new Error(`rowcount ${cursor.rowcount}`);
        await cursor.close();
        return { seconds, ...(await verify(name)) };
      },
    },
    {
      label: 'knex(table).insert(rows as objects).options({ ingest: true })',
      run: async (name) => {
        await create(name);
        const started = performance.now();
        await db(name).insert(objects).options({ ingest: true });
        return { seconds: (performance.now() - started) / 1000, ...(await verify(name)) };
      },
    },
  ];
  const results = [];
  try {
    for (const [p, path] of paths.entries()) {
      const runs = [];
      for (let r = 0; r < RUNS; r++) {
        globalThis.gc?.();
        runs.push(await path.run(`ingest_${p}_${r}`));
      }
      results.push({ ...path, runs, best: runs.reduce((a, b) => (b.seconds < a.seconds ? b : a)) });
      console.error(`[ingest] ${path.label}: ${runs.map((r) => r.seconds.toFixed(3)).join(', ')} s`);
    }
  } finally {
    await db.destroy();
    await connection.close();
    await client.close();
    server.stop();
  }
  const floorRate = ROWS / results[0].best.seconds;
  const tol = 1e-9 * Math.abs(data.sum);
  console.log(
    `\n| bulk ingest into the embedded server (${ROWS.toLocaleString('en-US')} rows: TIMESTAMP, VARCHAR, 3 DOUBLE) | rows | seconds | rows/s | ratio (floor/this) | check | runs (s) |\n|---|---|---|---|---|---|---|`,
  );
  for (const r of results) {
    const ok = r.runs.every((x) => x.rows === ROWS && Math.abs(x.sum - data.sum) <= tol);
    const rate = ROWS / r.best.seconds;
    console.log(
      `| ${r.label} | ${ROWS} | ${r.best.seconds.toFixed(3)} | ${Math.round(rate).toLocaleString('en-US')} | ${(floorRate / rate).toFixed(2)} | ${ok ? '✓' : '✗'} | ${r.runs.map((x) => x.seconds.toFixed(2)).join(', ')} |`,
    );
  }
}
