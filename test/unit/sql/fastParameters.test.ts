/**
 * The typed-array fast paths of parameter rows (src/sql/fastParameters.ts) against the general
 * path through apache-arrow's builders: for random rows of every fast-pathed declared type (and
 * open parameters typed from their values), with nulls and every kind of value, both give the
 * same schema and the same values bit for bit, or the same DataError.
 */
import {
  Binary,
  Bool,
  DateDay,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  Null,
  Schema,
  Table,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  TimestampSecond,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
  tableFromIPC,
  tableToIPC,
  Type,
  TimeUnit,
  Timestamp,
  type Data,
  type DataType,
  type RecordBatch,
} from 'apache-arrow';
import fc from 'fast-check';
import { SqlDate, SqlTime } from '../../../src';
import { BATCH_ROWS, parameterBatches, rowBatches } from '../../../src/sql/parameters';

const TYPES: (() => DataType)[] = [
  () => new Int8(),
  () => new Int16(),
  () => new Int32(),
  () => new Int64(),
  () => new Uint8(),
  () => new Uint16(),
  () => new Uint32(),
  () => new Uint64(),
  () => new Float32(),
  () => new Float64(),
  () => new Bool(),
  () => new Utf8(),
  () => new Binary(),
  () => new TimestampSecond(),
  () => new TimestampMillisecond(),
  () => new TimestampMicrosecond(),
  () => new TimestampNanosecond(),
  () => new Timestamp(TimeUnit.MICROSECOND, 'Europe/Paris'),
  () => new DateDay(),
  () => new Null(), // left open: typed from the first value
];

const ms = fc.integer({ min: -8.64e15, max: 8.64e15 });
const isoText = fc
  .tuple(
    fc.date({ min: new Date(-2e13), max: new Date(2e13), noInvalidDate: true }),
    fc.stringMatching(/^(\.\d{1,9})?$/),
    fc.constantFrom('', 'Z', '+02:00', '-0530', ' '),
  )
  .map(([d, fraction, zone]) => d.toISOString().slice(0, 19) + fraction + zone);

/** Every kind of value a caller may bind, the awkward ones included. */
const value: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constantFrom(null, undefined), weight: 3 },
  { arbitrary: fc.integer({ min: -200, max: 300 }), weight: 3 },
  { arbitrary: fc.double(), weight: 3 },
  fc.float().map((f) => f),
  fc.constantFrom(-0, NaN, Infinity, 2 ** 31, 2 ** 32 - 1, 2 ** 53, -(2 ** 53), 2 ** 63, 1e21, 0.5),
  { arbitrary: fc.bigInt({ min: -(2n ** 64n), max: 2n ** 65n }), weight: 2 },
  fc.bigInt({ min: -300n, max: 300n }),
  fc.boolean(),
  { arbitrary: fc.string({ unit: 'binary', maxLength: 12 }), weight: 2 },
  fc.string({ maxLength: 70 }),
  fc.constantFrom('12', ' -7 ', '1.5', '1e3', 'NaN', 'abc', '', '2024-02-29', '10:20:30'),
  isoText,
  ms.map((t) => new Date(t)),
  fc.integer({ min: -100_000, max: 100_000 }).map((d) => new Date(d * 86_400_000)),
  fc.constant(new Date(NaN)),
  fc
    .tuple(
      fc.integer({ min: 1, max: 9999 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 28 }),
    )
    .map(([y, m, d]) => new SqlDate(y, m, d)),
  fc.constant(new SqlTime(10, 20, 30, 5)),
  fc.uint8Array({ maxLength: 8 }),
  fc.uint8Array({ maxLength: 4 }).map((a) => a.buffer),
  fc.constant({}),
);

/** One row of a column, as stored: validity and the raw value (bytes as hex, bits as 0/1). */
function raw(data: Data, i: number): unknown {
  if (data.typeId === Type.Null || !data.getValid(i)) return null;
  const j = data.offset + i;
  switch (data.typeId) {
    case Type.Bool:
      return (data.values[j >> 3]! >> (j & 7)) & 1;
    case Type.Utf8:
    case Type.Binary: {
      const bytes = data.values.subarray(data.valueOffsets[j]!, data.valueOffsets[j + 1]!);
      return Buffer.from(bytes).toString('hex');
    }
    case Type.Float: {
      const v = data.values[j] as number;
      return Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : v;
    }
    default:
      return data.values[j];
  }
}

type Outcome = { error: string } | { fields: string[]; rows: unknown[][] };

function outcome(build: () => RecordBatch[]): Outcome {
  let batches: RecordBatch[];
  try {
    batches = build();
  } catch (err) {
    return { error: `${(err as Error).name}: ${(err as Error).message}` };
  }
  const fieldsOf = (b: RecordBatch) =>
    b.schema.fields.map((f) => `${f.name}: ${String(f.type)} ${f.nullable} ${[...f.metadata]}`);
  const fields = fieldsOf(batches[0]!);
  for (const b of batches) expect(fieldsOf(b)).toEqual(fields);
  const rows: unknown[][] = [];
  for (const batch of batches) {
    const children = batch.data.children;
    for (let i = 0; i < batch.numRows; i++) rows.push(children.map((c) => raw(c, i)));
  }
  return { fields, rows };
}

