/** The PEP 249 layer against the embedded server: beyond the compliance suite. */
import {
  connect,
  Binary,
  DATETIME,
  Date as SqlDateOf,
  NUMBER,
  STRING,
  BINARY,
  Time,
  Timestamp,
  DataError,
  ProgrammingError,
  type Connection,
} from '../../../src';
import { startServer, type RunningServer } from '../../../src/server';

let server: RunningServer;
let con: Connection;

beforeAll(async () => {
  server = await startServer();
  con = await connect(server.location);
  const cur = con.cursor();
  await cur.execute(`CREATE TABLE kinds (
    id INTEGER PRIMARY KEY, big BIGINT, amount DECIMAL(12, 3), ratio DOUBLE, label VARCHAR NOT NULL,
    flag BOOLEAN, day DATE, ts TIMESTAMP, ts_ns TIMESTAMP_NS, tod TIME, bytes BLOB, mood ENUM('calm', 'loud'),
    tags VARCHAR[], pos STRUCT(x INTEGER, y INTEGER), attrs MAP(VARCHAR, INTEGER))`);
  await cur.execute(`INSERT INTO kinds VALUES
    (1, 9007199254740993, 12345.678, 0.5, 'one', true, DATE '2024-02-29', TIMESTAMP '2024-01-02 03:04:05.123456',
     TIMESTAMP_NS '2024-01-02 03:04:05.123456789', TIME '13:45:30.5', '\\x01\\x02'::BLOB, 'loud', ['a', 'b'],
     {'x': 1, 'y': 2}, MAP {'k': 7}),
    (2, NULL, NULL, NULL, 'two', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`);
});

afterAll(async () => {
  await con.close();
  await server.close();
});

test('values are lossless by default: bigint, exact decimals, Dates, bytes, dictionary text, nested values', async () => {
  const cur = con.cursor();
  await cur.execute('SELECT * FROM kinds ORDER BY id');
  const [row1, row2] = (await cur.fetchall()) as unknown[][];
  expect(row1).toEqual([
    1,
    9007199254740993n,
    '12345.678',
    0.5,
    'one',
    true,
    new Date('2024-02-29T00:00:00Z'),
    new Date('2024-01-02T03:04:05.123Z'),
    new Date('2024-01-02T03:04:05.123Z'),
    '13:45:30.500000',
    new Uint8Array([1, 2]),
    'loud',
    ['a', 'b'],
    { x: 1, y: 2 },
    { k: 7 },
  ]);
  expect(row2!.slice(1).filter((v) => v !== 'two')).toEqual(Array(13).fill(null));
});

test('rowMode object and nanosecond-exact timestamps as bigint or text', async () => {
  const cur = con.cursor({ rowMode: 'object', timestamps: 'string' });
  await cur.execute('SELECT id, ts, ts_ns FROM kinds WHERE id = 1');
  expect(await cur.fetchone()).toEqual({
    id: 1,
    ts: '2024-01-02T03:04:05.123456Z',
    ts_ns: '2024-01-02T03:04:05.123456789Z',
  });
  const exact = con.cursor({ timestamps: 'bigint', int64: 'number', decimals: 'number' });
  await exact.execute('SELECT ts_ns, big, amount FROM kinds WHERE id = 1');
  expect(await exact.fetchone()).toEqual([1704164645123456789n, 9007199254740992, 12345.678]);
});

test('description: type codes match the type objects; precision, scale, sizes and null_ok', async () => {
  const cur = con.cursor();
  await cur.execute('SELECT id, big, amount, label, day, ts, bytes, mood FROM kinds');
  const d = cur.description!;
  expect(d.map((c) => c[0])).toEqual(['id', 'big', 'amount', 'label', 'day', 'ts', 'bytes', 'mood']);
  expect(
    [NUMBER, NUMBER, NUMBER, STRING, DATETIME, DATETIME, BINARY, STRING].map((t, i) => t.equals(d[i]![1])),
  ).toEqual(Array(8).fill(true));
  expect(d[0]![3]).toBe(4);
  expect(d[2]!.slice(4, 6)).toEqual([12, 3]);
});

