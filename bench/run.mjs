// Streaming-read benchmark of flightsql against other JavaScript Flight SQL clients.
//
//   npm run bench                     (build, then this script; 10M rows)
//   BENCH_ROWS=1000000 node --expose-gc bench/run.mjs
//
// Environment:
//   BENCH_ROWS           rows in the bench table (default 10,000,000)
//   BENCH_RUNS           timed runs per client, best is kept (default 2)
//   BENCH_CLIENTS        comma-separated subset, e.g. "wire,ours" (default: all)
//   BENCH_TAG            varchar (default) or enum: type of the tag column
//   BENCH_SOURCES        duckdb,memory (default): where the server's DoGet reads from: DuckDB (the
//                        real server), or FlightData encoded in memory beforehand (measures the
//                        clients alone); one table per source
//   BENCH_AUTH           1 (default): server requires a bearer token and offers a basic-auth
//                        Handshake (bench/bench) so that peers that insist on one can connect;
//                        0: no auth at all (the server's default configuration)
//   BENCH_SERVER_PROF    1: run the server under `node --cpu-prof` (profile in bench/profiles/)
//   BENCH_SERVER_NODE_ARGS  extra node flags for the server process, e.g. "--trace-gc"
//   BENCH_CLIENT_PROF    comma-separated clients to run under `node --cpu-prof` (same folder);
//                        summarise with `node bench/profile-summary.mjs <file> [top]`
//   BENCH_CHILD_TIMEOUT_S  kill a client process after this long (default 900)
//   BENCH_REPEAT_LIMIT_S   do not repeat a client whose first run took longer (default 60)
//   BENCH_WRITES         0: skip the write benchmarks (bench/influx.mjs, bench/write3.mjs, bench/ingest.mjs)
//   BENCH_STREAM         0: skip bench/duckdbStream.mjs (the server's stream next to DuckDB, 5M rows)
//   BENCH_SMALL          0: skip bench/smallQuery.mjs (p50/p99 of a one-row query through every
//                        client, on the embedded server and on the SQLite example server)
//
// The server runs in its own process (bench/server.mjs); every client runs in its own process
// (bench/client.mjs <name>) so that peak RSS is per client. Results: stdout and bench/results.md.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir, cpus, totalmem, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const env = process.env;
const ROWS = Number(env.BENCH_ROWS ?? 10_000_000);
const RUNS = Number(env.BENCH_RUNS ?? 2);
const CHILD_TIMEOUT_S = Number(env.BENCH_CHILD_TIMEOUT_S ?? 900);
const PROFILE = env.BENCH_SERVER_PROF === '1';
const PROFILE_DIR = join(here, 'profiles');

const ALL = [
  { name: 'wire', label: 'floor 1: wire (raw grpc-js DoGet, no decoding)', kind: 'floor' },
  { name: 'wire-64k', label: "floor 1b: wire with grpc-js's default 64 KiB HTTP/2 window", kind: 'floor' },
  { name: 'ours', label: 'flightsql (ours)', kind: 'ours' },
  { name: 'dbapi-arrow', label: 'flightsql PEP 249: cursor.fetchArrowTable()', kind: 'dbapi' },
  { name: 'dbapi-fetchmany', label: 'flightsql PEP 249: cursor.fetchmany(10000)', kind: 'dbapi' },
  { name: 'dbapi-iterate', label: 'flightsql PEP 249: for await (row of cursor)', kind: 'dbapi' },
  { name: 'dbapi-fetchone', label: 'flightsql PEP 249: cursor.fetchone()', kind: 'dbapi' },
  { name: 'lakehouse', label: '@lakehouse-rs/flight-sql-client + arrow-js decode', kind: 'peer' },
  { name: 'lancedb', label: '@lancedb/arrow-flight-sql-client', kind: 'peer' },
  {
    name: 'influxdb3-batches',
    label: '@influxdata/influxdb3-client (private _queryRawBatches)',
    kind: 'peer',
  },
  { name: 'influxdb3-rows', label: '@influxdata/influxdb3-client (public query(), rows)', kind: 'peer' },
  { name: 'arrow-js', label: 'floor 2: arrow-js RecordBatchReader from memory', kind: 'floor' },
];
const selected = env.BENCH_CLIENTS ? new Set(env.BENCH_CLIENTS.split(',').map((s) => s.trim())) : undefined;
const CLIENTS = ALL.filter((c) => !selected || selected.has(c.name));