describe('fast parameter columns equal the general path', () => {
  test('property: same schema and values, or the same DataError, for every fast-pathed type', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...TYPES), fc.boolean()), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 5 }),
        fc.nat(),
        fc.array(fc.array(value, { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 12 }),
        (columns, batchRows, seed, values) => {
          const schema = new Schema(
            columns.map(
              ([type, nullable], i) => new Field(`p${i}`, type(), nullable || type().typeId === Type.Null),
            ),
          );
          // Columns mostly of one kind of value, so that many rows succeed and errors come late.
          const rows = values.map((row, r) =>
            columns.map((_, c) => row[(c + (r % 3 === 0 ? seed : 0)) % row.length]),
          );
          const general = outcome(() => rowBatches(schema, rows, { general: true }));
          const fast = outcome(() => rowBatches(schema, rows, { batchRows }));
          expect(fast).toEqual(general);
        },
      ),
      { numRuns: 3000 },
    );
  });

  test('property: columns of a single kind of value mostly succeed and agree', () => {
    const kinds: [() => DataType, fc.Arbitrary<unknown>][] = [
      [() => new Int32(), fc.integer()],
      [
        () => new Int64(),
        fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.maxSafeInteger()),
      ],
      [() => new Uint64(), fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.maxSafeNat())],
      [() => new Float64(), fc.double()],
      [() => new Float32(), fc.float()],
      [() => new Utf8(), fc.string({ unit: 'grapheme', maxLength: 80 })],
      [() => new TimestampMicrosecond(), ms.map((t) => new Date(t))],
      [() => new TimestampNanosecond(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })],
      [() => new TimestampNanosecond(), isoText],
      [() => new DateDay(), fc.integer({ min: -1e5, max: 1e5 }).map((d) => new Date(d * 86_400_000))],
      [() => new Bool(), fc.boolean()],
      [() => new Binary(), fc.uint8Array({ maxLength: 20 })],
    ];
    fc.assert(
      fc.property(
        fc
          .constantFrom(...kinds)
          .chain(([type, v]) =>
            fc.tuple(fc.constant(type), fc.array(fc.option(v), { minLength: 1, maxLength: 40 })),
          ),
        fc.integer({ min: 1, max: 16 }),
        ([type, column], batchRows) => {
          const schema = new Schema([new Field('p', type(), true)]);
          const rows = column.map((v) => [v]);
          const general = outcome(() => rowBatches(schema, rows, { general: true }));
          expect(general).not.toHaveProperty('error');
          expect(outcome(() => rowBatches(schema, rows, { batchRows }))).toEqual(general);
        },
      ),
      { numRuns: 1000 },
    );
  });

  test('errors name the parameter and the value, as the general path does', () => {
    const schema = new Schema([new Field('n', new Int32(), true), new Field('s', new Utf8(), true)]);
    expect(() =>
      parameterBatches(schema, [
        [1, 'a'],
        ['abc', 'b'],
      ]),
    ).toThrow("parameter n: cannot bind 'abc' as Int32 (not an integer)");
    expect(() => parameterBatches(schema, [[1.5, 'a']])).toThrow(
      'parameter n: cannot bind 1.5 as Int32 (not an integer)',
    );
    // The first value refused column by column, whatever row a later column fails at.
    expect(() =>
      parameterBatches(schema, [
        [1, {}],
        [2 ** 40, 'x'],
      ]),
    ).toThrow(/parameter n: cannot bind 1099511627776/);
  });

  test('many rows become batches of BATCH_ROWS with one schema, which read back as bound', () => {
    const n = BATCH_ROWS * 2 + 5;
    const schema = new Schema([
      new Field('time', new TimestampMicrosecond(), true),
      new Field('tag', new Utf8(), true),
      new Field('v', new Float64(), true),
      new Field('open', new Null(), true),
    ]);
    const rows = Array.from({ length: n }, (_, i) => [
      i % 7 === 0 ? null : new Date(1_704_067_200_000 + i),
      i % 5 === 0 ? null : `tag ${i % 9} é`,
      i / 3,
      BigInt(i),
    ]);
    const batches = parameterBatches(schema, rows);
    expect(batches.map((b) => b.numRows)).toEqual([BATCH_ROWS, BATCH_ROWS, 5]);
    const table = tableFromIPC(tableToIPC(new Table(batches)));
    expect(String(table.schema.fields[3]!.type)).toBe('Int64');
    for (const i of [0, 1, 5, 7, BATCH_ROWS, n - 1]) {
      const row = table.get(i)!.toJSON();
      expect(row.time).toBe(i % 7 === 0 ? null : 1_704_067_200_000 + i);
      expect(row.tag).toBe(i % 5 === 0 ? null : `tag ${i % 9} é`);
      expect(row.v).toBe(i / 3);
      expect(row.open).toBe(BigInt(i));
    }
  });
});
