/**
 * Valid FlightData streams of every type the tests cover, as the bytes of each gRPC message,
 * for the decoder fuzz (fuzzDecode.test.ts, the gRPC fuzz and `npm run fuzz`).
 */
import {
  Binary,
  Bool,
  DateDay,
  DateMillisecond,
  Decimal,
  DenseUnion,
  Dictionary,
  DurationMicrosecond,
  Field,
  FixedSizeBinary,
  FixedSizeList,
  Float16,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  IntervalDayTime,
  IntervalYearMonth,
  LargeBinary,
  LargeList,
  LargeUtf8,
  List,
  Map_,
  Null,
  RecordBatch,
  Schema,
  SparseUnion,
  Struct,
  TimeMicrosecond,
  TimeMillisecond,
  TimestampMillisecond,
  TimestampNanosecond,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
  Utf8View,
  makeData,
  vectorFromArray,
  type Data,
  type DataType,
  type Vector,
} from 'apache-arrow';
import { FlightDataEncoder } from '../../../src/flight/encode';
import { encodeFlightData } from '../../../src/flight/flightData';

/** One valid stream: a name and the bytes of each FlightData message, schema first. */
export interface CorpusStream {
  readonly name: string;
  readonly messages: readonly Uint8Array[];
}

const ROWS = 6;

function column(values: unknown[], type: DataType): Data {
  return vectorFromArray(values, type).data[0]!;
}

function withNulls<T>(values: T[]): (T | null)[] {
  return values.map((v, i) => (i % 3 === 1 ? null : v));
}

function batchOf(schema: Schema, columns: Data[]): RecordBatch {
  const length = columns[0]?.length ?? 0;
  const batch = new RecordBatch(
    schema,
    makeData({ type: new Struct(schema.fields), length, nullCount: 0, children: columns }),
  );
  // apache-arrow merges fields of the same name into one type: keep the schema as built.
  (batch as { schema: Schema }).schema = schema;
  return batch;
}

/** A one-batch stream per group of columns, so that a mutation meets few columns at once. */
function group(name: string, columns: [string, DataType, unknown[]][], batches = 2): [string, RecordBatch[]] {
  const schema = new Schema(columns.map(([n, t]) => new Field(n, t, true)));
  const out: RecordBatch[] = [];
  for (let b = 0; b < batches; b++) {
    out.push(
      batchOf(
        schema,
        columns.map(([, t, values]) => column(b === 0 ? values : [...values].reverse(), t)),
      ),
    );
  }
  return [name, out];
}

const ints = (n: number) => Array.from({ length: ROWS }, (_, i) => (i - 2) * n);
const strings = ['', 'a', 'héllo ✓', 'row three', 'x'.repeat(20), '∑'];

function unions(): [string, RecordBatch[]] {
  const s = vectorFromArray(['a', 'bb', 'ccc'], new Utf8()).data[0]!;
  const n = vectorFromArray([1, 2, 3], new Int32()).data[0]!;
  const dense = new DenseUnion([0, 5], [new Field('s', new Utf8(), true), new Field('n', new Int32(), true)]);
  const denseData = makeData({
    type: dense,
    length: ROWS,
    nullCount: 0,
    typeIds: Int8Array.of(0, 5, 5, 0, 0, 5),
    valueOffsets: Int32Array.of(0, 0, 1, 1, 2, 2),
    children: [s, n],
  });
  const sparse = new SparseUnion(
    [1, 2],
    [new Field('n', new Int32(), true), new Field('b', new Bool(), true)],
  );
  const sparseData = makeData({
    type: sparse,
    length: ROWS,
    nullCount: 0,
    typeIds: Int8Array.of(1, 2, 1, 2, 2, 1),
    children: [
      column(ints(7), new Int32()),
      column(withNulls([true, false, true, true, false, false]), new Bool()),
    ],
  });
  const schema = new Schema([new Field('dense', dense, true), new Field('sparse', sparse, true)]);
  return ['unions', [batchOf(schema, [denseData, sparseData])]];
}

function dictionaries(): [string, RecordBatch[]] {
  const tag = new Dictionary(new Utf8(), new Int32(), 0);
  const small = new Dictionary(new Utf8(), new Int8(), 1);
  const schema = new Schema([new Field('tag', tag, true), new Field('small', small, true)]);
  const a = vectorFromArray(['a', 'b'], new Utf8());
  const grown = a.concat(vectorFromArray(['c'], new Utf8()));
  const other = vectorFromArray(['z', 'y'], new Utf8());
  const indices = (type: Dictionary, dict: Vector, idx: (number | null)[]) =>
    makeData({
      type,
      length: idx.length,
      nullCount: idx.filter((i) => i === null).length,
      nullBitmap: Uint8Array.of(idx.reduce<number>((m, v, i) => (v === null ? m : m | (1 << i)), 0)),
      data: Int32Array.from(idx.map((i) => i ?? 0)),
      dictionary: dict,
    });
  const smallIndices = (dict: Vector, idx: number[]) =>
    makeData({ type: small, length: idx.length, nullCount: 0, data: Int8Array.from(idx), dictionary: dict });
  return [
    'dictionaries',
    [
      batchOf(schema, [indices(tag, a, [0, 1, null, 0]), smallIndices(other, [1, 0, 1, 1])]),
      // A delta ('c' appended), then a replacement ('z', 'y').
      batchOf(schema, [indices(tag, grown, [2, null, 1, 2]), smallIndices(other, [0, 0, 1, 0])]),
      batchOf(schema, [indices(tag, other, [1, 0, 0, null]), smallIndices(a, [0, 1, 0, 1])]),
    ],
  ];
}