const log = (...args) => console.error('[bench]', ...args);

// --------------------------------------------------------------------------------------------
// Server process

function startServerProcess(source) {
  // V8 otherwise sets the old-generation limit so low above the small JS heap that the server's
  // ArrayBuffer churn (each FlightData is copied by the encoder and again by grpc-js) triggers a
  // full GC every few batches; see bench/README.md.
  const args = ['--expose-gc', '--initial-old-space-size=64'];
  if (PROFILE) {
    mkdirSync(PROFILE_DIR, { recursive: true });
    args.push(
      '--cpu-prof',
      `--cpu-prof-dir=${PROFILE_DIR}`,
      `--cpu-prof-name=server-${Date.now()}.cpuprofile`,
    );
  }
  if (env.BENCH_SERVER_NODE_ARGS) args.push(...env.BENCH_SERVER_NODE_ARGS.split(' ').filter(Boolean));
  args.push(join(here, 'server.mjs'));
  const child = spawn(process.execPath, args, {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...env, BENCH_ROWS: String(ROWS), BENCH_SOURCE: source },
  });
  const waiters = [];
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      log('server:', line);
      return;
    }
    const i = waiters.findIndex((w) => w.match(msg));
    if (i >= 0) waiters.splice(i, 1)[0].resolve(msg);
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const next = (match, ms) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('server did not answer in time')), ms);
      waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
      exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`server exited (code ${code}, signal ${signal})`));
      });
    });
  return {
    child,
    ready: next((m) => m.location !== undefined, 15 * 60_000),
    async stats() {
      child.stdin.write('stats\n');
      return (await next((m) => m.stats !== undefined, 10_000)).stats;
    },
    async stop() {
      const final = next((m) => m.final !== undefined, 30_000).catch(() => undefined);
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const f = await final;
      await exited;
      clearTimeout(timer);
      return f?.final;
    },
  };
}

// --------------------------------------------------------------------------------------------
// Client processes

const PROFILE_CLIENTS = new Set((env.BENCH_CLIENT_PROF ?? '').split(',').filter(Boolean));

function runClient(name, childEnv) {
  return new Promise((resolve) => {
    const args = ['--expose-gc'];
    if (PROFILE_CLIENTS.has(name)) {
      mkdirSync(PROFILE_DIR, { recursive: true });
      args.push(
        '--cpu-prof',
        `--cpu-prof-dir=${PROFILE_DIR}`,
        `--cpu-prof-name=client-${name}-${Date.now()}.cpuprofile`,
      );
    }
    args.push(join(here, 'client.mjs'), name);
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...env, ...childEnv },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, CHILD_TIMEOUT_S * 1000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      let result;
      if (line) {
        try {
          result = JSON.parse(line.slice('BENCH_RESULT '.length));
        } catch {
          // fall through
        }
      }
      if (!result) {
        const tail = stderr.trim().split('\n').slice(-3).join(' | ');
        result = {
          ok: false,
          stage: 'process',
          error: timedOut
            ? `killed after ${CHILD_TIMEOUT_S}s`
            : `exited with code ${code}${signal ? ` (${signal})` : ''}${tail ? `: ${tail}` : ''}`,
        };
      }
      if (stderr.trim()) result.stderr = stderr.trim().split('\n').slice(-20).join('\n');
      resolve(result);
    });
  });
}

// --------------------------------------------------------------------------------------------
// Formatting

const fmt = (x, digits = 2) =>
  x === undefined || x === null || !Number.isFinite(x) ? '–' : x.toFixed(digits);
