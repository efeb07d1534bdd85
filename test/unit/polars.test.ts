/** Arrow <-> nodejs-polars: every type the issue names, what changes on the way, and what is refused. */
import {
  Binary,
  Bool,
  DateDay,
  Decimal,
  Dictionary,
  Field,
  Float16,
  Float64,
  Int32,
  Int64,
  IntervalDayTime,
  List,
  Map_,
  Null,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimeNanosecond,
  TimestampMicrosecond,
  TimestampNanosecond,
  TimestampSecond,
  Uint64,
  Utf8,
  makeData,
  makeVector,
  vectorFromArray,
  type DataType,
  type Vector,
} from 'apache-arrow';
import pl from 'nodejs-polars';
import {
  batchesToPolars,
  isPolarsDataFrame,
  loadPolars,
  polarsToTable,
  tableToPolars,
  toArrowTable,
  PolarsBuilder,
} from '../../src/dataframe';
import { InterfaceError, NotSupportedError, ProgrammingError } from '../../src/errors';

/** A vector of 64-bit values (bigint timestamps, int64, uint64) with nulls. */
function wide(type: DataType, values: readonly (bigint | null)[]): Vector {
  const n = values.length;
  const data = new BigInt64Array(n);
  const valid = new Uint8Array(Math.ceil(n / 8));
  values.forEach((v, i) => {
    if (v !== null) {
      data[i] = BigInt.asIntN(64, v);
      valid[i >> 3]! |= 1 << (i & 7);
    }
  });
  const nullCount = values.filter((v) => v === null).length;
  return makeVector(makeData({ type, length: n, nullCount, data, nullBitmap: valid } as never));
}

/** A decimal vector of `bits` width from unscaled bigints. */
function decimal(
  precision: number,
  scale: number,
  bits: 128 | 256,
  values: readonly (bigint | null)[],
): Vector {
  const stride = bits / 32;
  const data = new Uint32Array(values.length * stride);
  const valid = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v === null) return;
    let x = BigInt.asUintN(bits, v);
    for (let w = 0; w < stride; w++) {
      data[i * stride + w] = Number(x & 0xffffffffn);
      x >>= 32n;
    }
    valid[i >> 3]! |= 1 << (i & 7);
  });
  const type = new Decimal(scale, precision, bits);
  const nullCount = values.filter((v) => v === null).length;
  return makeVector(makeData({ type, length: values.length, nullCount, data, nullBitmap: valid }));
}

const WIDE = new Set(['Int64', 'Uint64', 'Timestamp', 'Time64']);

/**
 * Cells as comparable JSON (bigint and bytes spelled out, Arrow rows as objects); 64-bit
 * columns (timestamps included, whose getter gives rounded milliseconds) as their stored values.
 */
function cells(vector: Vector): string[] {
  if (WIDE.has(String(vector.type).replace(/<.*/, ''))) {
    return vector.data.flatMap((d) =>
      Array.from({ length: d.length }, (_, i) =>
        d.getValid(i) ? `${(d.values as BigInt64Array)[i]}n` : 'null',
      ),
    );
  }
  return [...vector].map((v) =>
    JSON.stringify(v, (_k, x: unknown) => {
      if (typeof x === 'bigint') return `${x}n`;
      if (x instanceof Uint8Array) return Array.from(x);
      if (x !== null && typeof x === 'object' && typeof (x as { toJSON?: unknown }).toJSON === 'function')
        return (x as { toJSON(): unknown }).toJSON();
      return x;
    }),
  );
}

const entries = new Field(
  'entries',
  new Struct([new Field('key', new Utf8(), false), new Field('value', new Int32(), true)]),
  false,
);

