/** DataFrameClient against a real influxd: polars frames written as points and read back as frames. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pl from 'nodejs-polars';
import { Field, Float64, Int32, List, Table, TimestampMillisecond, vectorFromArray } from 'apache-arrow';
import {
  DataFrameClient,
  DataFrames,
  InfluxDBClientError,
  InterfaceError,
  ProgrammingError,
  DataError,
} from '../../../src/influx';
import { uniqueName, useInfluxd } from '../influxd';

const fx = useInfluxd();
let db: string;
let dfc: DataFrameClient;

beforeAll(async () => {
  db = uniqueName('df');
  dfc = new DataFrameClient({ host: fx.server.host, port: fx.server.port, database: db });
  // InfluxDBClient's methods are the DataFrameClient's too, as in influxdb-python.
  await dfc.createDatabase(db);
});
afterAll(() => dfc.close());

/** Points as the server stores them (nanosecond epochs). */
async function stored(measurement: string): Promise<Record<string, unknown>[]> {
  return (await fx.client.query(`SELECT * FROM "${measurement}"`, { database: db, epoch: 'ns' })).getPoints();
}

/** A UTC nanosecond time column. */
function times(ns: bigint[]) {
  return pl.Series('time', ns.map(String)).cast(pl.Int64).cast(pl.Datetime('ns', 'UTC'));
}

/** Writes requests the server has answered so far (its own counter). */
async function writeRequests(): Promise<number> {
  const rs = await fx.client.query(`SHOW STATS FOR 'httpd'`);
  return Number(rs.getPoints()[0]!['writeReq']);
}

test('a frame becomes points: tags, typed fields, nulls and NaN left out of their line, exact times', async () => {
  const df = pl.DataFrame([
    times([1_700_000_000_123_456_789n, 1_700_000_001_000_000_000n, 1_700_000_002_000_000_000n]),
    pl.Series('host', ['a', null, 'b']),
    pl.Series('usage', [0.5, Number.NaN, 1]),
    pl.Series('count', [1, 2, null], pl.Int64),
    pl.Series('label', ['x "q"', 'y', null]),
    pl.Series('ok', [true, null, false]),
  ]);
  expect(await dfc.writePoints(df, 'cpu', { tagColumns: ['host'] })).toBe(true);
  expect(await stored('cpu')).toEqual([
    { time: 1_700_000_000_123_456_789n, count: 1, host: 'a', label: 'x "q"', ok: true, usage: 0.5 },
    { time: 1_700_000_001_000_000_000n, count: 2, host: null, label: 'y', ok: null, usage: null },
    { time: 1_700_000_002_000_000_000n, count: null, host: 'b', label: null, ok: false, usage: 1 },
  ]);
  // Integer columns are integer fields, float columns float fields, as influxdb-python writes them.
  const keys = await fx.client.query('SHOW FIELD KEYS FROM cpu', { database: db });
  expect(keys.getPoints()).toEqual([
    { fieldKey: 'count', fieldType: 'integer' },
    { fieldKey: 'label', fieldType: 'string' },
    { fieldKey: 'ok', fieldType: 'boolean' },
    { fieldKey: 'usage', fieldType: 'float' },
  ]);
});

test("influxdb-python's column rules: fieldColumns alone make the rest tags (line), global tags win", async () => {
  const df = pl.DataFrame([
    times([1_000_000_000n, 2_000_000_000n]),
    pl.Series('region', ['eu', 'us']),
    pl.Series('rack', [1.0, 2.5]),
    pl.Series('flag', [true, false]),
    pl.Series('v', [1.5, 2.5]),
  ]);
  await dfc.writePoints(df, 'rules', { fieldColumns: ['v'], tags: { region: 'global', n: 7 } });
  expect(await stored('rules')).toEqual([
    { time: 1_000_000_000n, flag: 'True', n: '7', rack: '1.0', region: 'global', v: 1.5 },
    { time: 2_000_000_000n, flag: 'False', n: '7', rack: '2.5', region: 'global', v: 2.5 },
  ]);
  // With protocol json the other columns are left out instead.
  await dfc.writePoints(df, 'rulesj', { fieldColumns: ['v'], protocol: 'json' });
  expect(await stored('rulesj')).toEqual([
    { time: 1_000_000_000n, v: 1.5 },
    { time: 2_000_000_000n, v: 2.5 },
  ]);
});

test('timeColumn, Date times, timePrecision cut exactly, a row with no field left is not written', async () => {
  const df = pl.DataFrame([
    pl.Series('at', [new Date(Date.UTC(2024, 0, 2)), new Date(Date.UTC(2024, 0, 3))]).cast(pl.Date),
    pl.Series('v', [1.5, null]),
  ]);
  await dfc.writePoints(df, 'days', { timeColumn: 'at', timePrecision: 's' });
  expect(await stored('days')).toEqual([{ time: 1_704_153_600_000_000_000n, v: 1.5 }]);

  const fine = pl.DataFrame([times([1_700_000_000_999_999_999n]), pl.Series('v', [1])]);
  await dfc.writePoints(fine, 'ms', { timePrecision: 'ms' });
  expect(await stored('ms')).toEqual([{ time: 1_700_000_000_999_000_000n, v: 1 }]);
});

