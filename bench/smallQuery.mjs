// Small-query latency (issue 16, item 2): p50 and p99 of one-row queries through every client,
// on the embedded server and on a server of another kind (our port of Arrow C++'s SQLite example
// server, test/integration/servers/, over sql.js), all in one run.
//
//   node bench/smallQuery.mjs                  (after `npm run build`; run.mjs runs it so)
//   node --import tsx bench/smallQuery.mjs     (from the sources, no build)
//
// Environment: SMALL_CALLS (timed calls per client and server, default 300), SMALL_WARMUP (50),
// SMALL_SERVERS (embedded,sqlite).
//
// Each server runs in a child process (this script with `serve <kind>`), as a real one would
// (the SQLite server, TypeScript test code, under tsx);
// the clients all run in this process, and the calls are interleaved: every round calls each
// client once on each server, in a shuffled order, so that the machine's load (2 shared cores)
// falls on every client alike. A latency is the wall time from the call to the last value read.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg } from 'node:os';

const require = createRequire(import.meta.url);
const CALLS = Number(process.env.SMALL_CALLS ?? 300);
const WARMUP = Number(process.env.SMALL_WARMUP ?? 50);
const SERVERS = (process.env.SMALL_SERVERS ?? 'embedded,sqlite').split(',').map((s) => s.trim());
const QUERY = "SELECT 42 AS answer, 'x' AS s";
// The SQLite example types computed columns as dense unions, which apache-arrow cannot read back
// from lakehouse's IPC: there the same row comes from a table, whose declared types it keeps.
const SQLITE_SQL = 'SELECT answer, s FROM answer';
const TOKEN = 'bench-token';
const USER = 'bench';

if (process.argv[2] === 'serve') {
  await serve(process.argv[3]);
} else {
  await main();
}

async function serve(kind) {
  let location;
  let close;
  if (kind === 'embedded') {
    const { startServer } = await import('flightsql/server');
    // As bench/server.mjs: a bearer token, and a basic-auth Handshake for peers that need one.
    const server = await startServer({ port: 0, token: TOKEN, username: USER, password: USER });
    // influxdb3-client always names a database; InfluxDB's databases are DuckDB schemas here.
    const connection = await server.engine.connect();
    await connection.run('CREATE SCHEMA bench');
    await connection.run('CREATE TABLE counter (n INTEGER)');
    connection.closeSync();
    location = server.location;
    close = () => server.close();
  } else if (kind === 'sqlite') {
    const { startSqliteServer } = await import('../test/integration/servers/sqliteServer.ts');
    const server = await startSqliteServer();
    server.db.exec(
      "CREATE TABLE counter (n INTEGER); CREATE TABLE answer (answer INTEGER, s VARCHAR(1)); INSERT INTO answer VALUES (42, 'x')",
    );
    location = server.location;
    close = () => server.close();
  } else {
    throw new Error(`unknown server kind '${kind}'`);
  }
  console.log(JSON.stringify({ location }));
  createInterface({ input: process.stdin }).on('close', () => void close().then(() => process.exit(0)));
}

