/**
 * Exact values in (issue 15, item 2): parameters and ingest keep every value that reaches the
 * embedded server, through the real client. Values are read back both as Arrow (timestamps as
 * exact bigint nanoseconds) and as DuckDB's own text, so that nothing is compared after a
 * lossy conversion on either side.
 */
import fc from 'fast-check';
import {
  Binary,
  Bool,
  DateMillisecond,
  DurationMicrosecond,
  FixedSizeBinary,
  Float16,
  IntervalDayTime,
  IntervalMonthDayNano,
  IntervalYearMonth,
  LargeBinary,
  LargeList,
  TimeMillisecond,
  TimeNanosecond,
  TimeSecond,
  Utf8View,
  DateDay,
  Decimal,
  Dictionary,
  Field,
  FixedSizeList,
  Float64,
  Int32,
  Int64,
  Int8,
  LargeUtf8,
  List,
  Map_,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimeMicrosecond,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  TimestampSecond,
  Uint64,
  Utf8,
  makeData,
  makeVector,
  vectorFromArray,
  type DataType,
} from 'apache-arrow';
import { ProgrammingError, RowConverter } from '../../../src';
import { InfluxDBClient3 } from '../../../src/influx';
import { packCommand } from '../../../src/sql/commands';
import { queryTable, useServer } from '../fixture';

const fx = useServer();

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  const table = await queryTable(fx.client, sql);
  const converter = new RowConverter(table.schema, { rowMode: 'object', timestamps: 'bigint' });
  return table.batches.flatMap((b) => converter.rows(b) as Record<string, unknown>[]);
}

/** A one-column batch of `type` whose values are the raw little-endian `values` (and nulls). */
function int64Column(type: DataType, values: readonly (bigint | null)[]): RecordBatch {
  const data = new BigInt64Array(values.map((v) => v ?? 0n));
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v !== null) nullBitmap[i >> 3]! |= 1 << (i & 7);
  });
  const nullCount = values.filter((v) => v === null).length;
  const column = makeData({ type, length: values.length, nullCount, nullBitmap, data } as never);
  return new RecordBatch(
    new Schema([new Field('v', type, true)]),
    makeData({
      type: new Struct([new Field('v', type, true)]),
      length: values.length,
      nullCount: 0,
      children: [column],
    }),
  );
}

/** A JSON ticket (InfluxDB's), with named parameters, run by DoGet. */
async function jsonQuery(sql: string, params: Record<string, unknown>): Promise<Table> {
  const ticket = Buffer.from(JSON.stringify({ sql_query: sql, query_type: 'sql', params }));
  return (await fx.client.doGet({ ticket })).readAll();
}

const NS = 1704164645123456789n;

