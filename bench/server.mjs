// Benchmark server: the embedded Flight SQL server (built package, `flightsql/server`) in its
// own process, with a `bench` table of BENCH_ROWS rows (default 10,000,000):
//   time TIMESTAMP, tag VARCHAR ('room0'..'room7') or ENUM (BENCH_TAG=enum), f1 f2 f3 DOUBLE.
// Prints one JSON line on stdout once it listens: {location, port, rows, sum, ...}.
// Commands on stdin, one per line: "stats" -> prints {"stats": {cpu, rss, maxRSS}}; "peak" ->
// {"peak": {rss}}, the highest RSS sampled since the previous "peak".
// Shuts down (and exits 0, so --cpu-prof writes its profile) when stdin ends or on SIGTERM.
import { startServer } from 'flightsql/server';
import { createInterface } from 'node:readline';
import grpc from '@grpc/grpc-js';
import { flightSqlService } from 'flightsql/server';
import { memoryDefinition, memoryDoGet, prepareMemorySource } from './memory-source.mjs';

const rows = Number(process.env.BENCH_ROWS ?? 10_000_000);
const tagType = (process.env.BENCH_TAG ?? 'varchar').toLowerCase();
const auth = process.env.BENCH_AUTH !== '0';
// duckdb: DoGet streams from DuckDB (the real server); memory: from FlightData encoded beforehand.
const source = process.env.BENCH_SOURCE ?? 'duckdb';
const token = process.env.BENCH_TOKEN ?? 'bench-token';

const options = { port: 0 };
if (auth) Object.assign(options, { token, username: 'bench', password: 'bench' });

const t0 = performance.now();
const server = await startServer(options);
const conn = await server.engine.connect();
const rooms = Array.from({ length: 8 }, (_, i) => `'room${i}'`).join(', ');
let tagExpr = `'room' || (i % 8)`;
if (tagType === 'enum') {
  await conn.run(`CREATE TYPE room AS ENUM (${rooms})`);
  tagExpr = `(${tagExpr})::room`;
} else if (tagType !== 'varchar') {
  throw new Error(`BENCH_TAG must be varchar or enum, not ${tagType}`);
}
await conn.run(`
  CREATE TABLE bench AS
  SELECT TIMESTAMP '2024-01-01 00:00:00' + to_microseconds(i * 1000) AS time,
         ${tagExpr} AS tag,
         CAST(i % 1000 AS DOUBLE) / 7 AS f1,
         sin(CAST(i AS DOUBLE)) AS f2,
         CAST(i AS DOUBLE) * 0.001 AS f3
  FROM range(${rows}) t(i)
`);
const ref = (
  await conn.runAndReadAll('SELECT count(*)::BIGINT AS n, fsum(f1) AS s FROM bench')
).getRowObjects()[0];
conn.closeSync();
const loadSeconds = (performance.now() - t0) / 1000;

// In memory mode a second listener, with the real handlers except DoGet, is what clients use.
let memory;
if (source === 'memory') {
  const prepared = await prepareMemorySource(server.engine, 'SELECT * FROM bench');
  const doGet = memoryDoGet(prepared.messages, auth ? options : {});
  const grpcServer = new grpc.Server({
    'grpc.max_receive_message_length': -1,
    'grpc.max_send_message_length': -1,
  });
  grpcServer.addService(memoryDefinition, { ...flightSqlService(server.engine, auth ? options : {}), doGet });
  const port = await new Promise((resolve, reject) =>
    grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  memory = {
    port,
    bytes: prepared.bytes,
    close: () => new Promise((r) => grpcServer.tryShutdown(() => r())),
  };
} else if (source !== 'duckdb') {
  throw new Error(`BENCH_SOURCE must be duckdb or memory, not ${source}`);
}

const stats = () => {
  const cpu = process.cpuUsage();
  return {
    cpu: (cpu.user + cpu.system) / 1e6,
    rss: process.memoryUsage.rss(),
    maxRSS: process.resourceUsage().maxRSS * 1024,
  };
};

process.stdout.write(
  JSON.stringify({
    location: memory ? `grpc+tcp://127.0.0.1:${memory.port}` : server.location,
    port: memory ? memory.port : server.port,
    source,
    auth,
    token: auth ? token : undefined,
    username: auth ? 'bench' : undefined,
    password: auth ? 'bench' : undefined,
    tag: tagType,
    rows: Number(ref.n),
    sum: ref.s,
    loadSeconds,
    ...stats(),
  }) + '\n',
);

let closing = false;
const shutdown = async () => {
  if (closing) return;
  closing = true;
  const final = stats();
  await memory?.close().catch(() => undefined);
  await server.close().catch(() => undefined);
  process.stdout.write(JSON.stringify({ final }) + '\n');
  process.exit(0);
};

// maxRSS covers the table load; the RSS sampled every 20 ms while clients stream is what a
// DoGet costs. "peak" answers the highest sample since the previous "peak" and starts again.
let peakRSS = 0;
setInterval(() => (peakRSS = Math.max(peakRSS, process.memoryUsage.rss())), 20).unref();

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  if (line.trim() === 'stats') process.stdout.write(JSON.stringify({ stats: stats() }) + '\n');
  if (line.trim() === 'peak') {
    process.stdout.write(
      JSON.stringify({ peak: { rss: Math.max(peakRSS, process.memoryUsage.rss()) } }) + '\n',
    );
    peakRSS = 0;
  }
});
rl.on('close', shutdown);
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
