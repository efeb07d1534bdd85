/**
 * DataFrames through every layer against the embedded server: readPolars() on both readers,
 * Cursor.fetchDataFrame(), InfluxDBClient3's polars mode, and a polars DataFrame as the data
 * of executeIngest, executemany and InfluxDBClient3.write. Values are compared exactly (int64
 * beyond 2^53, nanosecond timestamps with their zone, decimals, lists, structs, categoricals).
 */
import pl from 'nodejs-polars';
import { connect, type Connection } from '../../../src';
import { InfluxDBClient3 } from '../../../src/influx';
import { queryTable, useServer } from '../fixture';

// One port: Flight SQL and InfluxDB's HTTP writes at server.httpUrl alike.
const fx = useServer();

const SQL = `SELECT 9007199254740993::BIGINT AS big,
  TIMESTAMPTZ '2024-03-01 12:00:00.123456+00' AS tz,
  '2024-03-01 12:00:00.123456789'::TIMESTAMP_NS AS ns,
  12345678901234567890.123456789::DECIMAL(38,9) AS dec,
  [1, 2, NULL] AS list,
  {'a': 1, 'b': 'x'} AS st,
  'red'::ENUM('red', 'green') AS cat,
  NULL::INTEGER AS nothing`;

/**
 * An exact Int64 series. nodejs-polars 0.25.2 turns bigints given with dtype Int64 into nulls and
 * reads negative bigints without a dtype as UInt64 (-1n becomes 1n): digits are exact.
 */
function int64(name: string, digits: string[]): pl.Series {
  return pl.Series(name, digits).cast(pl.Int64, true);
}

/** Every cell of a frame as text, so that int64 and nanoseconds compare exactly. */
function cellsOf(df: pl.DataFrame): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const name of df.columns) {
    const column = df.getColumn(name);
    out[name] = column.dtype.equals(pl.Int64) ? column.cast(pl.Utf8).toArray() : column.toArray();
  }
  return out;
}

test('FlightInfoReader.readPolars and FlightStreamReader.readPolars: every column, types kept', async () => {
  const info = await fx.client.execute(SQL);
  const fromInfo = await fx.client.readFlightInfo(info).readPolars();
  const again = await fx.client.execute(SQL);
  const fromStream = await (await fx.client.doGet(again.endpoints[0]!.ticket)).readPolars();
  for (const df of [fromInfo, fromStream]) {
    expect(df.columns).toEqual(['big', 'tz', 'ns', 'dec', 'list', 'st', 'cat', 'nothing']);
    expect(df.getColumn('big').dtype).toEqual(pl.Int64);
    expect(df.getColumn('tz').dtype).toEqual(pl.Datetime('us', 'UTC'));
    expect(df.getColumn('ns').dtype).toMatchObject({ variant: 'Datetime', timeUnit: 'ns', timeZone: '' });
    expect(df.getColumn('cat').dtype).toEqual(pl.Categorical);
    const exact = df.select(
      pl.col('big').cast(pl.Utf8),
      pl.col('ns').cast(pl.Int64).cast(pl.Utf8).alias('ns'),
      pl.col('dec').cast(pl.Utf8),
    );
    expect(exact.row(0)).toEqual([
      '9007199254740993',
      '1709294400123456789',
      '12345678901234567890.123456789',
    ]);
    expect(df.getColumn('list').toArray()).toEqual([[1, 2, null]]);
    expect(df.getColumn('st').toArray()).toEqual([{ a: 1, b: 'x' }]);
    expect(df.getColumn('cat').toArray()).toEqual(['red']);
    expect(df.getColumn('nothing').toArray()).toEqual([null]);
  }
});

test('an empty result is a frame with the columns and no rows; many batches are one frame', async () => {
  const empty = await fx.client
    .readFlightInfo(await fx.client.execute('SELECT 1::BIGINT AS a, 2.5 AS b WHERE false'))
    .readPolars();
  expect(empty.shape).toEqual({ height: 0, width: 2 });
  expect(empty.columns).toEqual(['a', 'b']);
  const info = await fx.client.execute('SELECT range AS i, range::VARCHAR AS s FROM range(300000)');
  const df = await fx.client.readFlightInfo(info).readPolars();
  expect(df.height).toBe(300000);
  expect(df.getColumn('i').sum()).toBe((299999 * 300000) / 2);
  expect(df.getColumn('s').get(299999)).toBe('299999');
});

