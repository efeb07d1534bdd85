// Write throughput of InfluxDBClient3, with and without batching, into the embedded server
// (HTTP line-protocol ingest into DuckDB, in its own process) and into a real influxd (v1 /write).
//
//   node bench/write3.mjs            (after `npm run build`; BENCH_WRITE_POINTS to change the size)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InfluxDBClient3, Point } from 'flightsql/influx';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const POINTS = Number(process.env.BENCH_WRITE_POINTS ?? 200_000);
const SINGLE = Math.min(POINTS, 5_000); // one request per point is slow: fewer of them

function point(i) {
  return new Point('bench')
    .tag('host', `h${i % 20}`)
    .tag('region', `r${i % 4}`)
    .floatField('value', i * 0.25)
    .intField('count', i)
    .timestamp(BigInt(i + 1) * 1000n);
}

async function startEmbedded() {
  const child = spawn(
    process.execPath,
    [join(here, '../dist/cli/main.js'), 'serve', '--port', '0', '--http-port', '0'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = [];
  child.stdout.setEncoding('utf8');
  while (lines.length < 2) {
    const [chunk] = await once(child.stdout, 'data');
    lines.push(...chunk.split('\n').filter(Boolean));
  }
  return { httpUrl: lines[1].trim(), location: lines[0].trim(), stop: () => child.kill('SIGTERM') };
}

async function measure(label, client, mode, n) {
  const started = process.hrtime.bigint();
  if (mode === 'single') {
    for (let i = 0; i < n; i++) await client.write(point(i));
  } else if (mode === 'arrays') {
    for (let i = 0; i < n; i += 5000)
      await client.write(Array.from({ length: Math.min(5000, n - i) }, (_, j) => point(i + j)));
  } else {
    for (let i = 0; i < n; i++) await client.write(point(i));
    await client.flush();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await client.close();
  return { label, points: n, seconds, rate: n / seconds };
}

async function run(target, host, extra) {
  const results = [];
  const make = (writeOptions, database) =>
    new InfluxDBClient3({ host, database, writeOptions: { ...extra, ...writeOptions } });
  results.push(await measure(`${target}: at once, one point per write()`, make({}, 'w1'), 'single', SINGLE));
  results.push(
    await measure(`${target}: at once, 5000 points per write()`, make({}, 'w2'), 'arrays', POINTS),
  );
  results.push(
    await measure(
      `${target}: batching (5000), one point per write()`,
      make({ batching: true, batchSize: 5000 }, 'w3'),
      'batched',
      POINTS,
    ),
  );
  return results;
}

const rows = [];
const embedded = await startEmbedded();
try {
  rows.push(...(await run('embedded server (v3 write_lp)', embedded.httpUrl, {})));
} finally {
  embedded.stop();
}
const { startInfluxd, findInfluxd } = require('../scripts/influxd.cjs');
if (findInfluxd()) {
  const influxd = await startInfluxd({});
  try {
    const admin = new (await import('flightsql/influx')).InfluxDBClient({
      host: influxd.host,
      port: influxd.port,
    });
    for (const db of ['w1', 'w2', 'w3']) await admin.createDatabase(db);
    await admin.close();
    rows.push(
      ...(await run('influxd 1.x (v1 /write)', `http://${influxd.host}:${influxd.port}`, { endpoint: 'v1' })),
    );
  } finally {
    await influxd.stop();
  }
} else {
  console.error('[write3] influxd not installed: skipping it');
}
console.log('\n| InfluxDBClient3 writes | points | seconds | points/s |\n|---|---|---|---|');
for (const r of rows)
  console.log(
    `| ${r.label} | ${r.points} | ${r.seconds.toFixed(2)} | ${Math.round(r.rate).toLocaleString('en-US')} |`,
  );