const columns: Record<string, Vector> = {
  int64: wide(new Int64(), [
    9_007_199_254_740_993n,
    null,
    -9_223_372_036_854_775_808n,
    9_223_372_036_854_775_807n,
  ]),
  uint64: wide(new Uint64(), [18_446_744_073_709_551_615n, 0n, null, 1n]),
  ts_ns_paris: wide(new TimestampNanosecond('Europe/Paris'), [1_700_000_000_123_456_789n, null, -1n, 0n]),
  ts_ns: wide(new TimestampNanosecond(), [1_700_000_000_123_456_789n, 1n, null, 0n]),
  ts_us_utc: wide(new TimestampMicrosecond('UTC'), [1_700_000_000_123_456n, null, 0n, -5n]),
  category: vectorFromArray(['cpu', 'mem', null, 'cpu'], new Dictionary(new Utf8(), new Int32())),
  dec38: decimal(38, 10, 128, [99_999_999_999_999_999_999_999_999_999_999_999_999n, null, -1n, 0n]),
  list: vectorFromArray([[1, 2], null, [], [3]], new List(new Field('item', new Int32(), true))),
  struct: vectorFromArray(
    [{ x: 1, y: 'a' }, null, { x: null, y: 'b' }, { x: 4, y: null }],
    new Struct([new Field('x', new Int32(), true), new Field('y', new Utf8(), true)]),
  ),
  nothing: vectorFromArray([null, null, null, null], new Null()),
  binary: vectorFromArray(
    [new Uint8Array([0, 255]), null, new Uint8Array([]), new Uint8Array([7])],
    new Binary(),
  ),
  bool: vectorFromArray([true, null, false, true], new Bool()),
  date32: vectorFromArray(
    [new Date(0), null, new Date(19_000 * 86_400_000), new Date(-86_400_000)],
    new DateDay(),
  ),
  time_ns: wide(new TimeNanosecond(), [1n, null, 86_399_999_999_999n, 0n]),
  float: vectorFromArray([1.5, Number.NaN, null, -0], new Float64()),
  text: vectorFromArray(['é', null, '', 'a "quoted" line\nbreak'], new Utf8()),
};

