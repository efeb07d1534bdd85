/** SeriesHelper against a real influxd: one request per commit or bulk, points stored in the order given. */
import { InfluxDBClient, SeriesHelper } from '../../../src/influx';
import { uniqueName, useInfluxd } from '../influxd';

const fx = useInfluxd();
let db: string;
let client: InfluxDBClient;

beforeAll(async () => {
  db = uniqueName('helper');
  await fx.client.createDatabase(db);
  await fx.client.createRetentionPolicy('week', '7d', 1, { database: db });
  client = fx.connect({ database: db });
});

/** Write requests the server has answered so far (its own counter). */
async function writeRequests(): Promise<number> {
  return Number((await fx.client.query(`SHOW STATS FOR 'httpd'`)).getPoints()[0]!['writeReq']);
}

async function stored(q: string) {
  return (await fx.client.query(q, { database: db, epoch: 'ns' })).getPoints();
}

test('commit writes every queued point in one request; a later duplicate wins, as it came later', async () => {
  const Cpu = SeriesHelper.define({
    client,
    seriesName: 'cpu.{host}',
    fields: ['load', 'up'],
    tags: ['host'],
  });
  const before = await writeRequests();
  for (let i = 0; i < 50; i++)
    new Cpu({ host: i % 2 ? 'a' : 'b', load: i + 0.5, time: BigInt(i % 10) * 1_000n });
  new Cpu({ host: 'a', load: 99.5, up: true, time: 9_000n });
  await Cpu.commit();
  expect((await writeRequests()) - before).toBe(1);
  // Ten distinct times per host: each kept the last value given for it.
  const a = await stored('SELECT load, up FROM "cpu.a"');
  expect(a.map((p) => [p['time'], p['load'], p['up']])).toEqual([
    [1_000n, 41.5, null],
    [3_000n, 43.5, null],
    [5_000n, 45.5, null],
    [7_000n, 47.5, null],
    [9_000n, 99.5, true],
  ]);
  expect((await stored('SELECT load FROM "cpu.b"')).map((p) => p['load'])).toEqual([
    40.5, 42.5, 44.5, 46.5, 48.5,
  ]);
});

test('autocommit: one request per bulk, in the background, in order; retention policy and precision apply', async () => {
  const Disk = SeriesHelper.define({
    client,
    seriesName: 'disk',
    fields: ['used'],
    tags: ['dev'],
    bulkSize: 4,
    autocommit: true,
    retentionPolicy: 'week',
    timePrecision: 's',
  });
  // Recent times: a 7-day policy drops older points.
  const now = Math.floor(Date.now() / 1000) - 60;
  const before = await writeRequests();
  for (let i = 0; i < 10; i++) new Disk({ dev: 'sda', used: BigInt(i), time: now + i });
  await Disk.commit();
  expect((await writeRequests()) - before).toBe(3);
  const points = await stored('SELECT used FROM week.disk');
  expect(points.map((p) => p['used'])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  expect(points[0]!['time']).toBe(BigInt(now) * 1_000_000_000n);
});

test('a refused background write is thrown by the next point; its points stay queued and land later', async () => {
  const down = fx.connect({ database: 'no_such_database' });
  const Net = SeriesHelper.define({
    client: down,
    seriesName: 'net',
    fields: ['rx'],
    tags: [],
    bulkSize: 2,
    autocommit: true,
  });
  new Net({ rx: 1, time: 1n });
  new Net({ rx: 2, time: 2n });
  // The next call on the helper reports the failure.
  await expect(Net.commit()).rejects.toThrow('database not found');
  expect(Net.size).toBe(2);
  await Net.commit(client);
  expect((await stored('SELECT rx FROM net')).map((p) => p['rx'])).toEqual([1, 2]);
});
