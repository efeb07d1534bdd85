/**
 * The range readers of src/values against the previous per-cell implementation (kept as
 * valuesReference.ts): random tables of every supported type, with nulls, sliced batches
 * (non-zero offsets, nested ones included), ranges of rows, and every option combination must
 * give exactly the same values, or the same error.
 */
import fc from 'fast-check';
import {
  Binary,
  Bool,
  type Data,
  DataType,
  DateDay,
  DateMillisecond,
  Decimal,
  DenseUnion,
  Dictionary,
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
  IntervalMonthDayNano,
  IntervalYearMonth,
  LargeBinary,
  LargeList,
  LargeUtf8,
  List,
  Map_,
  makeData,
  Null,
  RecordBatch,
  Schema,
  SparseUnion,
  Struct,
  TimeMicrosecond,
  TimeMillisecond,
  TimeNanosecond,
  TimeSecond,
  Timestamp,
  TimeUnit,
  Type,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
  Vector,
  Duration,
} from 'apache-arrow';
import { RowConverter, valueAt, type ValueOptions } from '../../src/values';
import * as reference from './valuesReference';

const leaves: DataType[] = [
  new Null(),
  new Bool(),
  new Int8(),
  new Int16(),
  new Int32(),
  new Int64(),
  new Uint8(),
  new Uint16(),
  new Uint32(),
  new Uint64(),
  new Float16(),
  new Float32(),
  new Float64(),
  new Decimal(2, 18, 64),
  new Decimal(3, 38, 128),
  new Decimal(-2, 60, 256),
  new Decimal(0, 10, 128),
  new Utf8(),
  new LargeUtf8(),
  new Binary(),
  new LargeBinary(),
  new FixedSizeBinary(3),
  new DateDay(),
  new DateMillisecond(),
  new TimeSecond(),
  new TimeMillisecond(),
  new TimeMicrosecond(),
  new TimeNanosecond(),
  ...[TimeUnit.SECOND, TimeUnit.MILLISECOND, TimeUnit.MICROSECOND, TimeUnit.NANOSECOND].flatMap((u) => [
    new Timestamp(u),
    new Timestamp(u, 'UTC'),
    new Duration(u),
  ]),
  new IntervalYearMonth(),
  new IntervalDayTime(),
  new IntervalMonthDayNano(),
];

const field = (name: string, type: DataType): Field => new Field(name, type, true);

/** Types up to `depth` levels of nesting. */
function typeArb(depth: number): fc.Arbitrary<DataType> {
  const leaf = fc.constantFrom(...leaves);
  if (depth === 0) return leaf;
  const inner = typeArb(depth - 1);
  return fc.oneof(
    { weight: 6, arbitrary: leaf },
    inner.map((t) => new List(field('item', t))),
    inner.map((t) => new LargeList(field('item', t))),
    fc.tuple(fc.integer({ min: 0, max: 3 }), inner).map(([n, t]) => new FixedSizeList(n, field('item', t))),
    fc
      .array(inner, { minLength: 1, maxLength: 3 })
      .map((ts) => new Struct(ts.map((t, i) => field(`f${i % 2}`, t)))),
    inner.map(
      (t) =>
        new Map_(
          new Field(
            'entries',
            new Struct<{ key: DataType; value: DataType }>([
              new Field('key', new Utf8(), false),
              field('value', t),
            ]) as never,
            false,
          ),
        ),
    ),
    fc
      .tuple(
        fc.constantFrom(new Utf8(), new Float64(), new Int32()),
        fc.constantFrom(new Int8(), new Int32(), new Int64(), new Uint16()),
      )
      .map(([v, i]) => new Dictionary(v, i as Int32)),
    fc.array(inner, { minLength: 1, maxLength: 3 }).map(
      (ts) =>
        new DenseUnion(
          [3, 1, 7].slice(0, ts.length),
          ts.map((t, i) => field(`u${i}`, t)),
        ),
    ),
    fc.array(inner, { minLength: 1, maxLength: 3 }).map(
      (ts) =>
        new SparseUnion(
          [0, 5, 2].slice(0, ts.length),
          ts.map((t, i) => field(`u${i}`, t)),
        ),
    ),
  );
}

