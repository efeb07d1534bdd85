/** Writes against a real influxd: every form of data, precision, batching, and the server's refusals. */
import {
  InfluxDBClientError,
  InfluxDBServerError,
  InterfaceError,
  LineProtocolError,
  Point,
  type Precision,
} from '../../../src/influx';
import { uniqueName, useInfluxd } from '../influxd';

const fx = useInfluxd();
let db: string;

beforeAll(async () => {
  db = uniqueName('w');
  await fx.client.createDatabase(db);
  fx.client.switchDatabase(db);
});

async function rows(q: string, epoch: Precision = 'ns') {
  return (await fx.client.query(q, { epoch })).getPoints();
}

test('writePoints takes Points and plain objects, with default tags merged (the point wins)', async () => {
  await fx.client.writePoints(
    [
      new Point('mix').tag('host', 'a').field('v', 1.5).timestamp(1_000n),
      { measurement: 'mix', tags: { host: 'b', dc: 'own' }, fields: { v: 2, n: 3n }, time: 2_000n },
    ],
    { tags: { dc: 'eu', rack: '7' } },
  );
  expect(await rows('SELECT * FROM mix')).toEqual([
    { time: 1000n, dc: 'eu', host: 'a', n: null, rack: '7', v: 1.5 },
    { time: 2000n, dc: 'own', host: 'b', n: 3, rack: '7', v: 2 },
  ]);
});

test('write() takes influxdb-python data: { points, tags } as json, or lines', async () => {
  await fx.client.write({ points: [{ measurement: 'wj', fields: { v: 1 }, time: 5n }], tags: { t: 'x' } });
  await fx.client.write({ measurement: 'wj', points: [{ fields: { v: 2 }, time: 6n } as never] });
  await fx.client.write(['wl v=1 7', 'wl v=2 8'], { protocol: 'line' });
  await fx.client.write('wl v=3 9', { protocol: 'line' });
  expect(await rows('SELECT * FROM wj')).toEqual([
    { time: 5n, t: 'x', v: 1 },
    { time: 6n, t: null, v: 2 },
  ]);
  expect((await rows('SELECT v FROM wl')).map((r) => r['v'])).toEqual([1, 2, 3]);
});

test('line-protocol strings through writePoints', async () => {
  await fx.client.writePoints(['lines v=1 1', 'lines v=2 2'], { protocol: 'line' });
  expect(await rows('SELECT count(v) FROM lines', 'ns')).toEqual([{ time: 0n, count: 2 }]);
});

test.each<[Precision, bigint, string]>([
  ['ns', 1_600_000_000_123_456_789n, '2020-09-13T12:26:40.123456789Z'],
  ['n', 1_600_000_000_123_456_789n, '2020-09-13T12:26:40.123456789Z'],
  ['us', 1_600_000_000_123_456n, '2020-09-13T12:26:40.123456Z'],
  ['u', 1_600_000_000_123_456n, '2020-09-13T12:26:40.123456Z'],
  ['ms', 1_600_000_000_123n, '2020-09-13T12:26:40.123Z'],
  ['s', 1_600_000_000n, '2020-09-13T12:26:40Z'],
  ['m', 26_666_666n, '2020-09-13T12:26:00Z'],
  ['h', 444_444n, '2020-09-13T12:00:00Z'],
])(
  'precision %s: a ns timestamp is floored to the unit and read back exactly',
  async (precision, units, iso) => {
    const m = `prec_${precision}`;
    await fx.client.writePoints([new Point(m).field('v', 1).timestamp(1_600_000_000_123_456_789n)], {
      timePrecision: precision,
    });
    const [row] = (await fx.client.query(`SELECT v FROM ${m}`)).getPoints();
    expect(row!['time']).toBe(iso);
    const [epoch] = await rows(`SELECT v FROM ${m}`, precision);
    expect(BigInt(epoch!['time'] as number | bigint)).toBe(units);
  },
);

test('a number timestamp is in the write precision (as influxdb-python)', async () => {
  await fx.client.writePoints([{ measurement: 'numts', fields: { v: 1 }, time: 1_600_000_000 }], {
    timePrecision: 's',
  });
  expect((await fx.client.query('SELECT v FROM numts')).getPoints()[0]!['time']).toBe('2020-09-13T12:26:40Z');
});

test('points without timestamp are stamped by the server', async () => {
  const before = BigInt(Date.now()) * 1_000_000n;
  await fx.client.writePoints([new Point('stamped').field('v', 1)]);
  const [row] = await rows('SELECT v FROM stamped');
  expect(row!['time'] as bigint).toBeGreaterThanOrEqual(before - 1_000_000_000n);
});

test('batchSize splits the write into requests; all points arrive', async () => {
  const points = Array.from({ length: 25 }, (_, i) =>
    new Point('batched').intField('i', i).timestamp(BigInt(i + 1)),
  );
  await fx.client.writePoints(points, { batchSize: 10 });
  expect(await rows('SELECT count(i) FROM batched')).toEqual([{ time: 0n, count: 25 }]);
});

