// The embedded server's stream next to the engine under it, in one run:
//   node bench/duckdbStream.mjs            (run by bench/run.mjs after `npm run build`)
//
// 1. DuckDB alone, in this process: `SELECT * FROM bench` materialized by DuckDB (no JS values);
// 2. `@duckdb/node-api` streaming alone: `connection.stream()` and `fetchChunk()` to the end,
//    nothing converted (one async call per 2,048-row chunk, which is how the server reads too);
// 3. the embedded server (bench/server.mjs, its own process) streaming the same result to our
//    FlightSQLClient and to the raw-gRPC floor (bench/client.mjs, a process each), with the
//    server's peak RSS sampled every 20 ms while each client ran.
// Prints a markdown table; ratios are the server's rows/s ÷ the reference's.
//
// Environment: STREAM_ROWS (default 5,000,000), STREAM_RUNS (default 3; best kept, all listed).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { DuckDBInstance } from '@duckdb/node-api';

const here = dirname(fileURLToPath(import.meta.url));
const ROWS = Number(process.env.STREAM_ROWS ?? 5_000_000);
const RUNS = Math.max(1, Number(process.env.STREAM_RUNS ?? 3));
const SQL = 'SELECT * FROM bench';
const log = (...args) => console.error('[stream]', ...args);

// The same table as bench/server.mjs (VARCHAR tag).
const CREATE = `CREATE TABLE bench AS
  SELECT TIMESTAMP '2024-01-01 00:00:00' + to_microseconds(i * 1000) AS time,
         'room' || (i % 8) AS tag,
         CAST(i % 1000 AS DOUBLE) / 7 AS f1,
         sin(CAST(i AS DOUBLE)) AS f2,
         CAST(i AS DOUBLE) * 0.001 AS f3
  FROM range(${ROWS}) t(i)`;

async function timed(fn) {
  const seconds = [];
  let rows = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    rows = await fn();
    seconds.push((performance.now() - t0) / 1000);
  }
  return { rows, seconds };
}

async function references() {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(CREATE);
  const duckdb = await timed(async () => {
    // DuckDB computes and materializes the result in one call; reading it back chunk by chunk
    // would add node-api's one async call per chunk, which reference 2 measures.
    const result = await connection.run(SQL);
    return result.rowCount;
  });
  const stream = await timed(async () => {
    const result = await connection.stream(SQL);
    let rows = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) return rows;
      rows += chunk.rowCount;
    }
  });
  connection.closeSync();
  instance.closeSync();
  return { duckdb, stream };
}

function startServer() {
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--initial-old-space-size=64', join(here, 'server.mjs')],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, BENCH_ROWS: String(ROWS), BENCH_SOURCE: 'duckdb', BENCH_AUTH: '0' },
    },
  );
  const waiting = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      return;
    }
    const i = waiting.findIndex((w) => w.match(msg));
    if (i >= 0) waiting.splice(i, 1)[0].resolve(msg);
  });
  const next = (match) => new Promise((resolve) => waiting.push({ match, resolve }));
  return {
    ready: next((m) => m.location !== undefined),
    async peak() {
      child.stdin.write('peak\n');
      return (await next((m) => m.peak !== undefined)).peak.rss;
    },
    stop: () => new Promise((resolve) => (child.on('exit', resolve), child.stdin.end())),
  };
}

function runClient(name, info) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', join(here, 'client.mjs'), name], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env,
        BENCH_PORT: String(info.port),
        BENCH_LOCATION: info.location,
        BENCH_RUNS: String(RUNS),
        BENCH_TOKEN: '',
      },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', () => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      resolve(line ? JSON.parse(line.slice('BENCH_RESULT '.length)) : { ok: false, error: 'no result' });
    });
  });
}

const rate = (rows, s) => rows / s;
const m = (x) => `${(x / 1e6).toFixed(2)} M`;
const best = (seconds) => Math.min(...seconds);
const runsNote = (seconds) => `runs: ${seconds.map((s) => s.toFixed(3)).join(', ')}s`;

async function main() {
  const load0 = loadavg()[0];
  log(`references in-process (${ROWS.toLocaleString('en-US')} rows)...`);
  const ref = await references();
  log('embedded server...');
  const server = startServer();
  const info = await server.ready;
  const served = [];
  for (const [name, label] of [
    ['ours', 'embedded server → flightsql (ours)'],
    ['wire', 'embedded server → raw gRPC floor (no decoding)'],
  ]) {
    await server.peak();
    const result = await runClient(name, info);
    served.push({ name, label, result, peakRSS: await server.peak() });
  }
  await server.stop();

  const duckdbRate = rate(ref.duckdb.rows, best(ref.duckdb.seconds));
  const streamRate = rate(ref.stream.rows, best(ref.stream.seconds));
  const rows = [
    [
      'DuckDB in-process, materialized (no JS values)',
      ref.duckdb.rows,
      best(ref.duckdb.seconds),
      duckdbRate,
      '–',
      '–',
      runsNote(ref.duckdb.seconds),
    ],
    [
      '@duckdb/node-api stream + fetchChunk, nothing converted',
      ref.stream.rows,
      best(ref.stream.seconds),
      streamRate,
      '–',
      '–',
      runsNote(ref.stream.seconds),
    ],
  ];
  for (const s of served) {
    if (!s.result.ok) {
      rows.push([s.label, '–', '–', NaN, '–', '–', `FAILED: ${s.result.error}`]);
      continue;
    }
    const seconds = s.result.runs.map((r) => r.seconds);
    const r = rate(ROWS, best(seconds));
    rows.push([
      s.label,
      ROWS,
      best(seconds),
      r,
      `${(r / duckdbRate).toFixed(2)} / ${(r / streamRate).toFixed(2)}`,
      (s.peakRSS / 1048576).toFixed(0),
      runsNote(seconds),
    ]);
  }
  const header = [
    'path',
    'rows',
    'seconds',
    'rows/s',
    'ratio to DuckDB / to node-api stream',
    'server peak RSS MiB (sampled)',
    'note',
  ];
  const lines = [header, header.map(() => '---')]
    .concat(
      rows.map(([a, n, s, r, ...rest]) => [
        a,
        String(n),
        typeof s === 'number' ? s.toFixed(3) : s,
        Number.isFinite(r) ? m(r) : '–',
        ...rest,
      ]),
    )
    .map((cells) => `| ${cells.join(' | ')} |`);
  console.log(lines.join('\n'));
  console.log(
    `\nSELECT * FROM bench, ${ROWS.toLocaleString('en-US')} rows (time, tag VARCHAR, f1 f2 f3 DOUBLE); best of ${RUNS}; load average ${load0.toFixed(2)} at start, ${loadavg()[0].toFixed(2)} at end. The server's peak RSS includes its table (loaded before the clients run).`,
  );
}

main().catch((err) => {
  console.error('[stream] fatal:', err);
  process.exit(1);
});
