/**
 * Arrow -> polars -> Arrow keeps every value: random int64, float64 (NaN, -0, infinities),
 * string, boolean and timestamp columns with nulls, cut into random batches and sliced (non-zero
 * offsets), read through IPC groups small enough that one frame is made of several.
 */
import fc from 'fast-check';
import {
  Bool,
  Field,
  Float64,
  Int64,
  RecordBatch,
  Schema,
  Struct,
  TimestampNanosecond,
  Utf8,
  makeData,
  makeVector,
  vectorFromArray,
  type Data,
} from 'apache-arrow';
import { PolarsBuilder, polarsToTable } from '../../src/dataframe';

const schema = new Schema([
  new Field('i', new Int64(), true),
  new Field('f', new Float64(), true),
  new Field('s', new Utf8(), true),
  new Field('b', new Bool(), true),
  new Field('t', new TimestampNanosecond('UTC'), true),
]);

type Row = [bigint | null, number | null, string | null, boolean | null, bigint | null];

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const row: fc.Arbitrary<Row> = fc.tuple(
  fc.option(int64),
  fc.option(fc.double()),
  fc.option(fc.string({ unit: 'grapheme' })),
  fc.option(fc.boolean()),
  fc.option(int64),
);

function wide(type: Int64 | TimestampNanosecond, values: (bigint | null)[]): Data {
  const data = new BigInt64Array(values.length);
  const valid = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v !== null) {
      data[i] = v;
      valid[i >> 3]! |= 1 << (i & 7);
    }
  });
  const nullCount = values.filter((v) => v === null).length;
  return makeData({ type, length: values.length, nullCount, data, nullBitmap: valid } as never);
}

function batchOf(rows: Row[], skip: number): RecordBatch {
  const col = <T>(k: number) => rows.map((r) => r[k] as T);
  const children = [
    wide(new Int64(), col<bigint | null>(0)),
    vectorFromArray(col<number | null>(1), new Float64()).data[0]!,
    vectorFromArray(col<string | null>(2), new Utf8()).data[0]!,
    vectorFromArray(col<boolean | null>(3), new Bool()).data[0]!,
    wide(new TimestampNanosecond('UTC'), col<bigint | null>(4)),
  ];
  const data = makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children });
  // A slice: the data polars gets starts at a non-zero offset into each buffer.
  return new RecordBatch(schema, data.slice(skip, rows.length - 2 * skip));
}

function valuesOf(table: ReturnType<typeof polarsToTable>): unknown[][] {
  return schema.fields.map((f) => {
    const vector = table.getChild(f.name)!;
    return vector.data.flatMap((d) =>
      Array.from({ length: d.length }, (_, i) => {
        if (!d.getValid(i)) return null;
        if (f.name === 'i' || f.name === 't') return (d.values as BigInt64Array)[i];
        return makeVector(d).get(i);
      }),
    );
  });
}

test('random columns round-trip exactly, whatever the batches and IPC groups', () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(row, { minLength: 2, maxLength: 30 }), { maxLength: 6 }),
      fc.integer({ min: 64, max: 4096 }),
      (batches, groupBytes) => {
        const builder = new PolarsBuilder(schema, { groupBytes });
        const expected: Row[] = [];
        for (const rows of batches) {
          builder.add(batchOf(rows, 1));
          expected.push(...rows.slice(1, rows.length - 1));
        }
        const columns = valuesOf(polarsToTable(builder.finish()));
        expect(columns.map((c) => c.length)).toEqual(schema.fields.map(() => expected.length));
        expected.forEach((r, i) => {
          r.forEach((value, k) =>
            expect(Object.is(columns[k]![i], value) || columns[k]![i] === value).toBe(true),
          );
        });
      },
    ),
    { numRuns: 40 },
  );
});