test('batchSize writes in that many requests; an Arrow Table is taken as well', async () => {
  const n = 10;
  const df = pl.DataFrame([
    times(Array.from({ length: n }, (_, i) => BigInt(i + 1) * 1_000_000_000n)),
    pl.Series(
      'v',
      Array.from({ length: n }, (_, i) => i + 0.5),
    ),
  ]);
  const before = await writeRequests();
  await dfc.writePoints(df, 'batched', { batchSize: 4 });
  expect((await writeRequests()) - before).toBe(3);
  expect((await stored('batched')).map((p) => p['v'])).toEqual(Array.from({ length: n }, (_, i) => i + 0.5));

  const table = new Table({
    time: vectorFromArray([new Date(5000)], new TimestampMillisecond('UTC')),
    v: vectorFromArray([7.5], new Float64()),
  });
  await dfc.writePoints(table, 'arrow');
  expect(await stored('arrow')).toEqual([{ time: 5_000_000_000n, v: 7.5 }]);
});

test('what cannot be written is refused before any request', async () => {
  const before = await writeRequests();
  const base = [times([1n]), pl.Series('v', [1.5])];
  await expect(dfc.writePoints(pl.DataFrame([pl.Series('v', [1])]), 'bad')).rejects.toThrow(
    'the frame has no time column "time": name it with timeColumn',
  );
  await expect(dfc.writePoints(pl.DataFrame(base), 'bad', { tagColumns: ['nope'] })).rejects.toThrow(
    'tagColumns not in the frame: "nope"',
  );
  const lists = pl.DataFrame([...base, pl.Series('l', [[1, 2]])]);
  await expect(dfc.writePoints(lists, 'bad')).rejects.toThrow(ProgrammingError);
  const decimals = pl.DataFrame([...base, pl.Series('d', ['1.25']).cast(pl.Decimal(10, 2))]);
  await expect(dfc.writePoints(decimals, 'bad')).rejects.toThrow(
    'cast it to Float64 for a float field, or to String',
  );
  const noTime = pl.DataFrame([
    pl.Series('time', [null, 1]).cast(pl.Int64).cast(pl.Datetime('ns')),
    pl.Series('v', [1, 2]),
  ]);
  await expect(dfc.writePoints(noTime, 'bad')).rejects.toThrow(DataError);
  await expect(dfc.writePoints({} as never, 'bad')).rejects.toThrow(InterfaceError);
  await expect(dfc.writePoints(pl.DataFrame(base), 'bad', { batchSize: 0 })).rejects.toThrow(
    'invalid batchSize 0',
  );
  expect(await writeRequests()).toBe(before);
  const table = new Table({ l: vectorFromArray([[1]], new List(new Field('item', new Int32()))) });
  await expect(dfc.writePoints(table, 'bad')).rejects.toThrow(ProgrammingError);
});

