/**
 * Line protocol benchmark: serialises 1,000,000 points (3 tags, 4 fields of mixed types, ns
 * timestamps) with our Point, node-influx (`influx`, whose only serialiser is inside
 * writePoints: its HTTP pool is stubbed to capture the body) and @influxdata/influxdb3-client's
 * Point, into one body per batch of 5,000; then writes them end to end into a real influxd
 * (Debian's package, started on free ports by scripts/influxd.cjs) in batches of 5,000 with
 * ours and node-influx. Prints a markdown table with ratios ours / peer.
 *
 *   npm run build && node --expose-gc bench/influx.mjs
 *
 * Environment: BENCH_POINTS (default 1000000), BENCH_RUNS (best of, default 3),
 * BENCH_E2E_POINTS (default BENCH_POINTS; 0 skips the influxd part).
 */
import { createRequire } from 'node:module';
import { Point, InfluxDBClient, serializePoints } from '../dist/influx/index.mjs';
import { Point as V3Point } from '@influxdata/influxdb3-client';
import Influx from 'influx';

const require = createRequire(import.meta.url);
const { startInfluxd } = require('../scripts/influxd.cjs');

const N = Number(process.env.BENCH_POINTS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const E2E = Number(process.env.BENCH_E2E_POINTS ?? N);
const BATCH = 5000;

// The same rows for every library: 3 tags, a float, an integer, a string, a boolean, ns time.
// Rows are read through one reused object from columns and small pools, so that a million
// resident row objects do not weigh on every garbage collection (which would blur what the
// serialisers themselves cost); only the timestamps are a column of their own.
const hosts = Array.from({ length: 1000 }, (_, i) => `host-${String(i).padStart(4, '0')}`);
const regions = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-south-1'];
const zones = ['a', 'b', 'c'];
const statuses = ['ok', 'degraded', 'down "hard"'];
const base = 1_700_000_000_000_000_000n;
const nsBigint = Array.from({ length: N }, (_, i) => base + BigInt(i) * 1000n);
const nsText = nsBigint.map(String);
const row = { host: '', region: '', az: '', usage: 0, count: 0, status: '', up: false };
const rows = {
  at(i) {
    row.host = hosts[i % hosts.length];
    row.region = regions[i % regions.length];
    row.az = zones[i % zones.length];
    row.usage = ((i * 7919) % 100_000) / 997;
    row.count = i;
    row.status = statuses[i % statuses.length];
    row.up = i % 7 !== 0;
    return row;
  },
};

// Every serialiser turns a batch into one body the way its own write path does (ours:
// serializePoints, as writePoints; influxdb3-client: lines joined by "\n", as its write();
// node-influx: writePoints itself). Every serialiser gets the same timestamps: strings of
// nanoseconds, the one exact form all three take (ours also takes bigints: the second row).
function ours(start, end, time = nsText) {
  const points = new Array(end - start);
  for (let i = start; i < end; i++) {
    const r = rows.at(i);
    points[i - start] = new Point('cpu')
      .tag('host', r.host)
      .tag('region', r.region)
      .tag('az', r.az)
      .floatField('usage', r.usage)
      .intField('count', r.count)
      .stringField('status', r.status)
      .booleanField('up', r.up)
      .timestamp(time[i]);
  }
  return serializePoints(points);
}

function oursBigint(start, end) {
  return ours(start, end, nsBigint);
}

function oursObjects(start, end) {
  const batch = new Array(end - start);
  for (let i = start; i < end; i++) {
    const r = rows.at(i);
    batch[i - start] = {
      measurement: 'cpu',
      tags: { host: r.host, region: r.region, az: r.az },
      fields: { usage: r.usage, count: BigInt(r.count), status: r.status, up: r.up },
      time: nsText[i],
    };
  }
  return serializePoints(batch);
}

function v3(start, end) {
  const lines = new Array(end - start);
  for (let i = start; i < end; i++) {
    const r = rows.at(i);
    lines[i - start] = V3Point.measurement('cpu')
      .setTag('host', r.host)
      .setTag('region', r.region)
      .setTag('az', r.az)
      .setFloatField('usage', r.usage)
      .setIntegerField('count', r.count)
      .setStringField('status', r.status)
      .setBooleanField('up', r.up)
      .setTimestamp(nsText[i])
      .toLineProtocol();
  }
  return lines.join('\n');
}

const schema = [
  {
    measurement: 'cpu',
    tags: ['host', 'region', 'az'],
    fields: {
      usage: Influx.FieldType.FLOAT,
      count: Influx.FieldType.INTEGER,
      status: Influx.FieldType.STRING,
      up: Influx.FieldType.BOOLEAN,
    },
  },
];

function nodeInfluxObjects(start, end) {
  const batch = new Array(end - start);
  for (let i = start; i < end; i++) {
    const r = rows.at(i);
    batch[i - start] = {
      measurement: 'cpu',
      tags: { host: r.host, region: r.region, az: r.az },
      fields: { usage: r.usage, count: r.count, status: r.status, up: r.up },
      timestamp: nsText[i],
    };
  }
  return batch;
}

// node-influx has no public serialiser: writePoints builds the body and hands it to its pool.
const stubbed = new Influx.InfluxDB({ database: 'bench', schema });
let captured = '';
stubbed._pool.discard = (request) => {
  captured = request.body;
  return Promise.resolve();
};
function nodeInflux(start, end) {
  void stubbed.writePoints(nodeInfluxObjects(start, end), { precision: 'n' });
  return captured;
}

const serialisers = [
  ['flightsql Point', ours],
  ['flightsql Point, bigint timestamps', oursBigint],
  ['flightsql objects (serializePoints)', oursObjects],
  ['influx (node-influx) writePoints', nodeInflux],
  ['@influxdata/influxdb3-client Point', v3],
];

function gc() {
  if (globalThis.gc) globalThis.gc();
}

function timeSerialiser(fn) {
  gc();
  let bytes = 0;
  const t0 = process.hrtime.bigint();
  for (let start = 0; start < N; start += BATCH) bytes += fn(start, Math.min(start + BATCH, N)).length;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { seconds, bytes };
}

function fmt(n) {
  return Math.round(n).toLocaleString('en-US');
}

async function main() {
  if (!globalThis.gc) console.warn('run with node --expose-gc for steadier figures');
  console.log(
    `serialising ${fmt(N)} points (3 tags, 4 fields, ns timestamps), best of ${RUNS}, batches of ${BATCH}\n`,
  );
  for (const [name, fn] of serialisers) console.log(`${name}:\n  ${fn(0, 1)}`);
  const best = new Map();
  for (let run = 0; run < RUNS; run++) {
    for (const [name, fn] of serialisers) {
      const r = timeSerialiser(fn);
      const prev = best.get(name);
      if (!prev || r.seconds < prev.seconds) best.set(name, r);
    }
  }
  const ourRate = N / best.get('flightsql Point').seconds;
  const table = ['| serialiser | points/s | MB/s | ours / peer |', '| --- | ---: | ---: | ---: |'];
  for (const [name] of serialisers) {
    const { seconds, bytes } = best.get(name);
    const rate = N / seconds;
    table.push(
      `| ${name} | ${fmt(rate)} | ${(bytes / seconds / 1e6).toFixed(1)} | ${(ourRate / rate).toFixed(2)}x |`,
    );
  }
  console.log(`\n${table.join('\n')}\n`);

  if (E2E > 0) await endToEnd();
}

async function endToEnd() {
  const server = await startInfluxd();
  const ours = new InfluxDBClient({ host: server.host, port: server.port });
  const peer = new Influx.InfluxDB({ host: server.host, port: server.port, database: 'peer', schema });
  try {
    const results = [];
    for (const [name, db, write] of [
      [
        'flightsql InfluxDBClient.writePoints',
        'ours',
        async (start, end) => {
          const points = new Array(end - start);
          for (let i = start; i < end; i++) {
            const r = rows.at(i);
            points[i - start] = new Point('cpu')
              .tag('host', r.host)
              .tag('region', r.region)
              .tag('az', r.az)
              .floatField('usage', r.usage)
              .intField('count', r.count)
              .stringField('status', r.status)
              .booleanField('up', r.up)
              .timestamp(nsText[i]);
          }
          await ours.writePoints(points, { database: 'ours' });
        },
      ],
      [
        'influx (node-influx) writePoints',
        'peer',
        (start, end) => peer.writePoints(nodeInfluxObjects(start, end), { precision: 'n' }),
      ],
    ]) {
      await ours.createDatabase(db);
      gc();
      const t0 = process.hrtime.bigint();
      for (let start = 0; start < E2E; start += BATCH) await write(start, Math.min(start + BATCH, E2E));
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const [row] = (await ours.query('SELECT count(count) FROM cpu', { database: db })).getPoints();
      if (Number(row?.count) !== E2E)
        throw new Error(`${name}: ${row?.count} points stored, expected ${E2E}`);
      results.push([name, seconds]);
    }
    const ourRate = E2E / results[0][1];
    const table = [
      `| write ${fmt(E2E)} points into influxd ${await ours.ping()} (batches of ${BATCH}) | points/s | ours / peer |`,
      '| --- | ---: | ---: |',
    ];
    for (const [name, seconds] of results)
      table.push(`| ${name} | ${fmt(E2E / seconds)} | ${(ourRate / (E2E / seconds)).toFixed(2)}x |`);
    console.log(`${table.join('\n')}\n`);
  } finally {
    await ours.close();
    await server.stop();
  }
}

await main();