const fmtRate = (x) => {
  if (!Number.isFinite(x)) return '–';
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} k`;
  return x.toFixed(0);
};
const mib = (bytes) => (Number.isFinite(bytes) ? (bytes / 1048576).toFixed(0) : '–');

function markdownTable(header, rows) {
  const all = [header, ...rows].map((r) => r.map((c) => String(c).replace(/\|/g, '\\|')));
  const widths = header.map((_, i) => Math.max(...all.map((r) => [...r[i]].length)));
  const line = (r) => `| ${r.map((c, i) => c + ' '.repeat(widths[i] - [...c].length)).join(' | ')} |`;
  return [
    line(all[0]),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...all.slice(1).map(line),
  ].join('\n');
}

// --------------------------------------------------------------------------------------------

async function runSource(source) {
  const started = new Date();
  const load0 = loadavg();
  log(`starting server with ${ROWS.toLocaleString('en-US')} rows${PROFILE ? ' (under --cpu-prof)' : ''}...`);
  const server = startServerProcess(source);
  const info = await server.ready;
  log(
    `server at ${info.location}, table loaded in ${info.loadSeconds.toFixed(1)}s (${info.rows} rows, tag ${info.tag})`,
  );

  const ipcFile = join(tmpdir(), `flightsql-bench-${process.pid}.arrows`);
  const childEnv = {
    BENCH_PORT: String(info.port),
    BENCH_LOCATION: info.location,
    BENCH_TOKEN: info.token ?? '',
    BENCH_USERNAME: info.username ?? '',
    BENCH_PASSWORD: info.password ?? '',
    BENCH_RUNS: String(RUNS),
    BENCH_IPC_FILE: ipcFile,
  };

  const results = [];
  try {
    for (const c of CLIENTS) {
      log(`${c.name}: running...`);
      const before = await server.stats();
      const result = await runClient(c.name, childEnv);
      const after = await server.stats().catch(() => undefined);
      if (after) {
        const share = (result.runs?.length ?? 0) + (result.warmupRows ?? 0) / Math.max(1, ROWS);
        result.serverCpuPerRun = share > 0 ? (after.cpu - before.cpu) / share : undefined;
      }
      results.push({ ...c, ...result });
      if (result.ok) {
        log(
          `${c.name}: best ${result.best.seconds.toFixed(3)}s of [${result.runs.map((r) => r.seconds.toFixed(3)).join(', ')}]`,
        );
      } else {
        log(`${c.name}: FAILED at ${result.stage}: ${result.error}`);
        if (result.stderr) log(result.stderr);
      }
    }
  } finally {
    const final = await server.stop().catch(() => undefined);
    info.serverFinal = final;
    rmSync(ipcFile, { force: true });
  }

  // ---- verification and table
  const ours = results.find((r) => r.name === 'ours' && r.ok);
  const wire = results.find((r) => r.name.startsWith('wire') && r.ok);
  const dataBytes = wire?.best.bytes;
  const tol = 1e-9 * Math.max(1, Math.abs(info.sum));
  const check = (r) => {
    if (!r.ok) return '✗ failed';
    if (r.name.startsWith('wire')) return 'n/a (not decoded)';
    const bad = r.runs.filter((x) => x.rows !== info.rows || !(Math.abs(x.sum - info.sum) <= tol));
    if (bad.length === 0) return '✓';
    const x = bad[0];
    return `✗ rows ${x.rows}, sum ${x.sum}`;
  };
  const ratio = (r) => {
    if (!r.ok || !ours) return '–';
    const t = r.best.seconds;
    const o = ours.best.seconds;
    if (r.kind === 'ours') return '1.00';
    if (r.kind === 'floor') return `ours/floor ${(o / t).toFixed(2)}`;
    if (r.kind === 'diag') return `ours/this ${(o / t).toFixed(2)}`;
    if (r.kind === 'dbapi') {
      const arrow = results.find((x) => x.name === 'dbapi-arrow' && x.ok);
      return r.name === 'dbapi-arrow'
        ? `ours/this ${(o / t).toFixed(2)}`
        : arrow
          ? `${(t / arrow.best.seconds).toFixed(2)}× fetchArrowTable`
          : '–';
    }
    return `${(t / o).toFixed(2)}`;
  };
  const header = [
    'client',
    'rows',
    'seconds',
    'rows/s',
    'MB/s',
    'peak RSS MiB',
    'ratio (peer/ours)',
    'client CPU s',
    'server CPU s',
    'check',
    'note',
  ];
  const rows = results.map((r) => {
    if (!r.ok) {
      return [
        r.label,
        '–',
        '–',
        '–',
        '–',
        '–',
        '–',
        '–',
        fmt(r.serverCpuPerRun),
        '✗',
        `FAILED (${r.stage}): ${r.error}`,
      ];
    }
    const b = r.best;
    const rowsN = r.name.startsWith('wire') ? info.rows : b.rows;
    const notes = [];
    if (r.runs.length < RUNS)
      notes.push(`${r.runs.length} run (first took > ${env.BENCH_REPEAT_LIMIT_S ?? 60}s)`);
    if (r.runs.length > 1) notes.push(`runs: ${r.runs.map((x) => x.seconds.toFixed(2)).join(', ')}s`);
    if (r.name.startsWith('wire')) notes.push(`${b.messages} FlightData messages`);
    if (b.alignmentCopies !== undefined)
      notes.push(`${b.alignmentCopies} Arrow buffers copied for alignment`);
    if (r.name === 'arrow-js') notes.push(`RSS includes the ${mib(r.best.bytes)} MiB IPC buffer`);
    if (r.name === 'lakehouse') notes.push(`whole result buffered: ${mib(b.bytes)} MiB IPC`);
    return [
      r.label,
      r.name.startsWith('wire') ? `(${rowsN})` : String(b.rows),
      fmt(b.seconds, 3),
      fmtRate(rowsN / b.seconds),
      dataBytes ? fmt(dataBytes / 1e6 / b.seconds, 1) : '–',
      mib(r.maxRSS),
      ratio(r),
      fmt(b.cpu),
      r.name === 'arrow-js' ? '–' : fmt(r.serverCpuPerRun),
      check(r),
      notes.join('; '),
    ];
  });
  const table = markdownTable(header, rows);

  const decoded = results.filter((r) => !r.name.startsWith('wire'));
  const allOk = decoded.length > 0 && decoded.every((r) => check(r) === '✓');
  const verdict = `${allOk ? '✓' : '✗'} row count and sum of f1 ${allOk ? 'match' : 'do NOT all match'} DuckDB's reference (rows ${info.rows}, fsum(f1) ${info.sum}) for every decoding client${allOk ? '' : ' (see check column)'}`;

  const lines = [];
  lines.push(
    source === 'memory'
      ? '## Server reading FlightData prepared in memory (measures the clients alone)'
      : '## Server reading from DuckDB (the embedded server as shipped)',
  );
  lines.push('');
  lines.push(
    `${started.toISOString()} · Node ${process.version} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · ${(totalmem() / 2 ** 30).toFixed(0)} GiB · ` +
      `load average ${load0[0].toFixed(2)} at start, ${loadavg()[0].toFixed(2)} at end (other processes on the machine skew timings)`,
  );
  lines.push('');
  lines.push(
    `Query: \`SELECT * FROM bench\`, ${info.rows.toLocaleString('en-US')} rows (time TIMESTAMP, tag ${info.tag.toUpperCase()} 'room0'..'room7', f1 f2 f3 DOUBLE), summing f1. ` +
      `Server: embedded DuckDB Flight SQL server in its own process (table load ${info.loadSeconds.toFixed(1)}s` +
      `${info.serverFinal ? `, server peak RSS ${mib(info.serverFinal.maxRSS)} MiB` : ''}${info.auth ? ', bearer token + basic-auth Handshake configured' : ', no auth'}). ` +
      `Each client in its own process: one warm-up query (LIMIT ${env.BENCH_WARMUP_ROWS ?? 50000}), then ${RUNS} timed runs, best kept.`,
  );
  lines.push('');
  lines.push(table);
  lines.push('');
  lines.push(verdict);
  lines.push('');
  lines.push(
    `- seconds: wall time of the best run, from the query call to the last value summed (for ours: GetFlightInfo + DoGet + decode + sum).`,
  );
  lines.push(
    `- MB/s: ${dataBytes ? `${(dataBytes / 1e6).toFixed(1)} MB` : 'n/a'} ÷ seconds, for every client: the bytes of the serialized FlightData messages (gRPC message payloads: Arrow IPC headers + bodies) the server sends for this query, as counted by the wire floor. MB = 10^6 bytes.`,
  );
  lines.push(
    `- peak RSS: process.resourceUsage().maxRSS of the client process (its whole life, warm-up included). MiB.`,
  );
  lines.push(
    `- ratio: peer seconds ÷ ours seconds (> 1: ours is faster); for the floors, ours seconds ÷ floor seconds (how far ours is from the floor).`,
  );
  lines.push(
    `- client CPU s: user+system CPU of the client process during its best run (> seconds means more than one thread busy).`,
  );
  lines.push(
    `- server CPU s: user+system CPU of the server process (Node main thread + DuckDB threads) per timed run while that client ran, warm-up pro-rated.`,
  );
  lines.push(
    `- floor 1 uses the same 8 MiB HTTP/2 receive window as our client (DEFAULT_FLOW_CONTROL_WINDOW); floor 1b keeps grpc-js's 64 KiB default, as the JavaScript peers do.`,
  );
  lines.push(
    `- flightsql PEP 249 rows: the same query through connect()/cursor(), rows converted losslessly (time as Date, f1 summed from each row); their ratio is seconds ÷ the seconds of cursor.fetchArrowTable() on the same result (which holds the whole result in memory, hence its RSS), whose own ratio is against FlightSQLClient (ours).`,
  );
  lines.push(
    `- influxdb3 has no public batch/Arrow API: "public query(), rows" is its documented API (one object per row); "private _queryRawBatches" is the internal generator query() is built on, shown to separate transport+decode from row materialisation.`,
  );
  for (const r of results.filter((x) => !x.ok)) {
    lines.push(`- ${r.name} failure detail (${r.stage}): ${r.error}`);
  }
  return lines.join('\n') + '\n';
}