/** 64-bit integers that hit both the exact-in-a-double paths and the bigint ones. */
const int64 = fc.oneof(
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.bigInt({ min: -(2n ** 53n) - 3000n, max: -(2n ** 53n) + 3000n }),
  fc.bigInt({ min: 2n ** 53n - 3000n, max: 2n ** 53n + 3000n }),
  fc.bigInt({ min: -(10n ** 16n), max: 10n ** 16n }),
  fc.bigInt({ min: -5000n, max: 5000n }),
);
const uint64 = int64.map((v) => BigInt.asUintN(64, v));
/** Byte strings, often repeated (the string memo), sometimes invalid UTF-8 or starting with a BOM. */
const byteString = fc.oneof(
  fc
    .constantFrom('room0', 'room1', 'é', '', 'a'.repeat(32), 'b'.repeat(33))
    .map((s) => new TextEncoder().encode(s)),
  fc.string({ unit: 'binary', maxLength: 12 }).map((s) => new TextEncoder().encode(s)),
  fc.uint8Array({ maxLength: 40 }),
  fc.constant(Uint8Array.of(0xef, 0xbb, 0xbf, 0x61)),
);

const bytes = (n: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: n, maxLength: n });

/** A validity bitmap for `length` cells, or none. */
function validityArb(length: number): fc.Arbitrary<Uint8Array | undefined> {
  return fc.option(
    fc.array(fc.boolean(), { minLength: length, maxLength: length }).map((valid) => {
      const bitmap = new Uint8Array(Math.ceil(length / 8) + 1);
      valid.forEach((v, i) => v && (bitmap[i >> 3]! |= 1 << (i & 7)));
      return bitmap;
    }),
    { freq: 3 },
  );
}

function offsetsOf(lengths: number[], large: boolean): Int32Array | BigInt64Array {
  const offsets = [0];
  for (const n of lengths) offsets.push(offsets[offsets.length - 1]! + n);
  return large ? BigInt64Array.from(offsets, BigInt) : Int32Array.from(offsets);
}

/** Data of `type` with `length` cells, random values and nulls. */
function dataArb(type: DataType, length: number): fc.Arbitrary<Data> {
  return validityArb(length).chain((nullBitmap) => valuesArb(type, length, nullBitmap));
}

