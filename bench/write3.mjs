// HTTP write throughput of the embedded server (line protocol into DuckDB, in its own process)
// next to a real influxd 1.x, measured in one run:
//
// 1. one-point writes: the same client (Node's fetch, keep-alive) sends the same one-line v1
//    /write requests, one at a time and from a few concurrent writers; requests/s and p50;
// 2. batched writes: bodies of 5,000 points serialised beforehand, posted one at a time;
//    points/s next to our serialiser alone building the same bodies;
// 3. InfluxDBClient3 end to end: one point per write(), 5,000 per write(), and its batching.
//
//   node --expose-gc bench/write3.mjs              (after `npm run build`)
//   BENCH_SRC=1 node --import tsx bench/write3.mjs (the server and client from src/, no build)
//
// Environment: BENCH_WRITE_POINTS (batched points, default 200,000), BENCH_ONE_POINT_REQUESTS
// (one-point requests per run, default 3,000), BENCH_WRITERS (concurrent writers, default 4),
// BENCH_WRITE_SERVER_ARGS (node flags for the embedded server, e.g. "--cpu-prof").
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const SRC = process.env.BENCH_SRC === '1';
const { InfluxDBClient3, InfluxDBClient, Point, serializePoints } = await import(
  SRC ? '../src/influx/index.ts' : 'flightsql/influx'
);
const POINTS = Number(process.env.BENCH_WRITE_POINTS ?? 200_000);
const ONE_POINT = Number(process.env.BENCH_ONE_POINT_REQUESTS ?? 3_000);
const WRITERS = Number(process.env.BENCH_WRITERS ?? 4);
const BATCH = 5000;
const SINGLE = Math.min(POINTS, 5_000); // InfluxDBClient3 one point per write(): fewer of them

function point(i) {
  return new Point('bench')
    .tag('host', `h${i % 20}`)
    .tag('region', `r${i % 4}`)
    .floatField('value', i * 0.25)
    .intField('count', i)
    .timestamp(BigInt(i + 1) * 1000n);
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const gc = () => globalThis.gc?.();

async function startEmbedded() {
  const args = SRC
    ? ['--import', 'tsx', join(here, '../src/cli/main.ts')]
    : [join(here, '../dist/cli/main.js')];
  const extra = (process.env.BENCH_WRITE_SERVER_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...extra, ...args, 'serve', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: join(here, '..'),
  });
  child.stdout.setEncoding('utf8');
  const [chunk] = await once(child.stdout, 'data');
  const location = chunk.split('\n')[0].trim();
  const url = `http://${location.replace(/^[^:]+:\/\//, '')}`;
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** POSTs `body` to v1 /write of `db`; throws unless the server answers 204. */
async function post(url, db, body) {
  const res = await fetch(`${url}/write?db=${db}&precision=ns`, { method: 'POST', body });
  if (res.status !== 204) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
}

/** `n` one-point requests from `writers` concurrent writers: requests/s and p50 in ms. */
async function onePoint(url, db, n, writers) {
  const times = [];
  let next = 0;
  const writer = async () => {
    for (let i = next++; i < n; i = next++) {
      const t0 = performance.now();
      await post(url, db, `one,host=h${i % 20},region=r${i % 4} value=${i * 0.25},count=${i}i ${i + 1}`);
      times.push(performance.now() - t0);
    }
  };
  await post(url, db, 'one,host=h,region=r value=0,count=0i 0'); // creates the table
  gc();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: writers }, writer));
  const seconds = (performance.now() - t0) / 1000;
  times.sort((a, b) => a - b);
  return { rate: n / seconds, p50: times[Math.floor(times.length / 2)] };
}

/** Posts the prebuilt `bodies` one at a time: points/s. */
async function batched(url, db, bodies) {
  await post(url, db, bodies[0].slice(0, bodies[0].indexOf('\n'))); // creates the table
  gc();
  const t0 = performance.now();
  for (const body of bodies) await post(url, db, body);
  return POINTS / ((performance.now() - t0) / 1000);
}

/** Our serialiser alone building the same bodies: points/s (best of 3) and the bodies. */
function serialise() {
  let best = Infinity;
  let bodies = [];
  for (let run = 0; run < 3; run++) {
    gc();
    const t0 = performance.now();
    const out = [];
    for (let i = 0; i < POINTS; i += BATCH) {
      const points = new Array(Math.min(BATCH, POINTS - i));
      for (let j = 0; j < points.length; j++) points[j] = point(i + j);
      out.push(serializePoints(points));
    }
    best = Math.min(best, performance.now() - t0);
    bodies = out;
  }
  return { rate: POINTS / (best / 1000), bodies };
}