describe('prepared statements bind exact values', () => {
  beforeAll(async () => {
    await fx.exec(`CREATE TABLE pts (ts TIMESTAMP_NS, d DECIMAL(38, 10), l INTEGER[], s STRUCT(a INTEGER, b VARCHAR),
      m MAP(VARCHAR, INTEGER), u UBIGINT)`);
  });

  test('a nanosecond timestamp (negative too) is bound at its unit', async () => {
    await using stmt = await fx.client.prepare('INSERT INTO pts (ts) VALUES (?)');
    expect(await stmt.executeUpdate([[NS], [-1n], [-NS]])).toBe(3);
    expect(await rows('SELECT epoch_ns(ts) AS n, ts FROM pts ORDER BY ts')).toEqual([
      { n: -NS, ts: -NS },
      { n: -1n, ts: -1n },
      { n: NS, ts: NS },
    ]);
  });

  test('decimals, lists, structs, maps and UBIGINT extremes', async () => {
    await fx.exec('DELETE FROM pts');
    await using stmt = await fx.client.prepare('INSERT INTO pts (d, l, s, m, u) VALUES (?, ?, ?, ?, ?)');
    const d = '1234567890123456789012345678.0123456789';
    expect(
      await stmt.executeUpdate([[d, [1, 2, null], { a: 7, b: 'x' }, new Map([['k', 1]]), 2n ** 64n - 1n]]),
    ).toBe(1);
    expect(
      await rows('SELECT d::VARCHAR AS d, l::VARCHAR AS l, s::VARCHAR AS s, m::VARCHAR AS m, u FROM pts'),
    ).toEqual([{ d, l: '[1, 2, NULL]', s: "{'a': 7, 'b': x}", m: '{k=1}', u: 2n ** 64n - 1n }]);
  });

  test('a LIST or STRUCT parameter of a query', async () => {
    await using stmt = await fx.client.prepare(
      'SELECT list_sum(?::INTEGER[])::BIGINT AS n, (?::STRUCT(a INTEGER)).a AS a',
    );
    const info = await stmt.execute([[1, 2, 3], { a: 5 }]);
    const table = await (await fx.client.doGet(info.endpoints[0]!.ticket)).readAll();
    expect(table.getChild('n')!.get(0)).toBe(6n);
    expect(table.getChild('a')!.get(0)).toBe(5);
  });

  test('SELECT ? without a value is a clear INVALID_ARGUMENT', async () => {
    await using stmt = await fx.client.prepare('SELECT ? AS x');
    const err = await (async () => {
      const info = await stmt.execute();
      return (await fx.client.doGet(info.endpoints[0]!.ticket)).readAll();
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProgrammingError);
    expect(String(err)).toMatch(/takes 1 parameter|parameter/);
    expect(String(err)).not.toMatch(/type id/);
    const direct = await fx.client.execute('SELECT ? AS x').catch((e: unknown) => e);
    expect(direct).toBeInstanceOf(ProgrammingError);
    expect(String(direct)).not.toMatch(/type id/);
  });

  test('an array parameter where the statement takes a scalar names the parameter and the types', async () => {
    await fx.exec('CREATE TABLE ints (v INTEGER)');
    const list = new List(new Field('item', new Int32(), true));
    const batch = new Table({ p: vectorFromArray([[1, 2]], list) }).batches[0]!;
    for (const sql of ['INSERT INTO ints VALUES (?)', 'SELECT ?::INTEGER + 1 AS x']) {
      await using stmt = await fx.client.prepare(sql);
      // Sent as it is: our client would refuse it already (DataError), other clients may not.
      const handle = Buffer.from(stmt.handle);
      const cmd = packCommand('CommandPreparedStatementUpdate', { preparedStatementHandle: handle });
      const err = await fx.client.flight
        .doPut({ type: 'cmd', cmd }, [batch], { schema: batch.schema })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProgrammingError);
      expect(String(err)).toMatch(
        /parameter 1: a INTEGER\[\] value cannot be bound where the statement takes INTEGER/,
      );
    }
  });
});