function valuesArb(type: DataType, length: number, nullBitmap: Uint8Array | undefined): fc.Arbitrary<Data> {
  const make = (props: object): Data => makeData({ type, length, nullBitmap, ...props } as never) as Data;
  const t = type as DataType & { bitWidth?: number; unit?: number; byteWidth?: number; listSize?: number };
  switch (type.typeId) {
    case Type.Null:
      return fc.constant(makeData({ type: type as Null, length }) as Data);
    case Type.Bool:
      return bytes(Math.ceil(length / 8) + 1).map((data) => make({ data }));
    case Type.Int:
      if (t.bitWidth === 64) {
        return fc
          .array(type.typeId === Type.Int && (t as Int64).isSigned ? int64 : uint64, {
            minLength: length,
            maxLength: length,
          })
          .map((vs) =>
            make({ data: (t as Int64).isSigned ? BigInt64Array.from(vs) : BigUint64Array.from(vs) }),
          );
      }
      return bytes((length * t.bitWidth!) / 8).map((data) => make({ data }));
    case Type.Float:
      return bytes(length * [2, 4, 8][(t as unknown as { precision: number }).precision]!).map((data) =>
        make({ data }),
      );
    case Type.Decimal:
      return bytes((length * t.bitWidth!) / 8).map((data) => make({ data }));
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Binary:
    case Type.LargeBinary:
      return fc.array(byteString, { minLength: length, maxLength: length }).map((values) => {
        const large = type.typeId === Type.LargeUtf8 || type.typeId === Type.LargeBinary;
        const data = new Uint8Array(values.reduce((n, v) => n + v.length, 0));
        let at = 0;
        for (const v of values) data.set(v, (at += v.length) - v.length);
        return make({
          data,
          valueOffsets: offsetsOf(
            values.map((v) => v.length),
            large,
          ),
        });
      });
    case Type.FixedSizeBinary:
      return bytes(length * t.byteWidth!).map((data) => make({ data }));
    case Type.Date:
      if (t.unit === 0)
        return fc
          .array(fc.integer({ min: -200_000_000, max: 200_000_000 }), {
            minLength: length,
            maxLength: length,
          })
          .map((vs) => make({ data: Int32Array.from(vs) }));
      return fc
        .array(int64, { minLength: length, maxLength: length })
        .map((vs) => make({ data: BigInt64Array.from(vs) }));
    case Type.Time:
      if (t.bitWidth === 32)
        return fc
          .array(fc.integer({ min: 0, max: 86_399_999 }), { minLength: length, maxLength: length })
          .map((vs) => make({ data: Int32Array.from(vs) }));
      return fc
        .array(fc.bigInt({ min: 0n, max: 86_399_999_999_999n }), { minLength: length, maxLength: length })
        .map((vs) => make({ data: BigInt64Array.from(vs) }));
    case Type.Timestamp:
    case Type.Duration:
      return fc
        .array(int64, { minLength: length, maxLength: length })
        .map((vs) => make({ data: BigInt64Array.from(vs) }));
    case Type.Interval:
      return bytes(length * [4, 8, 16][t.unit!]!).map((data) => make({ data }));
    case Type.List:
    case Type.LargeList:
    case Type.Map: {
      const childType = type.children[0]!.type;
      return fc
        .array(fc.integer({ min: 0, max: 3 }), { minLength: length, maxLength: length })
        .chain((lengths) =>
          dataArb(
            childType,
            lengths.reduce((a, b) => a + b, 0),
          ).map((child) => make({ child, valueOffsets: offsetsOf(lengths, type.typeId === Type.LargeList) })),
        );
    }
    case Type.FixedSizeList:
      return dataArb(type.children[0]!.type, length * t.listSize!).map((child) => make({ child }));
    case Type.Struct:
      return fc
        .tuple(...type.children.map((f) => dataArb(f.type, length)))
        .map((children) => make({ children }));
    case Type.Dictionary: {
      const { dictionary: valueType } = type as Dictionary;
      // Int64 indices are valid Arrow, though apache-arrow's typings allow only 8 to 32 bits.
      const indices = (type as unknown as { indices: Int8 | Int32 | Int64 | Uint16 }).indices;
      return fc.integer({ min: 1, max: 5 }).chain((size) =>
        fc
          .tuple(
            dataArb(valueType, size),
            fc.array(fc.integer({ min: 0, max: size - 1 }), { minLength: length, maxLength: length }),
          )
          .map(([dict, ix]) =>
            make({
              dictionary: new Vector([dict]),
              data:
                indices.bitWidth === 64
                  ? BigInt64Array.from(ix, BigInt)
                  : new (indices.ArrayType as Int32ArrayConstructor)(ix),
            }),
          ),
      );
    }
    case Type.Union: {
      const { typeIds, mode } = type as unknown as { typeIds: number[]; mode: number };
      return fc
        .array(fc.integer({ min: 0, max: typeIds.length - 1 }), { minLength: length, maxLength: length })
        .chain((members) => {
          const ids = Int8Array.from(members, (c) => typeIds[c]!);
          if (mode === 0) {
            return fc
              .tuple(...type.children.map((f) => dataArb(f.type, length)))
              .map((children) => makeData({ type, length, typeIds: ids, children } as never) as Data);
          }
          const counts = type.children.map((_, c) => members.filter((m) => m === c).length);
          const seen = counts.map(() => 0);
          const valueOffsets = Int32Array.from(members, (c) => seen[c]!++);
          return fc
            .tuple(...type.children.map((f, c) => dataArb(f.type, counts[c]!)))
            .map(
              (children) => makeData({ type, length, typeIds: ids, valueOffsets, children } as never) as Data,
            );
        });
    }
    default:
      throw new Error(`no generator for ${String(type)}`);
  }
}

/**
 * Whether `data` has the type it was made for, all the way down: fast-check's shrinking of
 * chained arbitraries can pair a shrunk type with data made for another.
 */
function consistent(type: DataType, data: Data): boolean {
  if (String(type) !== String(data.type)) return false;
  if (type.typeId === Type.Dictionary) {
    return data.dictionary!.data.every((d) => consistent((type as Dictionary).dictionary, d));
  }
  return (type.children ?? []).every(
    (f, i) => data.children[i] !== undefined && consistent(f.type, data.children[i]!),
  );
}