test('batches go in order; the first failing one stops the rest and says which it was', async () => {
  await fx.client.writePoints([new Point('batchfail').intField('v', 0).timestamp(1n)]);
  const points = [
    ...Array.from({ length: 4 }, (_, i) => new Point('batchfail').intField('v', i).timestamp(BigInt(i + 10))),
    new Point('batchfail').field('v', 0.5).timestamp(20n), // float into an integer field: 400
    ...Array.from({ length: 3 }, (_, i) => new Point('batchfail').intField('v', i).timestamp(BigInt(i + 30))),
  ];
  const error = await fx.client.writePoints(points, { batchSize: 2 }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InfluxDBClientError);
  expect((error as Error).message).toMatch(
    /^write to "w_\d+_\d+", batch 3 of 4 \(points 4-5; earlier batches were written\): 400 Bad Request: partial write: field type conflict/,
  );
  // Batches 1 and 2 arrived, the good point of batch 3 too (a partial write), batch 4 was not sent.
  expect((await rows('SELECT v FROM batchfail')).map((r) => r['time'])).toEqual([
    1n,
    10n,
    11n,
    12n,
    13n,
    30n,
  ]);
});

test('an invalid point stops the whole write before anything is sent', async () => {
  const points = [
    new Point('never').field('v', 1).timestamp(1n),
    { measurement: 'never', fields: { v: Number.NaN } },
  ];
  const error = await fx.client.writePoints(points, { batchSize: 1 }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(LineProtocolError);
  expect((error as Error).message).toBe('point #1 ("never"): field "v" is NaN, which InfluxDB cannot store');
  expect(await fx.client.getListMeasurements()).not.toContainEqual({ name: 'never' });
});

test('a partial write is a 400 InfluxDBClientError, and the good points are stored', async () => {
  const error = await fx.client
    .write(['partial v=1 1', 'partial v=', 'partial v=3 3'], { protocol: 'line' })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InfluxDBClientError);
  expect(error).toMatchObject({
    code: 'ERR_HTTP_400',
    httpStatus: 400,
    dropped: 0,
    serverMessage: expect.stringMatching(/^partial write: unable to parse/),
  });
  expect((await rows('SELECT v FROM partial')).map((r) => r['v'])).toEqual([1, 3]);
});

test('a field type conflict is a 400 naming the field; the other points are written', async () => {
  await fx.client.writePoints([new Point('ftc').intField('v', 1).timestamp(1n)]);
  const error = await fx.client
    .writePoints([
      new Point('ftc').field('v', 2.5).timestamp(2n),
      new Point('ftc').intField('v', 3).timestamp(3n),
    ])
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InfluxDBClientError);
  expect(error).toMatchObject({
    code: 'ERR_HTTP_400',
    httpStatus: 400,
    dropped: 1,
    message: expect.stringMatching(
      /field type conflict: input field "v" on measurement "ftc" is type float, already exists as type integer/,
    ),
  });
  expect((await rows('SELECT v FROM ftc')).map((r) => r['v'])).toEqual([1, 3]);
});

test('an unknown database is a 404 InfluxDBClientError', async () => {
  const error = await fx.client
    .writePoints([new Point('x').field('v', 1)], { database: 'no_such_db' })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InfluxDBClientError);
  expect(error).toMatchObject({
    code: 'ERR_HTTP_404',
    httpStatus: 404,
    serverMessage: 'database not found: "no_such_db"',
  });
  expect((error as Error).message).toBe(
    'write to "no_such_db": 404 Not Found: database not found: "no_such_db"',
  );
});

test("an unknown retention policy is InfluxDB 1.x's 500: InfluxDBServerError", async () => {
  const error = await fx.client
    .writePoints([new Point('x').field('v', 1)], { retentionPolicy: 'norp' })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InfluxDBServerError);
  expect(error).toMatchObject({
    code: 'ERR_HTTP_500',
    httpStatus: 500,
    serverMessage: 'retention policy not found: norp',
  });
});

test('writes into a named retention policy land there', async () => {
  await fx.client.createRetentionPolicy('week', '7d', 1);
  await fx.client.writePoints([new Point('inrp').field('v', 1).timestamp(BigInt(Date.now()) * 1_000_000n)], {
    retentionPolicy: 'week',
  });
  expect((await fx.client.query(`SELECT v FROM "${db}"."week"."inrp"`)).getPoints()).toHaveLength(1);
  expect((await fx.client.query('SELECT v FROM inrp')).getPoints()).toHaveLength(0);
});

test('consistency is validated and sent (OSS accepts it)', async () => {
  await fx.client.writePoints([new Point('cons').field('v', 1).timestamp(1n)], { consistency: 'all' });
  expect(await rows('SELECT v FROM cons')).toHaveLength(1);
  await expect(
    fx.client.writePoints([new Point('cons').field('v', 1)], { consistency: 'most' as never }),
  ).rejects.toThrow(InterfaceError);
});

test('unknown precision names are refused, since 1.x would silently take nanoseconds', async () => {
  await expect(
    fx.client.writePoints([new Point('p').field('v', 1)], { timePrecision: 'sec' as never }),
  ).rejects.toThrow(/invalid precision "sec"/);
});

test('gzip: compressed writes and answers', async () => {
  const gz = fx.connect({ database: db, gzip: true });
  await gz.writePoints(
    Array.from({ length: 500 }, (_, i) =>
      new Point('gz')
        .tag('k', `v${i % 7}`)
        .intField('i', i)
        .timestamp(BigInt(i + 1)),
    ),
  );
  const rs = await gz.query('SELECT count(i) FROM gz');
  expect(rs.getPoints()).toEqual([{ time: '1970-01-01T00:00:00Z', count: 500 }]);
});