describe('JSON ticket parameters bind as the same literal would', () => {
  beforeAll(async () => {
    await fx.exec(`CREATE TABLE air (room VARCHAR, temp DOUBLE, co BIGINT, ok BOOLEAN);
      INSERT INTO air VALUES ('kitchen', 22.5, 3, true), ('hall', 19.0, 1, false), ('attic', NULL, NULL, NULL)`);
  });

  test.each([
    ['temp > $t', { t: 20 }, ['kitchen']],
    ['co > $c', { c: 2.5 }, ['kitchen']],
    ['co > $c', { c: 1 }, ['kitchen']],
    ['temp < $t', { t: 19.5 }, ['hall']],
    ['room = $r', { r: 'hall' }, ['hall']],
    ['ok = $b', { b: false }, ['hall']],
    ['temp > $t', { t: '20' }, ['kitchen']],
    ['co IS NOT DISTINCT FROM $n', { n: null }, ['attic']],
    ['co < $big', { big: 3000000000 }, ['hall', 'kitchen']],
  ])('WHERE %s with %j', async (where, params, expected) => {
    const table = await jsonQuery(`SELECT room FROM air WHERE ${where} ORDER BY room`, params);
    expect(table.toArray().map((r: { room: string }) => r.room)).toEqual(expected);
  });

  test('the literal types: integers, decimals, doubles', async () => {
    const table = await jsonQuery(
      'SELECT typeof($a) AS a, typeof($b) AS b, typeof($c) AS c, typeof($d) AS d',
      {
        a: 20,
        b: 2.5,
        c: 3000000000,
        d: 1e21,
      },
    );
    expect(table.toArray()[0].toJSON()).toEqual({
      a: 'INTEGER',
      b: 'DECIMAL(2,1)',
      c: 'BIGINT',
      d: 'DOUBLE',
    });
  });

  test('numbers are bound as written, beyond what a double holds', async () => {
    // Written by hand: JSON.stringify cannot write these, and JSON.parse would round them.
    const text =
      '{"sql_query": "SELECT ($a)::VARCHAR AS a, ($b)::VARCHAR AS b, typeof($b) AS t, ($c)::VARCHAR AS c", ' +
      '"query_type": "sql", "params": {"a": 12345678901234567891, "b": 0.1000000000000000055511151231257827, ' +
      '"c": -170141183460469231731687303715884105728}}';
    const table = await (await fx.client.doGet({ ticket: Buffer.from(text) })).readAll();
    expect(table.toArray()[0].toJSON()).toEqual({
      a: '12345678901234567891',
      b: '0.1000000000000000055511151231257827',
      t: 'DECIMAL(35,34)',
      c: '-170141183460469231731687303715884105728',
    });
  });

  test('InfluxDBClient3 sends bigint params as JSON numbers with every digit', async () => {
    const influx = new InfluxDBClient3({ host: fx.server.httpUrl, database: 'main' });
    try {
      const table = await influx.query('SELECT ($b)::VARCHAR AS b, typeof($b) AS t, $s AS s', {
        params: { b: 12345678901234567891n, s: '\u0000x:1' },
      });
      expect(table.toArray()[0].toJSON()).toEqual({
        b: '12345678901234567891',
        t: 'HUGEINT',
        s: '\u0000x:1',
      });
    } finally {
      await influx.close();
    }
  });

  test('a string that looks like the internal number mark stays a string', async () => {
    const table = await jsonQuery('SELECT $s AS s', { s: '\u0000abc:12' });
    expect(table.toArray()[0].toJSON()).toEqual({ s: '\u0000abc:12' });
  });

  test('an array value is refused, naming the parameter', async () => {
    const err = await jsonQuery('SELECT $a AS a', { a: [1, 2] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProgrammingError);
    expect(String(err)).toMatch(/parameter \$a: an array/);
  });
});

describe('ingest keeps every value', () => {
  test('nanosecond timestamps, negative ones too', async () => {
    const batch = int64Column(new TimestampNanosecond(), [NS, -1n, null, -NS]);
    expect(await fx.client.executeIngest([batch], { table: 'ts_ns' })).toBe(4);
    expect(await rows('SELECT v, epoch_ns(v) AS n FROM ts_ns')).toEqual([
      { v: NS, n: NS },
      { v: -1n, n: -1n },
      { v: null, n: null },
      { v: -NS, n: -NS },
    ]);
  });

  test('timestamps of every unit, with and without a time zone', async () => {
    const cases: [DataType, bigint[], string][] = [
      [new TimestampSecond(), [1704164645n, -1n], 'TIMESTAMP_S'],
      [new TimestampMillisecond(), [1704164645123n, -1n], 'TIMESTAMP_MS'],
      [new TimestampMicrosecond(), [1704164645123456n, -1n], 'TIMESTAMP'],
      [new TimestampNanosecond(), [NS, -1n], 'TIMESTAMP_NS'],
      [new TimestampSecond('UTC'), [1704164645n, -1n], 'TIMESTAMP WITH TIME ZONE'],
      [new TimestampMillisecond('UTC'), [1704164645123n, -1n], 'TIMESTAMP WITH TIME ZONE'],
      [new TimestampMicrosecond('+01:00'), [1704164645123456n, -1n], 'TIMESTAMP WITH TIME ZONE'],
      [new TimestampNanosecond('UTC'), [NS, -1n], 'TIMESTAMP_NS'],
    ];
    for (const [i, [type, values, duckType]] of cases.entries()) {
      await fx.client.executeIngest([int64Column(type, values)], { table: `ts_unit_${i}` });
      const perUnit = [1_000_000_000n, 1_000_000n, 1000n, 1n][(type as TimestampSecond).unit]!;
      const back = await rows(`SELECT epoch_ns(v) AS n, typeof(v) AS t FROM ts_unit_${i}`);
      expect(back).toEqual(values.map((v) => ({ n: v * perUnit, t: duckType })));
    }
  });

  test('integers at their extremes, floats, decimals, text, binary, dates, times, dictionaries', async () => {
    const dict = new Dictionary(new Utf8(), new Int8());
    const table = new Table({
      i8: vectorFromArray([-128, 127, null], new Int8()),
      i64: vectorFromArray([-(2n ** 63n), 2n ** 63n - 1n, null], new Int64()),
      u64: vectorFromArray([0n, 2n ** 64n - 1n, null], new Uint64()),
      f: vectorFromArray([0.1, -1e308, null], new Float64()),
      s: vectorFromArray(['a', 'ünïcode', null], new Utf8()),
      ls: vectorFromArray(['x', '', null], new LargeUtf8()),
      b: vectorFromArray([new Uint8Array([0, 255]), new Uint8Array(0), null], new Binary()),
      d: vectorFromArray(
        [new Date(Date.UTC(2024, 0, 2)), new Date(Date.UTC(1960, 5, 1)), null],
        new DateDay(),
      ),
      t: makeVector(
        makeData({
          type: new TimeMicrosecond(),
          length: 3,
          nullCount: 0,
          data: new BigInt64Array([0n, 86_399_999_999n, 1n]),
        }),
      ),
      bool: vectorFromArray([true, false, null], new Bool()),
      tag: vectorFromArray(['east', 'west', null], dict),
    });
    expect(await fx.client.executeIngest(table, { table: 'scalars' })).toBe(3);
    expect(
      await rows(
        'SELECT i8, i64, u64, f, s, ls, b, d::VARCHAR AS d, t::VARCHAR AS t, bool, tag FROM scalars',
      ),
    ).toEqual([
      {
        i8: -128,
        i64: -(2n ** 63n),
        u64: 0n,
        f: 0.1,
        s: 'a',
        ls: 'x',
        b: new Uint8Array([0, 255]),
        d: '2024-01-02',
        t: '00:00:00',
        bool: true,
        tag: 'east',
      },
      {
        i8: 127,
        i64: 2n ** 63n - 1n,
        u64: 2n ** 64n - 1n,
        f: -1e308,
        s: 'ünïcode',
        ls: '',
        b: new Uint8Array(0),
        d: '1960-06-01',
        t: '23:59:59.999999',
        bool: false,
        tag: 'west',
      },
      {
        i8: null,
        i64: null,
        u64: null,
        f: null,
        s: null,
        ls: null,
        b: null,
        d: null,
        t: '00:00:00.000001',
        bool: null,
        tag: null,
      },
    ]);
  });

  test('times, Date64, intervals, durations, half floats, fixed and large binaries, views', async () => {
    const raw = (type: DataType, data: ArrayBufferView, length: number) =>
      makeVector(makeData({ type, length, nullCount: 0, data } as never));
    const table = new Table({
      t_s: raw(new TimeSecond(), new Int32Array([0, 86_399]), 2),
      t_ms: raw(new TimeMillisecond(), new Int32Array([1, 86_399_999]), 2),
      t_ns: raw(new TimeNanosecond(), new BigInt64Array([1n, 86_399_999_999_999n]), 2),
      d64: raw(new DateMillisecond(), new BigInt64Array([86_400_000n * 19_724n, -86_400_000n]), 2),
      i_ym: raw(new IntervalYearMonth(), new Int32Array([14, -1]), 2),
      i_dt: raw(new IntervalDayTime(), new Int32Array([3, 1500, -1, -1]), 2),
      i_mdn: raw(new IntervalMonthDayNano(), new Int32Array([1, 2, 3000, 0, 0, 0, -1000, -1]), 2),
      dur: raw(new DurationMicrosecond(), new BigInt64Array([90_000_000n, -1n]), 2),
      f16: raw(new Float16(), new Uint16Array([0x3c00, 0xc000]), 2),
      fsb: raw(new FixedSizeBinary(2), new Uint8Array([1, 2, 3, 4]), 2),
      lb: vectorFromArray([new Uint8Array([9]), null], new LargeBinary()),
      view: vectorFromArray(['short', 'a string longer than twelve bytes'], new Utf8View()),
      ll: vectorFromArray([[1], [2, 3]], new LargeList(new Field('item', new Int32(), true))),
    });
    expect(await fx.client.executeIngest(table, { table: 'others' })).toBe(2);
    const columns = table.schema.fields.map((f) => `${f.name}::VARCHAR AS ${f.name}`).join(', ');
    expect(await rows(`SELECT ${columns} FROM others`)).toEqual([
      {
        t_s: '00:00:00',
        t_ms: '00:00:00.001',
        t_ns: '00:00:00.000000001',
        d64: '2024-01-02',
        i_ym: '1 year 2 months',
        i_dt: '3 days 00:00:01.5',
        i_mdn: '1 month 2 days 00:00:00.000003',
        dur: '00:01:30',
        f16: '1.0',
        fsb: '\\x01\\x02',
        lb: '\\x09',
        view: 'short',
        ll: '[1]',
      },
      {
        t_s: '23:59:59',
        t_ms: '23:59:59.999',
        t_ns: '23:59:59.999999999',
        d64: '1969-12-31',
        i_ym: '-1 month',
        i_dt: '-1 day -00:00:00.001',
        i_mdn: '-00:00:00.000001',
        dur: '-00:00:00.000001',
        f16: '-2.0',
        fsb: '\\x03\\x04',
        lb: null,
        view: 'a string longer than twelve bytes',
        ll: '[2, 3]',
      },
    ]);
  });

  test('an interval below a microsecond is refused, not rounded', async () => {
    const type = new IntervalMonthDayNano();
    const data = new Int32Array([0, 0, 1500, 0]);
    const table = new Table({ v: makeVector(makeData({ type, length: 1, nullCount: 0, data })) });
    await expect(fx.client.executeIngest(table, { table: 'sub_micro' })).rejects.toThrow(
      /whole microseconds/,
    );
  });

  test('decimal128 and decimal256 up to 38 digits', async () => {
    const d128 = new Decimal(10, 38, 128);
    const d256 = new Decimal(2, 20, 256);
    const big = 10n ** 38n - 1n; // 38 nines
    const words = (v: bigint, n: number) => {
      const out = new Uint32Array(n);
      for (let k = 0; k < n; k++) out[k] = Number(BigInt.asUintN(32, v >> BigInt(32 * k)));
      return out;
    };
    const col = (type: Decimal, values: bigint[], n: number) => {
      const data = new Uint32Array(values.length * n);
      values.forEach((v, i) => data.set(words(v, n), i * n));
      return makeVector(makeData({ type, length: values.length, nullCount: 0, data }));
    };
    const table = new Table({
      a: col(d128, [big, -big, 5n], 4),
      b: col(d256, [-12345n, 10n ** 20n - 1n, 0n], 8),
    });
    await fx.client.executeIngest(table, { table: 'decimals' });
    expect(
      await rows('SELECT a::VARCHAR AS a, b::VARCHAR AS b, typeof(a) AS ta, typeof(b) AS tb FROM decimals'),
    ).toEqual([
      {
        a: '9999999999999999999999999999.9999999999',
        b: '-123.45',
        ta: 'DECIMAL(38,10)',
        tb: 'DECIMAL(20,2)',
      },
      {
        a: '-9999999999999999999999999999.9999999999',
        b: '999999999999999999.99',
        ta: 'DECIMAL(38,10)',
        tb: 'DECIMAL(20,2)',
      },
      { a: '0.0000000005', b: '0.00', ta: 'DECIMAL(38,10)', tb: 'DECIMAL(20,2)' },
    ]);
  });

  test('lists, fixed-size lists, structs and maps, with nulls at every level', async () => {
    const item = new Field('item', new Int32(), true);
    const struct = new Struct([new Field('a', new Int32(), true), new Field('b', new Utf8(), true)]);
    const map = new Map_<Utf8, Int32>(
      new Field(
        'entries',
        new Struct<{ key: Utf8; value: Int32 }>([
          new Field('key', new Utf8(), false),
          new Field('value', new Int32(), true),
        ]),
        false,
      ),
    );
    const table = new Table({
      l: vectorFromArray([[1, null, 3], [], null], new List(item)),
      fl: vectorFromArray([[1, 2], [null, 4], null], new FixedSizeList(2, item)),
      s: vectorFromArray([{ a: 1, b: 'x' }, { a: null, b: null }, null], struct),
      m: vectorFromArray(
        [
          new Map([
            ['k', 1],
            ['z', null],
          ]),
          new Map(),
          null,
        ],
        map,
      ),
      ll: vectorFromArray(
        [[['a'], []], [null], null],
        new List(new Field('item', new List(new Field('item', new Utf8(), true)), true)),
      ),
    });
    expect(await fx.client.executeIngest(table, { table: 'nested' })).toBe(3);
    expect(
      await rows(
        'SELECT l::VARCHAR AS l, fl::VARCHAR AS fl, s::VARCHAR AS s, m::VARCHAR AS m, ll::VARCHAR AS ll FROM nested',
      ),
    ).toEqual([
      { l: '[1, NULL, 3]', fl: '[1, 2]', s: "{'a': 1, 'b': x}", m: '{k=1, z=NULL}', ll: '[[a], []]' },
      { l: '[]', fl: '[NULL, 4]', s: "{'a': NULL, 'b': NULL}", m: '{}', ll: '[NULL]' },
      { l: null, fl: null, s: null, m: null, ll: null },
    ]);
  });

  test('a failed ingest leaves no table behind, and a failed replace keeps the old one', async () => {
    // 123456 does not fit DECIMAL(3, 0): refused after the table was created.
    const bad = makeVector(
      makeData({
        type: new Decimal(0, 3, 128),
        length: 1,
        nullCount: 0,
        data: new Uint32Array([123456, 0, 0, 0]),
      }),
    );
    await expect(fx.client.executeIngest(new Table({ v: bad }), { table: 'never' })).rejects.toThrow(
      /digits/,
    );
    expect(await rows("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'never'")).toEqual([
      { n: 0n },
    ]);
    await fx.client.executeIngest(new Table({ v: vectorFromArray([1], new Int32()) }), { table: 'kept' });
    await expect(
      fx.client.executeIngest(new Table({ v: bad }), { table: 'kept', mode: 'replace' }),
    ).rejects.toThrow();
    expect(await rows('SELECT v FROM kept')).toEqual([{ v: 1 }]);
  });

  test('appending to a table of other types and column order casts as INSERT does', async () => {
    await fx.exec("CREATE TABLE other (extra VARCHAR DEFAULT 'd', temp DOUBLE, ts TIMESTAMPTZ, n BIGINT)");
    const ts = int64Column(new TimestampNanosecond('UTC'), [NS]).getChild('v')!;
    const table = new Table({
      n: vectorFromArray([7], new Int32()),
      ts,
      temp: vectorFromArray([20], new Int32()),
    });
    expect(await fx.client.executeIngest(table, { table: 'other', mode: 'append' })).toBe(1);
    expect(await rows('SELECT extra, temp, epoch_us(ts) AS us, n FROM other')).toEqual([
      { extra: 'd', temp: 20, us: NS / 1000n, n: 7n },
    ]);
  });

  test('inside a client transaction, a failed ingest leaves none of its rows', async () => {
    await fx.exec('CREATE TABLE strict (v INTEGER NOT NULL)');
    const txn = await fx.client.beginTransaction();
    await expect(
      txn.executeIngest(new Table({ v: vectorFromArray([1, null], new Int32()) }), {
        table: 'strict',
        mode: 'append',
      }),
    ).rejects.toThrow(/NOT NULL/);
    await txn.rollback();
    expect(await rows('SELECT count(*) AS n FROM strict')).toEqual([{ n: 0n }]);
  });

  test('property: int64 and nanosecond timestamp columns round-trip exactly', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.option(fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }), { nil: null }), {
          maxLength: 3000,
        }),
        async (values) => {
          const name = `prop_${run++}`;
          const ts = int64Column(new TimestampNanosecond(), values).getChild('v')!;
          const ints = int64Column(new Int64(), values).getChild('v')!;
          await fx.client.executeIngest(new Table({ ts, ints }), {
            table: name,
            dataSchema: new Schema([
              new Field('ts', new TimestampNanosecond()),
              new Field('ints', new Int64()),
            ]),
          });
          const back = await rows(`SELECT epoch_ns(ts) AS ts, ints FROM ${name}`);
          expect(back).toEqual(values.map((v) => ({ ts: v, ints: v })));
        },
      ),
      { numRuns: 15 },
    );
  });
});