describe('PEP 249', () => {
  let con: Connection;
  beforeAll(async () => {
    con = await connect(fx.server.location);
  });
  afterAll(() => con.close());

  test('fetchDataFrame() returns the rows not yet fetched', async () => {
    const cur = con.cursor();
    await cur.execute('SELECT range AS i FROM range(10)');
    expect(await cur.fetchone()).toEqual([0n]);
    const df = await cur.fetchDataFrame();
    expect(df.getColumn('i').cast(pl.Utf8).toArray()).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
    await cur.execute('SELECT 1 AS a WHERE false');
    expect((await cur.fetchDataFrame()).columns).toEqual(['a']);
  });

  test('executemany(sql, DataFrame) binds column i to parameter i, every row in one call', async () => {
    const cur = con.cursor();
    await cur.execute('CREATE TABLE many (id BIGINT, name VARCHAR, t TIMESTAMP_NS)');
    const df = pl.DataFrame({
      id: int64('id', ['9007199254740993', '-1']),
      name: ['a', null],
      at: int64('at', ['1709294400123456789', '0']).cast(pl.Datetime('ns')),
    });
    await cur.executemany('INSERT INTO many VALUES (?, ?, ?)', df);
    expect(cur.rowcount).toBe(2);
    await cur.execute("SELECT id::VARCHAR, name, strftime(t, '%Y-%m-%d %H:%M:%S.%n') FROM many ORDER BY id");
    expect(await cur.fetchall()).toEqual([
      ['-1', null, '1970-01-01 00:00:00.000000000'],
      ['9007199254740993', 'a', '2024-03-01 12:00:00.123456789'],
    ]);
  });
});

test('executeIngest(DataFrame) creates the table with the frame types and every value', async () => {
  const df = pl.DataFrame({
    big: int64('big', ['9223372036854775807', '1']),
    x: [1.5, null],
    tag: pl.Series('tag', ['a', 'b']).cast(pl.Categorical),
  });
  expect(await fx.client.executeIngest(df, { table: 'ingested' })).toBe(2);
  const table = await queryTable(
    fx.client,
    'SELECT big::VARCHAR AS big, x, tag FROM ingested ORDER BY x NULLS LAST',
  );
  expect(table.toArray().map((r) => r.toJSON())).toEqual([
    { big: '9223372036854775807', x: 1.5, tag: 'a' },
    { big: '1', x: null, tag: 'b' },
  ]);
});

test('InfluxDBClient3: write(DataFrame, mapping) then query(sql, { mode: "polars" })', async () => {
  const client = new InfluxDBClient3({ host: fx.server.httpUrl!, database: 'frames' });
  try {
    const df = pl.DataFrame({
      room: ['kitchen', 'hall'],
      temp: [21.5, 19],
      count: int64('count', ['9007199254740993', '2']),
      note: ['left out', 'left out'],
      time: int64('time', ['1709294400123456789', '1709294400123456790']).cast(pl.Datetime('ns')),
    });
    await client.write(df, {
      measurement: 'air',
      tagColumns: ['room'],
      timestampColumn: 'time',
      fieldColumns: ['temp', 'count'],
    });
    const back = await client.query('SELECT room, temp, count, time FROM air ORDER BY time', {
      mode: 'polars',
    });
    expect(back.columns).toEqual(['room', 'temp', 'count', 'time']);
    expect(
      back.select(pl.col('count').cast(pl.Utf8), pl.col('time').cast(pl.Int64).cast(pl.Utf8)).rows(),
    ).toEqual([
      ['9007199254740993', '1709294400123456789'],
      ['2', '1709294400123456790'],
    ]);
    expect(cellsOf(back.select('room', 'temp'))).toEqual({ room: ['kitchen', 'hall'], temp: [21.5, 19] });
    const columns = await client.query('SELECT * FROM air LIMIT 0', { mode: 'schema' });
    expect(columns.fields.map((f) => f.name)).not.toContain('note');
    await expect(client.write(df, { measurement: 'air', tagColumns: ['rooms'] })).rejects.toThrow(
      'tagColumns: no column "rooms" in the data',
    );
  } finally {
    await client.close();
  }
});
