// Runs against the built package (ESM), in its own process: Parquet (hyparquet is ESM-only) and
// the 1-million-line memory check. Prints one JSON line. Usage:
//   node --expose-gc fileProbe.mjs parquet|million <httpUrl> <flightLocation> <dir>
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { InfluxDBClient3 } from 'flightsql/influx';

const [mode, httpUrl, location, dir] = process.argv.slice(2);
const client = new InfluxDBClient3({
  host: httpUrl,
  database: 'files',
  flightOptions: { host: location },
  writeOptions: { batching: true, batchSize: 5000, flushInterval: 100, maxBufferLines: 20000 },
});
const T0 = 1_767_225_600_000n;

if (mode === 'parquet') {
  const { parquetWriteFile } = await import('hyparquet-writer');
  const path = join(dir, 'readings.parquet');
  parquetWriteFile({
    filename: path,
    columnData: [
      { name: 'room', data: ['kitchen', 'attic', 'hall'], type: 'STRING' },
      { name: 'temp', data: [21.5, 17.25, 19], type: 'DOUBLE' },
      { name: 'co', data: [3n, 0n, 1n], type: 'INT64' },
      { name: 'door', data: [true, false, true], type: 'BOOLEAN' },
      { name: 'time', data: [T0, T0 + 1000n, T0 + 2000n], type: 'INT64' },
    ],
  });
  const written = await client.writeFile(path, {
    measurement: 'pq',
    tagColumns: ['room'],
    timestampColumn: 'time',
    precision: 'ms',
  });
  await client.flush();
  const table = await client.query('SELECT room, temp, co, door, epoch_ms(time) AS t FROM pq ORDER BY time');
  const types = Object.fromEntries(table.schema.fields.map((f) => [f.name, String(f.type)]));
  const rows = table.toArray().map((r) => {
    const o = r.toJSON();
    return { ...o, co: String(o.co), t: String(o.t) };
  });
  await client.close();
  process.stdout.write(JSON.stringify({ written, rows, types }));
} else {
  // A 1-million-line NDJSON file, written with a small buffer: memory must stay flat.
  const path = join(dir, 'million.ndjson');
  const out = createWriteStream(path);
  for (let i = 0; i < 1_000_000; i++) {
    const line = `{"host":"h${i % 50}","region":"r${i % 7}","value":${i / 4},"count":${i},"note":"line number ${i} of a large file","time":${i + 1}}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  globalThis.gc?.();
  const base = process.memoryUsage();
  let peak = base.heapUsed + base.arrayBuffers;
  // Live memory: collect first, so that garbage not yet swept is not counted.
  const timer = setInterval(() => {
    globalThis.gc?.();
    const now = process.memoryUsage();
    peak = Math.max(peak, now.heapUsed + now.arrayBuffers);
  }, 200);
  const started = Date.now();
  const written = await client.writeFile(path, {
    measurement: 'big',
    tagColumns: ['host', 'region'],
    timestampColumn: 'time',
    integerColumns: ['count'],
    precision: 'ns',
  });
  await client.close();
  clearInterval(timer);
  const seconds = (Date.now() - started) / 1000;
  const reader = new InfluxDBClient3({ host: httpUrl, database: 'files', flightOptions: { host: location } });
  const t = await reader.query('SELECT count(*) AS n, count(DISTINCT "count") AS d FROM big');
  await reader.close();
  const { n, d } = t.toArray()[0].toJSON();
  process.stdout.write(
    JSON.stringify({
      written,
      n: String(n),
      d: String(d),
      growth: peak - base.heapUsed - base.arrayBuffers,
      seconds,
    }),
  );
}