describe('query', () => {
  beforeAll(async () => {
    await fx.client.writePoints(
      [
        {
          measurement: 'q',
          tags: { host: 'a' },
          fields: { f: 1, i: 10n, s: 'x', b: true },
          time: 1_000_000_001n,
        },
        { measurement: 'q', tags: { host: 'b' }, fields: { f: 2.5, i: 20n }, time: 2_000_000_002n },
        { measurement: 'q', tags: { host: 'a' }, fields: { f: 3, i: -30n, s: 'z' }, time: -3_000_000_003n },
      ],
      { database: db },
    );
  });

  test('a plain SELECT: one frame keyed by measurement, sorted by time, types kept', async () => {
    const frames = await dfc.query('SELECT * FROM q');
    expect(frames).toBeInstanceOf(DataFrames);
    expect([...frames.keys()]).toEqual(['q']);
    expect(frames.pythonKeys()).toEqual(['q']);
    const df = frames.get('q')!;
    expect(df.columns).toEqual(['time', 'b', 'f', 'host', 'i', 's']);
    const dtypes = df.dtypes.map((d) => String(d).replace(/^DataType\((.*)\)$/, '$1'));
    // f holds 1 and 3: still Float64 (MessagePack tells 1.0 from 1, where JSON cannot).
    expect(dtypes).toEqual(['Datetime(ns,UTC)', 'Bool', 'Float64', 'String', 'Int64', 'String']);
    const nanos = df.select(pl.col('time').cast(pl.Int64).cast(pl.Utf8)).getColumn('time').toArray();
    expect(nanos).toEqual(['-3000000003', '1000000001', '2000000002']);
    expect(df.getColumn('f').toArray()).toEqual([3, 1, 2.5]);
    expect(df.getColumn('s').toArray()).toEqual(['z', 'x', null]);
    expect(df.getColumn('b').toArray()).toEqual([null, true, null]);
  });

  test('GROUP BY: one frame per series, keyed by series key, found by measurement and tags', async () => {
    const frames = await dfc.query('SELECT f, i FROM q GROUP BY host');
    expect([...frames.keys()]).toEqual(['q,host=a', 'q,host=b']);
    expect(frames.pythonKeys()).toEqual([
      ['q', [['host', 'a']]],
      ['q', [['host', 'b']]],
    ]);
    expect(frames.seriesKeys()).toEqual([
      ['q', { host: 'a' }],
      ['q', { host: 'b' }],
    ]);
    expect(frames.get('q', { host: 'b' })!.getColumn('i').toArray()).toEqual([20]);
    expect(frames.get('q', { host: 'a' })!.columns).toEqual(['time', 'f', 'i']);
    expect(DataFrames.keyOf('a b,c', { 'k=1': 'v 2' })).toBe('a\\ b\\,c,k\\=1=v\\ 2');
  });

  test('chunked answers are joined; epoch makes the server cut times; bind parameters; dropna', async () => {
    const chunked = await dfc.query('SELECT * FROM q', { chunked: true, chunkSize: 1 });
    expect(chunked.get('q')!.height).toBe(3);
    expect(chunked.get('q')!.getColumn('i').toArray()).toEqual([-30, 10, 20]);

    const seconds = await dfc.query('SELECT i FROM q', { epoch: 's' });
    const t = seconds
      .get('q')!
      .select(pl.col('time').cast(pl.Int64).cast(pl.Utf8))
      .getColumn('time')
      .toArray();
    // The server cuts toward zero.
    expect(t).toEqual(['-3000000000', '1000000000', '2000000000']);

    const bound = await dfc.query('SELECT i FROM q WHERE host = $h', { params: { h: 'b' } });
    expect(bound.get('q')!.getColumn('i').toArray()).toEqual([20]);

    // s is null in host b's only row: dropped by default, kept with dropna: false.
    expect((await dfc.query(`SELECT s, i FROM q WHERE host = 'b'`)).get('q')!.columns).toEqual(['time', 'i']);
    const kept = await dfc.query(`SELECT s, i FROM q WHERE host = 'b'`, { dropna: false });
    expect(kept.get('q')!.columns).toEqual(['time', 's', 'i']);
  });

  test('several statements, empty results, errors, and statements that are not SELECT', async () => {
    const both = await dfc.query('SELECT count(f) FROM q; SELECT * FROM nothing_here');
    expect(both.statements).toHaveLength(2);
    expect(both.get('q')!.getColumn('count').toArray()).toEqual([3]);
    expect(both.statements[1]!.size).toBe(0);
    await expect(dfc.query('SELECT * FROM q', { database: 'no_such_db' })).rejects.toThrow(
      InfluxDBClientError,
    );
    const quiet = await dfc.query('SELECT * FROM q', { database: 'no_such_db', raiseErrors: false });
    expect(quiet.error).toBe('database not found: no_such_db');
    await expect(dfc.query('SELEC * FROM q')).rejects.toThrow(ProgrammingError);
    await expect(dfc.query('SHOW MEASUREMENTS')).rejects.toThrow('run other statements with client.query()');
    expect((await dfc.getListMeasurements()).map((m) => m['name'])).toContain('q');
  });
});

test('the client lends InfluxDBClient its other methods and prints no password', async () => {
  const other = new DataFrameClient({
    host: fx.server.host,
    port: fx.server.port,
    username: 'u',
    password: 'secret-pw',
  });
  try {
    expect(other.database).toBeUndefined();
    other.switchDatabase(db);
    expect(other.database).toBe(db);
    expect(other.client.database).toBe(db);
    expect(String(other)).toBe(
      `DataFrameClient(http://u@${fx.server.host}:${fx.server.port}, database: "${db}")`,
    );
    expect(JSON.stringify({ other })).not.toContain('secret-pw');
    expect(typeof (await other.ping())).toBe('string');
  } finally {
    await other.close();
  }
});

test('a server that answers JSON instead of MessagePack (InfluxDB before 1.4) is read too', async () => {
  const answer = {
    results: [
      {
        statement_id: 0,
        series: [
          { name: 'old', columns: ['time', 'v', 'n'], values: [['2024-01-01T00:00:00.000000001Z', 1.5, 7]] },
        ],
      },
    ],
  };
  let accept: string | undefined;
  const server = createServer((req, res) => {
    accept = req.headers.accept;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const old = new DataFrameClient({ host: '127.0.0.1', port: (server.address() as AddressInfo).port });
  try {
    const df = (await old.query('SELECT * FROM old', { database: 'x' })).get('old')!;
    expect(accept).toBe('application/x-msgpack');
    expect(df.columns).toEqual(['time', 'v', 'n']);
    const time = df.select(pl.col('time').cast(pl.Int64).cast(pl.Utf8)).getColumn('time').toArray();
    expect(time).toEqual(['1704067200000000001']);
    // JSON cannot tell 7.0 from 7: whole numbers are read as integers, as pandas reads them.
    expect(df.dtypes.map(String)).toEqual([
      'DataType(Datetime(ns,UTC))',
      'DataType(Float64)',
      'DataType(Int64)',
    ]);
  } finally {
    await old.close();
    server.close();
  }
});
