/**
 * InfluxDBClient3's writes against a real InfluxDB 1.x (`influxd`), through its v1 `/write`
 * endpoint: every record form and a file, batched, read back with the v1 client.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromArrays } from 'apache-arrow';
import { InfluxDBClient3, Point } from '../../../src/influx';
import { uniqueName, useInfluxd } from '../influxd';

const fx = useInfluxd();
let db: string;
let client: InfluxDBClient3;

beforeAll(async () => {
  db = uniqueName('c3');
  await fx.client.createDatabase(db);
  client = new InfluxDBClient3({
    host: `http://${fx.server.host}:${fx.server.port}`,
    database: db,
    writeOptions: { endpoint: 'v1', batching: true, batchSize: 100, flushInterval: 20 },
  });
});
afterAll(async () => {
  await client?.close();
});

test('Points, text, objects, an Arrow Table and a CSV file land in influxd with their types', async () => {
  await client.write([
    new Point('m').tag('src', 'point').floatField('f', 1.5).intField('i', 7n).timestamp(1_000_000_000n),
    'm,src=text f=2.5,i=8i 2000000000',
    { measurement: 'm', tags: { src: 'object' }, fields: { f: 3.5, i: 9n, s: 'x"y' }, time: 3_000_000_000n },
  ]);
  await client.write(
    tableFromArrays({
      src: ['arrow'],
      f: Float64Array.from([4.5]),
      i: BigInt64Array.from([10n]),
      t: BigInt64Array.from([4n]),
    }),
    { measurement: 'm', tagColumns: ['src'], timestampColumn: 't', precision: 's' },
  );
  const dir = mkdtempSync(join(tmpdir(), 'c3-'));
  try {
    writeFileSync(join(dir, 'm.csv'), 'src,f,i,t\ncsv,5.5,11,5\n');
    await client.writeFile(join(dir, 'm.csv'), {
      measurement: 'm',
      tagColumns: ['src'],
      timestampColumn: 't',
      integerColumns: ['i'],
      precision: 's',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await client.flush();
  const points = (await fx.client.query('SELECT * FROM m', { database: db, epoch: 's' })).getPoints();
  expect(points.map((p) => [p['time'], p['src'], p['f'], p['i']])).toEqual([
    [1, 'point', 1.5, 7],
    [2, 'text', 2.5, 8],
    [3, 'object', 3.5, 9],
    [4, 'arrow', 4.5, 10],
    [5, 'csv', 5.5, 11],
  ]);
  const fieldTypes = (await fx.client.query('SHOW FIELD KEYS FROM m', { database: db })).getPoints();
  expect(Object.fromEntries(fieldTypes.map((p) => [p['fieldKey'], p['fieldType']]))).toEqual({
    f: 'float',
    i: 'integer',
    s: 'string',
  });
});

test('a type conflict in a batch is reported through the error callback, not lost silently', async () => {
  const errors: unknown[] = [];
  const strict = new InfluxDBClient3({
    host: `http://${fx.server.host}:${fx.server.port}`,
    database: db,
    writeOptions: { endpoint: 'v1', batching: true, batchSize: 10, error: (_b, e) => errors.push(e) },
  });
  await strict.write('m,src=bad i="text" 6000000000');
  await strict.close();
  expect(errors).toHaveLength(1);
  expect(String(errors[0])).toMatch(/field type conflict/);
});