test('updates and DDL go through the update path; queries and RETURNING through the query path', async () => {
  const cur = con.cursor();
  const update = jest.spyOn(con.client, 'executeUpdate');
  const query = jest.spyOn(con.client, 'execute');
  try {
    await cur.execute('CREATE TABLE paths (id INTEGER, v VARCHAR)');
    await cur.execute("INSERT INTO paths VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    expect(cur.rowcount).toBe(3);
    expect(cur.description).toBeNull();
    await cur.execute("UPDATE paths SET v = 'z' WHERE id >= 2");
    expect(cur.rowcount).toBe(2);
    expect(update).toHaveBeenCalledTimes(3);
    expect(query).not.toHaveBeenCalled();
    await cur.execute("INSERT INTO paths VALUES (4, 'd') RETURNING id * 10 AS tenfold");
    expect(await cur.fetchall()).toEqual([[40]]);
    expect(query).toHaveBeenCalledTimes(1);
    await cur.execute('DELETE FROM paths WHERE id = 99');
    expect(cur.rowcount).toBe(0);
  } finally {
    update.mockRestore();
    query.mockRestore();
  }
});

test('rowcount is -1 until known, then the row count, and never shrinks while rows are fetched', async () => {
  const cur = con.cursor();
  await cur.execute('SELECT * FROM range(5000)');
  expect(cur.rowcount).toBe(-1);
  await cur.fetchone();
  expect(cur.rowcount).toBe(-1);
  expect((await cur.fetchall()).length).toBe(4999);
  expect(cur.rowcount).toBe(5000);
  expect(cur.rownumber).toBe(5000);
  expect(await cur.fetchone()).toBeNull();
  expect(cur.rowcount).toBe(5000);
});

test('parameters: a prepared statement, reused while the SQL stays the same', async () => {
  const cur = con.cursor();
  const prepare = jest.spyOn(con.client, 'prepare');
  try {
    for (const id of [1, 2]) {
      await cur.execute('SELECT label FROM kinds WHERE id = ?', [id]);
      expect(await cur.fetchall()).toEqual([[id === 1 ? 'one' : 'two']]);
    }
    expect(prepare).toHaveBeenCalledTimes(1);
  } finally {
    prepare.mockRestore();
  }
});

test('constructors bind as DATE, TIME, TIMESTAMP and BLOB, typed columns or open ones', async () => {
  const cur = con.cursor();
  await cur.execute('CREATE TABLE typed (day DATE, tod TIME, ts TIMESTAMP, bytes BLOB)');
  const values = [
    SqlDateOf(2001, 2, 3),
    Time(4, 5, 6, 789_000),
    Timestamp(2001, 2, 3, 4, 5, 6, 7),
    Binary('hi'),
  ];
  await cur.execute('INSERT INTO typed VALUES (?, ?, ?, ?)', values);
  await cur.execute('SELECT * FROM typed');
  expect(await cur.fetchone()).toEqual([
    new Date('2001-02-03T00:00:00Z'),
    '04:05:06.000789',
    new Date('2001-02-03T04:05:06.007Z'),
    new Uint8Array([104, 105]),
  ]);
  await cur.execute('SELECT ? AS day, ? AS tod, ? AS ts, ? AS bytes, ? AS n, ? AS big', [
    ...values,
    1.5,
    2n ** 62n,
  ]);
  expect(cur.description!.map((c) => String(c[1]))).toEqual([
    'Date32<DAY>',
    'Time64<MICROSECOND>',
    'Timestamp<MICROSECOND>',
    'Binary',
    'Float64',
    'Int64',
  ]);
  expect(await cur.fetchone()).toEqual([
    new Date('2001-02-03T00:00:00Z'),
    '04:05:06.000789',
    new Date('2001-02-03T04:05:06.007Z'),
    new Uint8Array([104, 105]),
    1.5,
    2n ** 62n,
  ]);
});

test('a parameter the column type cannot hold is a DataError, never a silently changed value', async () => {
  const cur = con.cursor();
  for (const bad of ['abc', 1.5, 2 ** 40, true]) {
    await expect(
      cur.execute('INSERT INTO kinds (id, label) VALUES (?, ?)', [bad, 'x']),
    ).rejects.toBeInstanceOf(DataError);
  }
  await expect(
    cur.execute('UPDATE kinds SET day = ? WHERE id = 0', [new Date('2020-01-01T12:00:00Z')]),
  ).rejects.toThrow(/time of day/);
  await expect(
    cur.execute('UPDATE kinds SET ts_ns = ? WHERE id = 0', ['2020-01-01T00:00:00.123456789Z']),
  ).resolves.toBe(cur);
  await cur.execute('SELECT count(*) FROM kinds');
  expect(await cur.fetchone()).toEqual([2n]);
});

test('executemany sends every parameter row in one DoPut and reports the total', async () => {
  const cur = con.cursor();
  await cur.execute('CREATE TABLE many (id INTEGER, name VARCHAR)');
  const put = jest.spyOn(con.client.flight, 'doPut');
  try {
    const rows = Array.from({ length: 1000 }, (_, i) => [i, `n${i}`]);
    await cur.executemany('INSERT INTO many VALUES (?, ?)', rows);
    expect(cur.rowcount).toBe(1000);
    expect(put).toHaveBeenCalledTimes(1);
  } finally {
    put.mockRestore();
  }
  await cur.execute('SELECT count(*), sum(id) FROM many');
  expect(await cur.fetchone()).toEqual([1000n, '499500']); // sum() is HUGEINT: an exact decimal string
  await expect(cur.executemany('SELECT ?', [[1], [2]])).rejects.toBeInstanceOf(ProgrammingError);
  await cur.executemany('INSERT INTO many VALUES (?, ?)', []);
  expect(cur.rowcount).toBe(0);
});

test('Arrow-native fetches: the rest of a partly read result, as a Table or as streamed batches', async () => {
  const cur = con.cursor();
  await cur.execute('SELECT range AS i FROM range(100000)');
  expect(await cur.fetchone()).toEqual([0n]);
  expect(await cur.fetchmany(9)).toHaveLength(9);
  const table = await cur.fetchArrowTable();
  expect(table.numRows).toBe(99_990);
  expect(table.getChild('i')!.get(0)).toBe(10n);
  expect(await cur.fetchone()).toBeNull();

  await cur.execute('SELECT range AS i FROM range(100000)');
  let rows = 0;
  let batches = 0;
  for await (const batch of cur.fetchRecordBatches()) {
    rows += batch.numRows;
    batches++;
  }
  expect(rows).toBe(100_000);
  expect(batches).toBeGreaterThan(0);
  await cur.execute('SELECT 1 WHERE false');
  expect((await cur.fetchArrowTable()).numRows).toBe(0);
});

test('async iteration, and concurrent calls on one cursor run in order', async () => {
  const cur = con.cursor({ arraysize: 2 });
  await cur.execute('SELECT range AS i FROM range(5)');
  const firstThree = await Promise.all([cur.fetchone(), cur.fetchone(), cur.fetchone()]);
  expect(firstThree).toEqual([[0n], [1n], [2n]]);
  const rest = [];
  for await (const row of cur) rest.push(row);
  expect(rest).toEqual([[3n], [4n]]);
});

test('errors surface from execute(), even those the server raises only when it runs the query', async () => {
  const cur = con.cursor();
  await expect(cur.execute("SELECT CAST('abc' AS INTEGER)")).rejects.toBeInstanceOf(DataError);
  // The cursor is usable afterwards.
  await cur.execute('SELECT 42');
  expect(await cur.fetchone()).toEqual([42]);
});

test('several endpoints and locations are all read', async () => {
  const split = await startServer({ partitions: 3, secondLocation: true });
  try {
    await using c = await connect(split.location);
    const execute = jest.spyOn(c.client, 'execute');
    const cur = c.cursor();
    await cur.execute('SELECT range AS i FROM range(1000) ORDER BY i');
    const info = await execute.mock.results[0]!.value;
    expect(info.endpoints).toHaveLength(3);
    expect(info.endpoints[1].locations[0].uri).not.toBe(split.location);
    const rows = (await cur.fetchall()) as bigint[][];
    expect(rows.map((r) => Number(r[0]))).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(cur.rowcount).toBe(1000);
  } finally {
    await split.close();
  }
});

test('INFLUX_HOST and INFLUX_TOKEN are the defaults of connect()', async () => {
  const guarded = await startServer({ token: 'env-token-5678' });
  const saved = { host: process.env['INFLUX_HOST'], token: process.env['INFLUX_TOKEN'] };
  process.env['INFLUX_HOST'] = guarded.location;
  process.env['INFLUX_TOKEN'] = 'env-token-5678';
  try {
    await using c = await connect();
    const cur = c.cursor();
    await cur.execute('SELECT 1 AS one');
    expect(await cur.fetchall()).toEqual([[1]]);
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[`INFLUX_${key.toUpperCase()}`];
      else process.env[`INFLUX_${key.toUpperCase()}`] = value;
    }
    await guarded.close();
  }
});

test('a flightsql:// URL with user and password authenticates through the Handshake', async () => {
  const basic = await startServer({ username: 'ann', password: 'pa ss:w@rd' });
  try {
    const setup = await basic.engine.connect();
    await setup.run('CREATE SCHEMA db1');
    setup.closeSync();
    const url = `flightsql://ann:${encodeURIComponent('pa ss:w@rd')}@127.0.0.1:${basic.port}/?useEncryption=false&database=db1`;
    await using c = await connect(url);
    const cur = c.cursor();
    await cur.execute('SELECT 7');
    expect(await cur.fetchone()).toEqual([7]);
  } finally {
    await basic.close();
  }
});