/** A batch of random columns, sliced to a random window (offsets everywhere). */
const batchArb = fc
  .record({
    types: fc.array(typeArb(2), { minLength: 1, maxLength: 4 }),
    length: fc.integer({ min: 0, max: 40 }),
  })
  .chain(({ types, length }) =>
    fc
      .tuple(fc.tuple(...types.map((t) => dataArb(t, length))), fc.nat(length), fc.nat(length))
      .map(([columns, a, b]) => {
        const fields = types.map((t, i) => field(i === 1 ? 'c0' : `c${i}`, t));
        const struct = makeData({ type: new Struct(fields), length, children: columns });
        const batch = new RecordBatch(new Schema(fields), struct);
        return batch.slice(Math.min(a, b), Math.max(a, b));
      }),
  )
  .filter((batch) => batch.schema.fields.every((f, i) => consistent(f.type, batch.data.children[i]!)));

const options = fc.record({
  rowMode: fc.constantFrom('array', 'object'),
  timestamps: fc.constantFrom('date', 'bigint', 'string'),
  int64: fc.constantFrom('bigint', 'number'),
  decimals: fc.constantFrom('string', 'number'),
}) as fc.Arbitrary<ValueOptions>;

/** A comparable form: Dates by time, numbers with -0 and NaN told apart, object keys in order. */
function canon(v: unknown): unknown {
  if (v instanceof Date) return { date: String(v.getTime()) };
  if (v instanceof Uint8Array) return { bytes: Array.from(v) };
  if (Array.isArray(v)) return v.map(canon);
  if (typeof v === 'number') return { number: Object.is(v, -0) ? '-0' : String(v) };
  if (typeof v === 'bigint') return { bigint: String(v) };
  if (v === undefined) return { undefined: true };
  if (v !== null && typeof v === 'object')
    return { object: Object.entries(v).map(([k, x]) => [k, canon(x)]) };
  return v;
}

/** The value or the error that `f` gives, in comparable form. */
function outcome(f: () => unknown): unknown {
  try {
    return { value: canon(f()) };
  } catch (err) {
    return { error: `${(err as Error).name}: ${(err as Error).message}` };
  }
}

describe('range readers agree with the per-cell reference', () => {
  test('rows, row ranges, columns and single values, every option combination', () => {
    fc.assert(
      fc.property(batchArb, options, fc.nat(), fc.nat(), (batch, o, x, y) => {
        const start = batch.numRows ? x % (batch.numRows + 1) : 0;
        const end = start + (batch.numRows ? y % (batch.numRows - start + 1) : 0);
        const fast = new RowConverter(batch.schema, o);
        const slow = new reference.RowConverter(batch.schema, o);
        expect(outcome(() => fast.rows(batch))).toStrictEqual(outcome(() => slow.rows(batch)));
        // The same converters again: memos and dictionary caches carry over between calls.
        expect(outcome(() => fast.rows(batch, start, end))).toStrictEqual(
          outcome(() => slow.rows(batch, start, end)),
        );
        for (let c = 0; c < batch.numCols; c++) {
          expect(outcome(() => fast.column(batch, c, start, end))).toStrictEqual(
            outcome(() => slow.column(batch, c, start, end)),
          );
          const data = batch.data.children[c]!;
          if (start < data.length) {
            expect(outcome(() => valueAt(data, start, o))).toStrictEqual(
              outcome(() => reference.valueAt(data, start, o)),
            );
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  test('a string column with repeats, memo slot collisions and long values, read across windows', () => {
    // 700 values of one length over 256 slots: slots are shared by values a byte apart.
    const values = Array.from({ length: 6000 }, (_, i) =>
      i % 7 === 0 ? `long value number ${i} that the memo skips` : `r${100 + (Math.floor(i / 3) % 700)}`,
    );
    const encoded = values.map((s) => new TextEncoder().encode(s));
    const data = new Uint8Array(encoded.reduce((n, v) => n + v.length, 0));
    let at = 0;
    for (const v of encoded) data.set(v, (at += v.length) - v.length);
    const column = makeData({
      type: new Utf8(),
      length: values.length,
      data,
      valueOffsets: offsetsOf(
        encoded.map((v) => v.length),
        false,
      ) as Int32Array,
    });
    const schema = new Schema([field('s', new Utf8())]);
    const batch = new RecordBatch(
      schema,
      makeData({ type: new Struct(schema.fields), length: values.length, children: [column] }),
    );
    const converter = new RowConverter(schema);
    const rows: unknown[] = [];
    for (let s = 0; s < values.length; s += 1024)
      rows.push(...converter.rows(batch, s, Math.min(values.length, s + 1024)));
    expect(rows).toEqual(values.map((v) => [v]));
  });
});