function startChild(kind) {
  const child = spawn(
    process.execPath,
    [...process.execArgv, ...tsxFor(kind), fileURLToPath(import.meta.url), 'serve', kind],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const ready = new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve(JSON.parse(line)));
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
  return {
    ready,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.stdin.end();
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

/** The SQLite server is TypeScript (test code): its process needs tsx unless this one has it. */
function tsxFor(kind) {
  const loaded = process.execArgv.some((arg) => arg.includes('tsx'));
  return kind === 'sqlite' && !loaded ? ['--import', 'tsx'] : [];
}

/** The clients: setup(server) -> state; run(state) -> rows read (one row, two values). */
function clientsFor(server) {
  const { location, port, auth } = server;
  const SQL = server.kind === 'sqlite' ? SQLITE_SQL : QUERY;
  const token = auth ? TOKEN : undefined;
  return [
    {
      name: 'ours',
      label: 'flightsql FlightSQLClient (ours)',
      kind: 'ours',
      async setup() {
        const { FlightSQLClient } = await import('flightsql');
        return new FlightSQLClient({ host: location, token });
      },
      async run(client) {
        const info = await client.execute(SQL);
        const table = await (await client.doGet(info.endpoints[0].ticket)).readAll();
        return table.getChildAt(0).get(0);
      },
      close: (client) => client.close(),
    },
    {
      name: 'ours-cursor',
      label: 'flightsql PEP 249 cursor (ours)',
      kind: 'ours',
      async setup() {
        const { connect } = await import('flightsql');
        const connection = await connect(location, { token });
        return { connection, cursor: connection.cursor() };
      },
      async run({ cursor }) {
        await cursor.execute(SQL);
        return (await cursor.fetchall())[0][0];
      },
      close: ({ connection }) => connection.close(),
    },
    {
      name: 'ours-update',
      label: 'flightsql executeUpdate, one-row INSERT (ours, DoPut)',
      kind: 'update',
      async setup() {
        const { FlightSQLClient } = await import('flightsql');
        return new FlightSQLClient({ host: location, token });
      },
      run: (client) => client.executeUpdate('INSERT INTO counter VALUES (1)'),
      close: (client) => client.close(),
    },
    {
      name: 'influxdb3',
      label: '@influxdata/influxdb3-client',
      kind: 'peer',
      // A JSON ticket straight to DoGet: InfluxDB's protocol, not Flight SQL's.
      only: 'embedded',
      async setup() {
        const { InfluxDBClient } = await import('@influxdata/influxdb3-client');
        return new InfluxDBClient({
          host: `http://127.0.0.1:${port}`,
          token: token ?? 'x',
          database: 'bench',
        });
      },
      async run(client) {
        const rows = [];
        for await (const row of client.query(SQL, 'bench', { type: 'sql' })) rows.push(row);
        return rows[0].answer;
      },
      close: (client) => client.close(),
    },
    {
      name: 'lancedb',
      label: '@lancedb/arrow-flight-sql-client',
      kind: 'peer',
      // Its connect() always runs a basic-auth Handshake, which the SQLite example has not.
      only: 'embedded',
      async setup() {
        const { Client } = await import('@lancedb/arrow-flight-sql-client');
        return Client.connect({ host: `127.0.0.1:${port}`, username: USER, password: USER, insecure: true });
      },
      async run(client) {
        // Its first batch is empty (the schema alone).
        const batches = await (await client.query(SQL)).collectToArrow();
        return batches
          .find((b) => b.numRows > 0)
          .getChildAt(0)
          .get(0);
      },
    },
    {
      name: 'lakehouse',
      label: '@lakehouse-rs/flight-sql-client + arrow-js decode',
      kind: 'peer',
      async setup() {
        const { createFlightSqlClient } = require('@lakehouse-rs/flight-sql-client');
        const { tableFromIPC } = await import('apache-arrow');
        const options = { host: '127.0.0.1', port, tls: false, headers: [] };
        if (token) options.token = token;
        return { client: await createFlightSqlClient(options), tableFromIPC };
      },
      async run({ client, tableFromIPC }) {
        return tableFromIPC(await client.query(SQL))
          .getChildAt(0)
          .get(0);
      },
    },
  ].filter((c) => !c.only || c.only === server.kind);
}

/** `items` in an order drawn from `seed` (the same for every run of the bench). */
function shuffled(items, seed) {
  const out = [...items];
  let x = (seed + 1) * 2654435761;
  for (let i = out.length - 1; i > 0; i--) {
    x = (Math.imul(x ^ (x >>> 15), 2246822507) + 0x6d2b79f5) >>> 0;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  const servers = [];
  const children = [];
  try {
    for (const kind of SERVERS) {
      const child = startChild(kind);
      children.push(child);
      const { location } = await child.ready;
      const port = Number(new URL(location.replace(/^grpc(\+tcp)?:/, 'http:')).port);
      servers.push({ kind, location, port, auth: kind === 'embedded' });
    }
    const entries = [];
    for (const server of servers) {
      for (const client of clientsFor(server)) {
        const entry = { server, client, times: [], error: undefined };
        try {
          entry.state = await client.setup();
          const value = await client.run(entry.state);
          if (client.kind !== 'update' && Number(value) !== 42) throw new Error(`read ${value}, not 42`);
        } catch (err) {
          entry.error = String(err?.message ?? err).split('\n')[0];
        }
        entries.push(entry);
      }
    }
    const live = entries.filter((e) => !e.error);
    const load0 = loadavg()[0];
    for (let round = 0; round < WARMUP + CALLS; round++) {
      // A new order every round: what one call leaves behind (a peer's threads winding down, a
      // garbage collection) falls on a different client each time, never on the same one.
      for (const entry of shuffled(live, round)) {
        if (entry.error) continue;
        const t0 = performance.now();
        try {
          await entry.client.run(entry.state);
        } catch (err) {
          entry.error = String(err?.message ?? err).split('\n')[0];
          continue;
        }
        if (round >= WARMUP) entry.times.push(performance.now() - t0);
      }
    }
    for (const entry of entries) await entry.client.close?.(entry.state)?.catch?.(() => undefined);
    report(entries, load0);
  } finally {
    await Promise.all(children.map((c) => c.stop()));
  }
  process.exit(0);
}

function report(entries, load0) {
  const stats = (entry) => {
    if (entry.error || entry.times.length === 0) return undefined;
    const sorted = [...entry.times].sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  };
  const fmt = (x) => (x === undefined ? '–' : x.toFixed(2));
  const header = [
    'server',
    'client',
    'p50 ms',
    'p99 ms',
    'ratio p50 (this/ours)',
    'ratio p99 (this/ours)',
    'note',
  ];
  const rows = entries.map((entry) => {
    const s = stats(entry);
    const ours = stats(entries.find((e) => e.server === entry.server && e.client.name === 'ours'));
    const ratio = (k) => (s && ours && entry.client.kind !== 'update' ? (s[k] / ours[k]).toFixed(2) : '–');
    return [
      entry.server.kind === 'embedded' ? 'embedded (DuckDB)' : 'SQLite example (sql.js)',
      entry.client.label,
      fmt(s?.p50),
      fmt(s?.p99),
      ratio('p50'),
      ratio('p99'),
      entry.error ? `✗ ${entry.error}` : `${entry.times.length} calls`,
    ];
  });
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => [...String(r[i])].length)));
  const line = (r) => `| ${r.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  console.log(
    `${new Date().toISOString()} · Node ${process.version} · ${cpus().length} cores · load average ${load0.toFixed(2)} at start, ${loadavg()[0].toFixed(2)} at end`,
  );
  console.log('');
  console.log(
    `Query: \`${QUERY}\` (one row; on the SQLite server \`${SQLITE_SQL}\`, the same row from a table); updates: \`INSERT INTO counter VALUES (1)\`. ${CALLS} timed calls per client and server after ${WARMUP} warm-up calls, interleaved round by round. Ratio: this client's latency ÷ ours (FlightSQLClient) on the same server (> 1: ours is faster).`,
  );
  console.log('');
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}
