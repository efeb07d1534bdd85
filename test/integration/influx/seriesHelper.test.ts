/**
 * SeriesHelper against a real influxd: one request per commit or bulk, points stored in the order
 * given; a refused background write loses no point, and one nobody hears of is reported at exit.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { InfluxDBClient, SeriesHelper, type SeriesHelperClient } from '../../../src/influx';
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

test('the constructor that throws an earlier failure keeps its own point: every point lands, in order', async () => {
  const down = fx.connect({ database: 'no_such_database' });
  let refused!: () => void;
  const refusal = new Promise<void>((resolve) => (refused = resolve));
  // The real client, telling when a write has failed.
  const watched: SeriesHelperClient = {
    writePoints: (points, options) =>
      down.writePoints(points, options).catch((err: unknown) => {
        refused();
        throw err;
      }),
  };
  const Rx = SeriesHelper.define({
    client: watched,
    seriesName: 'rx',
    fields: ['v'],
    tags: [],
    bulkSize: 2,
    autocommit: true,
  });
  new Rx({ v: 1, time: 1n });
  new Rx({ v: 2, time: 2n });
  // The background write of 1 and 2 fails; its points go back to the front of the queue.
  await refusal;
  await new Promise((resolve) => setImmediate(resolve));
  expect(Rx.size).toBe(2);
  let thrown: unknown;
  try {
    new Rx({ v: 3, time: 3n });
  } catch (err) {
    thrown = err;
  }
  expect(String(thrown)).toMatch(/database not found/);
  // The caller carries on: 3 was queued before the throw, 4 after it.
  new Rx({ v: 4, time: 4n });
  // The constructor of 3 started a retry through the helper's client, which fails again.
  await expect(Rx.commit()).rejects.toThrow('database not found');
  expect(Rx.jsonBody().map((p) => p.fields['v'])).toEqual([1, 2, 3, 4]);
  await Rx.commit(client);
  expect((await stored('SELECT v FROM rx')).map((p) => [p['time'], p['v']])).toEqual([
    [1n, 1],
    [2n, 2],
    [3n, 3],
    [4n, 4],
  ]);
});

describe('a background failure no call reports: told when the process ends', () => {
  const probe = join(__dirname, 'seriesHelperExitProbe.ts');
  const child = async (mode: string) => {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', probe, mode, fx.server.host, String(fx.server.port)],
      { encoding: 'utf8', timeout: 60_000 },
    );
    return { stdout, stderr };
  };
  const what =
    'a background write of SeriesHelper "net" failed and no call on the helper has thrown it since: ' +
    '2 points stay queued, not written';

  test('the process ends by itself: a process warning', async () => {
    const out = await child('end');
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain(`FlightSQLWarning: flightsql: ${what}: `);
    expect(out.stderr).toMatch(/database not found/);
  });

  test('process.exit(): a line on stderr', async () => {
    const out = await child('exit');
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(new RegExp(`^flightsql: ${what}: .*database not found`));
  });

  test("with a logger: the logger's error", async () => {
    const out = await child('logger');
    expect(out.stdout).toMatch(new RegExp(`^logger error: ${what} \\| .*database not found`));
    expect(out.stderr).toBe('');
  });
});