test('every type the issue names reaches polars and comes back with the same values', () => {
  const table = new Table(columns);
  const df = tableToPolars(table);
  expect(isPolarsDataFrame(df)).toBe(true);
  expect(df.height).toBe(4);
  expect(df.columns).toEqual(Object.keys(columns));
  // The dtypes polars reports (the binding cannot describe Binary: it is checked through Arrow below).
  const dtypes = Object.fromEntries(
    df.columns
      .filter((c) => c !== 'binary')
      .map((c) => [c, String(df.getColumn(c).dtype).replace(/^DataType\((.*)\)$/, '$1')]),
  );
  expect(dtypes).toEqual({
    int64: 'Int64',
    uint64: 'UInt64',
    ts_ns_paris: 'Datetime(ns,Europe/Paris)',
    ts_ns: 'Datetime(ns,)',
    ts_us_utc: 'Datetime(us,UTC)',
    category: 'Categorical',
    dec38: 'Decimal(38,10)',
    list: 'List(DataType(Int32))',
    struct: 'Struct(Field("x", DataType(Int32)),Field("y", DataType(String)))',
    nothing: 'Null',
    bool: 'Bool',
    date32: 'Date',
    time_ns: 'Time',
    float: 'Float64',
    text: 'String',
  });
  const back = polarsToTable(df);
  expect(back.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual([
    'int64:Int64',
    'uint64:Uint64',
    'ts_ns_paris:Timestamp<NANOSECOND, Europe/Paris>',
    'ts_ns:Timestamp<NANOSECOND>',
    'ts_us_utc:Timestamp<MICROSECOND, UTC>',
    'category:Dictionary<Uint32, LargeUtf8>',
    'dec38:Decimal[38e+10]',
    'list:LargeList<Int32>',
    'struct:Struct<{x:Int32, y:LargeUtf8}>',
    'nothing:Null',
    'binary:LargeBinary',
    'bool:Bool',
    'date32:Date32<DAY>',
    'time_ns:Time64<NANOSECOND>',
    'float:Float64',
    'text:LargeUtf8',
  ]);
  for (const name of Object.keys(columns)) {
    expect([name, cells(back.getChild(name)!)]).toEqual([name, cells(columns[name]!)]);
  }
  // polars' own categorical marker does not leak into the Arrow schema.
  expect([...back.schema.fields[5]!.metadata.keys()]).toEqual([]);
});

test('values are exact inside polars, not only after the round trip', () => {
  const df = tableToPolars(new Table({ int64: columns['int64']!, ts: columns['ts_ns_paris']! }));
  const asText = df.select(pl.col('int64').cast(pl.Utf8), pl.col('ts').cast(pl.Int64).cast(pl.Utf8));
  expect(asText.getColumn('int64').toArray()).toEqual([
    '9007199254740993',
    null,
    '-9223372036854775808',
    '9223372036854775807',
  ]);
  expect(asText.getColumn('ts').toArray()).toEqual(['1700000000123456789', null, '-1', '0']);
});

test('types polars would change or lose are converted first, without losing a value', () => {
  const map = new Map_(entries);
  const table = new Table({
    map: vectorFromArray([new Map([['a', 1]]), null, new Map<string, number>()], map),
    half: vectorFromArray([1.5, null, -65504], new Float16()),
    dec256: decimal(38, 2, 256, [-12_345n, null, 10n ** 37n]),
    zulu: wide(new TimestampNanosecond('Z'), [1n, null, 2n]),
    seconds: wide(new TimestampSecond(), [1_700_000_000n, null, -1n]),
  });
  const back = polarsToTable(tableToPolars(table));
  expect(back.schema.fields.map((f) => String(f.type))).toEqual([
    'LargeList<Struct<{key:LargeUtf8, value:Int32}>>',
    'Float32',
    'Decimal[38e+2]',
    'Timestamp<NANOSECOND, UTC>',
    'Timestamp<MILLISECOND>',
  ]);
  // A null map stays null (polars' own Map reading would make it an empty list).
  expect(cells(back.getChild('map')!)).toEqual(['[{"key":"a","value":1}]', 'null', '[]']);
  expect([...back.getChild('half')!]).toEqual([1.5, null, -65504]);
  expect(cells(back.getChild('dec256')!)).toEqual(cells(decimal(38, 2, 128, [-12_345n, null, 10n ** 37n])));
  expect(cells(back.getChild('zulu')!)).toEqual(['1n', 'null', '2n']);
  expect(cells(back.getChild('seconds')!)).toEqual(['1700000000000n', 'null', '-1000n']);
});

test.each<[string, Table, RegExp]>([
  [
    'interval',
    new Table({ i: vectorFromArray([new Int32Array([1, 2])], new IntervalDayTime()) }),
    /cannot hold Arrow Interval/,
  ],
  ['wide decimal', new Table({ d: decimal(50, 0, 256, [1n]) }), /decimals wider than 38 digits/],
  ['half-hour offset', new Table({ t: wide(new TimestampNanosecond('+05:30'), [1n]) }), /time zone \+05:30/],
  ['unknown zone', new Table({ t: wide(new TimestampNanosecond('Mars/Olympus'), [1n]) }), /"Mars\/Olympus"/],
])('refuses what polars cannot hold: %s', (_name, table, message) => {
  expect(() => tableToPolars(table)).toThrow(NotSupportedError);
  expect(() => tableToPolars(table)).toThrow(message);
});

test('refuses column names polars cannot take', () => {
  const twice = new Schema([new Field('a', new Int32()), new Field('a', new Int32())]);
  expect(() => tableToPolars(new Table(twice))).toThrow(ProgrammingError);
  expect(() => tableToPolars(new Table(twice))).toThrow('"a" appears twice');
  expect(() => tableToPolars(new Table({ '': vectorFromArray([1], new Int32()) }))).toThrow(
    'polars needs a name for every column',
  );
});

test('many batches in several IPC groups make one frame in order; no batch gives the schema', async () => {
  const schema = new Schema([new Field('i', new Int32(), true), new Field('s', new Utf8(), true)]);
  const batch = (k: number) =>
    new RecordBatch({
      i: vectorFromArray(
        Array.from({ length: 100 }, (_, j) => k * 100 + j),
        new Int32(),
      ).data[0]!,
      s: vectorFromArray(
        Array.from({ length: 100 }, (_, j) => `r${k * 100 + j}`),
        new Utf8(),
      ).data[0]!,
    });
  const builder = new PolarsBuilder(schema, { groupBytes: 1000 });
  for (let k = 0; k < 10; k++) builder.add(batch(k));
  const df = builder.finish();
  expect(df.nChunks()).toBeGreaterThan(1);
  expect(df.getColumn('i').toArray()).toEqual(Array.from({ length: 1000 }, (_, j) => j));
  expect(df.getColumn('s').toArray()[999]).toBe('r999');

  async function* none(): AsyncGenerator<RecordBatch> {}
  const empty = await batchesToPolars(none(), schema);
  expect(empty.shape).toEqual({ height: 0, width: 2 });
  expect(empty.columns).toEqual(['i', 's']);
  expect((await batchesToPolars([batch(3)])).getColumn('i').toArray()[0]).toBe(300);
});

test('a frame built in polars becomes an Arrow Table; a Table passes as it is', () => {
  const df = pl.DataFrame({ n: [1, 2], s: ['x', null] });
  const table = toArrowTable(df);
  expect(table.toArray().map((r) => r.toJSON())).toEqual([
    { n: 1, s: 'x' },
    { n: 2, s: null },
  ]);
  expect(toArrowTable(table)).toBe(table);
  expect(() => toArrowTable({} as never)).toThrow(InterfaceError);
  expect(isPolarsDataFrame({ writeIPCStream() {} })).toBe(false);
  expect(isPolarsDataFrame(df.lazy())).toBe(false);
  expect(loadPolars()).toBe(pl);
});