async function main() {
  const sources = (env.BENCH_SOURCES ?? 'duckdb,memory').split(',').map((s) => s.trim());
  const sections = [];
  for (const source of sources) {
    const section = await runSource(source);
    console.log('\n' + section);
    sections.push(section);
  }
  // The server's stream next to the engine under it: DuckDB alone, node-api streaming alone and
  // the embedded server to our client, on the same 5M-row result in one run.
  if (env.BENCH_STREAM !== '0') {
    log('duckdbStream.mjs: running...');
    const out = await runScript(join(here, 'duckdbStream.mjs'));
    const section = `## The embedded server's stream next to DuckDB\n\n${out.trim()}\n`;
    console.log('\n' + section);
    sections.push(section);
  }
  // Small queries: the latency of a one-row query through every client, on the embedded server
  // and on a server of another kind (the SQLite example port of test/integration/servers/), with
  // the calls of all clients interleaved in one run.
  if (env.BENCH_SMALL !== '0') {
    log('smallQuery.mjs: running...');
    const out = await runScript(join(here, 'smallQuery.mjs'));
    const section = `## Small queries: p50 and p99 of every client on two servers\n\n${out.trim()}\n`;
    console.log('\n' + section);
    sections.push(section);
  }
  // The write side: line-protocol serialisation against node-influx and influxdb3-client, and
  // InfluxDBClient3's write throughput with and without batching (each in its own process).
  for (const [script, title] of [
    ['influx.mjs', '## Line protocol: serialisation and writes into influxd'],
    ['write3.mjs', '## HTTP writes: one point per request and batched, embedded server next to influxd'],
    ['ingest.mjs', "## Bulk ingest into the embedded server, against DuckDB's in-process appender"],
  ]) {
    if (env.BENCH_WRITES === '0') break;
    log(`${script}: running...`);
    const out = await runScript(join(here, script));
    // Tables only, each kept apart (a script may print several).
    const tables = out
      .split('\n')
      .filter((line) => line.startsWith('|') || line.trim() === '')
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim();
    const section = `${title}\n\n${tables}\n`;
    console.log('\n' + section);
    sections.push(section);
  }
  const report = ['# flightsql benchmarks', '', ...sections].join('\n');
  writeFileSync(join(here, 'results.md'), report);
  console.log('written to bench/results.md');
}

/** Runs a benchmark script in its own process and returns its stdout. */
function runScript(path) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', path], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${path} exited with ${code}`)),
    );
  });
}

main().catch((err) => {
  console.error('[bench] fatal:', err);
  process.exit(1);
});