function nested(): [string, RecordBatch[]] {
  const point = new Struct([new Field('x', new Int32(), true), new Field('label', new Utf8(), true)]);
  const entries = new Struct([new Field('key', new Utf8(), false), new Field('value', new Int32(), true)]);
  return group('nested', [
    [
      'list',
      new List(new Field('item', new Int32(), true)),
      withNulls([[1, 2], [], [3], [4, 5, 6], [7], []]),
    ],
    [
      'large',
      new LargeList(new Field('item', new Utf8(), true)),
      [['a'], ['b', 'c'], [], ['d'], ['e', 'f'], []],
    ],
    [
      'pair',
      new FixedSizeList(2, new Field('item', new Float64(), true)),
      withNulls(Array(ROWS).fill([0.5, -1])),
    ],
    ['point', point, withNulls(Array.from({ length: ROWS }, (_, i) => ({ x: i, label: strings[i] })))],
    [
      'map',
      new Map_(new Field('entries', entries, false)),
      withNulls(Array.from({ length: ROWS }, (_, i) => new Map([[`k${i}`, i]]))),
    ],
  ]);
}

/** The corpus: built once, then each message encoded as the server would send it. */
export function corpus(): CorpusStream[] {
  const groups: [string, RecordBatch[]][] = [
    group('integers', [
      ['i8', new Int8(), withNulls(ints(1))],
      ['i16', new Int16(), withNulls(ints(300))],
      ['i32', new Int32(), withNulls(ints(70000))],
      ['i64', new Int64(), withNulls(ints(1).map((v) => BigInt(v) * 10n ** 15n))],
      ['u8', new Uint8(), ints(1).map((v) => v + 2)],
      ['u16', new Uint16(), ints(1).map((v) => v + 2)],
      ['u32', new Uint32(), withNulls(ints(1).map((v) => v + 2))],
      ['u64', new Uint64(), ints(1).map((v) => BigInt(v + 2))],
    ]),
    group('floats and booleans', [
      ['f16', new Float16(), withNulls([0.5, -2, 1024, 0, 3, -0.25])],
      ['f32', new Float32(), withNulls([1.5, -2.25, 0, 3, 1e10, -1])],
      ['f64', new Float64(), [0.1, NaN, Infinity, -Infinity, -0, 1e300]],
      ['bool', new Bool(), withNulls([true, false, true, true, false, true])],
    ]),
    group('strings and binaries', [
      ['utf8', new Utf8(), withNulls(strings)],
      ['large_utf8', new LargeUtf8(), strings],
      ['binary', new Binary(), withNulls(strings.map((s) => new TextEncoder().encode(s)))],
      ['large_binary', new LargeBinary(), strings.map((s) => new TextEncoder().encode(s.slice(0, 3)))],
      [
        'fixed',
        new FixedSizeBinary(3),
        withNulls(Array.from({ length: ROWS }, (_, i) => Uint8Array.of(i, 1, 2))),
      ],
      ['view', new Utf8View(), withNulls(strings)],
    ]),
    group('temporal and decimal', [
      ['day', new DateDay(), withNulls(ints(1).map((d) => new Date(Date.UTC(2024, 0, 10 + d))))],
      ['ms', new DateMillisecond(), ints(1).map((d) => new Date(Date.UTC(1999, 11, 31, 23, 59, d + 3)))],
      ['t32', new TimeMillisecond(), withNulls(ints(1000).map((v) => v + 5000))],
      ['t64', new TimeMicrosecond(), ints(1).map((v) => BigInt(v + 3) * 1_000_000n)],
      ['ts', new TimestampMillisecond('UTC'), withNulls(ints(86_400_000).map((v) => v + 1e12))],
      ['tsn', new TimestampNanosecond(), ints(1_000).map((v) => v + 1.7e12)],
      ['dur', new DurationMicrosecond(), withNulls(ints(1).map((v) => BigInt(v) * 1000n))],
      ['ym', new IntervalYearMonth(), withNulls(ints(1).map((v) => Int32Array.of(v + 2, 0)))],
      ['dt', new IntervalDayTime(), ints(1).map((v) => Int32Array.of(v, v * 1000))],
      [
        'dec',
        new Decimal(2, 10, 128),
        withNulls(
          ints(1).map((v) =>
            Uint32Array.of((v * 12345) >>> 0, v < 0 ? -1 : 0, v < 0 ? -1 : 0, v < 0 ? -1 : 0),
          ),
        ),
      ],
      ['nothing', new Null(), Array(ROWS).fill(null)],
    ]),
    nested(),
    group('duplicate names', [
      ['a', new Int32(), withNulls(ints(5))],
      ['a', new Utf8(), strings],
      ['58', new Bool(), withNulls([true, false, true, false, true, false])],
    ]),
    unions(),
    dictionaries(),
    ['empty batch', [batchOf(new Schema([new Field('s', new Utf8(), true)]), [column([], new Utf8())])]],
    ['schema only', [batchOf(new Schema([new Field('n', new Int32(), true)]), [column([], new Int32())])]],
  ];
  return groups.map(([name, batches]) => ({ name, messages: encodeStream(batches, name === 'schema only') }));
}

function encodeStream(batches: RecordBatch[], schemaOnly: boolean): Uint8Array[] {
  const encoder = new FlightDataEncoder();
  const messages = [encoder.schema(batches[0]!.schema)];
  if (!schemaOnly) for (const b of batches) messages.push(...encoder.batch(b));
  return messages.map((m) => new Uint8Array(encodeFlightData(m)));
}