async function measureClient(label, client, mode, n) {
  const started = process.hrtime.bigint();
  if (mode === 'single') {
    for (let i = 0; i < n; i++) await client.write(point(i));
  } else if (mode === 'arrays') {
    for (let i = 0; i < n; i += BATCH)
      await client.write(Array.from({ length: Math.min(BATCH, n - i) }, (_, j) => point(i + j)));
  } else {
    for (let i = 0; i < n; i++) await client.write(point(i));
    await client.flush();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await client.close();
  return { label, points: n, seconds, rate: n / seconds };
}

async function clientRuns(target, host, extra) {
  const make = (writeOptions, database) =>
    new InfluxDBClient3({ host, database, writeOptions: { ...extra, ...writeOptions } });
  return [
    await measureClient(`${target}: at once, one point per write()`, make({}, 'w1'), 'single', SINGLE),
    await measureClient(`${target}: at once, 5000 points per write()`, make({}, 'w2'), 'arrays', POINTS),
    await measureClient(
      `${target}: batching (5000), one point per write()`,
      make({ batching: true, batchSize: 5000 }, 'w3'),
      'batched',
      POINTS,
    ),
  ];
}

/** Every measurement against one target; `databases` are created first where needed. */
async function runTarget(target, url, bodies, prepare, clientExtra) {
  await prepare(['one', 'many', 'batched', 'w1', 'w2', 'w3']);
  return {
    sequential: await onePoint(url, 'one', ONE_POINT, 1),
    concurrent: await onePoint(url, 'many', ONE_POINT, WRITERS),
    batched: await batched(url, 'batched', bodies),
    client: await clientRuns(target, url, clientExtra),
  };
}

const { startInfluxd, findInfluxd } = require('../scripts/influxd.cjs');
const serialiser = serialise();
const embedded = await startEmbedded();
let ours;
try {
  ours = await runTarget(
    'embedded server (v3 write_lp)',
    embedded.url,
    serialiser.bodies,
    async () => {},
    {},
  );
} finally {
  await embedded.stop();
}
let peer;
let version = '1.x';
if (findInfluxd()) {
  const influxd = await startInfluxd({});
  try {
    const url = `http://${influxd.host}:${influxd.port}`;
    const admin = new InfluxDBClient({ host: influxd.host, port: influxd.port });
    version = await admin.ping();
    const prepare = async (dbs) => {
      for (const db of dbs) await admin.createDatabase(db);
    };
    peer = await runTarget('influxd 1.x (v1 /write)', url, serialiser.bodies, prepare, { endpoint: 'v1' });
    await admin.close();
  } finally {
    await influxd.stop();
  }
} else {
  console.error('[write3] influxd not installed: skipping it');
}

const ratio = (a, b) => (b === undefined ? 'n/a' : `${(a / b).toFixed(2)}x`);
const onePointTable = [
  `| one-point HTTP writes (v1 /write, fetch keep-alive, ${fmt(ONE_POINT)} requests) | embedded requests/s | p50 ms | influxd ${version} requests/s | p50 ms | embedded / influxd |`,
  '|---|---:|---:|---:|---:|---:|',
];
for (const [label, key] of [
  ['sequential, one writer', 'sequential'],
  [`${WRITERS} concurrent writers`, 'concurrent'],
]) {
  const a = ours[key];
  const b = peer?.[key];
  onePointTable.push(
    `| ${label} | ${fmt(a.rate)} | ${a.p50.toFixed(2)} | ${b ? fmt(b.rate) : 'n/a'} | ${b ? b.p50.toFixed(2) : 'n/a'} | ${ratio(a.rate, b?.rate)} |`,
  );
}
console.log(`\n${onePointTable.join('\n')}\n`);

console.log(
  [
    `| batched HTTP writes (${fmt(POINTS)} points, bodies of ${BATCH} prebuilt) | points/s | embedded / this |`,
    '|---|---:|---:|',
    `| embedded server (v1 /write) | ${fmt(ours.batched)} | 1.00x |`,
    `| influxd ${version} (v1 /write) | ${peer ? fmt(peer.batched) : 'n/a'} | ${ratio(ours.batched, peer?.batched)} |`,
    `| flightsql Point + serializePoints alone (no I/O) | ${fmt(serialiser.rate)} | ${ratio(ours.batched, serialiser.rate)} |`,
  ].join('\n') + '\n',
);

console.log('| InfluxDBClient3 writes | points | seconds | points/s |\n|---|---|---|---|');
for (const r of [...ours.client, ...(peer?.client ?? [])])
  console.log(
    `| ${r.label} | ${r.points} | ${r.seconds.toFixed(2)} | ${Math.round(r.rate).toLocaleString('en-US')} |`,
  );
