import {
  Binary,
  DenseUnion,
  Field,
  Float32,
  Float64,
  Int32,
  Int64,
  LargeUtf8,
  Null,
  Schema,
  SparseUnion,
  TimestampMicrosecond,
  TimestampNanosecond,
  Utf8,
  tableFromArrays,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
  Dictionary,
  Table,
  type RecordBatch,
} from 'apache-arrow';
import fc from 'fast-check';
import { DataError } from '../../../src';
import { parameterBatches } from '../../../src/sql/parameters';

/** Arrow C++'s SQLite example server declares every parameter as this union. */
const sqliteUnion = () =>
  new DenseUnion(
    [0, 1, 2, 3],
    [
      new Field('string', new Utf8(), true),
      new Field('bytes', new Binary(), true),
      new Field('bigint', new Int64(), true),
      new Field('double', new Float64(), true),
    ],
  );

/** What a server reads: the batch through IPC, as the wire carries it. */
function readBack(batch: RecordBatch): unknown[][] {
  const table = tableFromIPC(tableToIPC(new Table([batch])));
  return table.toArray().map((row) => Object.values(row.toJSON()));
}

describe('union parameters', () => {
  const schema = new Schema([
    new Field('parameter_1', sqliteUnion(), true),
    new Field('parameter_2', sqliteUnion(), true),
  ]);

  test('each value goes to the member of its JavaScript type (dense)', () => {
    const bytes = Uint8Array.of(1, 2, 3);
    const [batch] = parameterBatches(schema, [
      ['text', 1],
      [bytes, 2.5],
      [12345678901234567n, null],
    ]);
    expect(batch!.schema).toBe(batch!.schema);
    expect(batch!.schema.fields.map((f) => [f.name, String(f.type), f.nullable])).toEqual([
      ['parameter_1', String(sqliteUnion()), true],
      ['parameter_2', String(sqliteUnion()), true],
    ]);
    const column = batch!.getChildAt(0)!;
    expect(Array.from(column.data[0]!.typeIds)).toEqual([0, 1, 2]);
    expect(Array.from(batch!.getChildAt(1)!.data[0]!.typeIds)).toEqual([2, 3, 0]);
    expect(readBack(batch!)).toEqual([
      ['text', 1n],
      [bytes, 2.5],
      [12345678901234567n, null],
    ]);
  });

  test('sparse unions, and a Null member takes nulls', () => {
    const type = new SparseUnion(
      [5, 7, 9],
      [new Field('n', new Null(), true), new Field('i', new Int32(), true), new Field('s', new Utf8(), true)],
    );
    const [batch] = parameterBatches(new Schema([new Field('p', type, true)]), [[null], [7], ['x']]);
    expect(Array.from(batch!.getChildAt(0)!.data[0]!.typeIds)).toEqual([5, 7, 9]);
    expect(batch!.getChildAt(0)!.data[0]!.children.map((c) => c.length)).toEqual([3, 3, 3]);
    expect(readBack(batch!)).toEqual([[null], [7], ['x']]);
  });

  test('a value no member holds is a DataError naming the parameter and the members', () => {
    const type = new SparseUnion(
      [0, 1],
      [new Field('i', new Int32(), true), new Field('s', new Utf8(), true)],
    );
    const schema1 = new Schema([new Field('p', type, true)]);
    expect(() => parameterBatches(schema1, [[2 ** 40]])).toThrow(DataError);
    expect(() => parameterBatches(schema1, [[true]])).toThrow(
      /parameter p: no member of .* holds true \(members: i: Int32, s: Utf8\)/,
    );
    const [batch] = parameterBatches(schema1, [[null], [7], ['x']]);
    expect(Array.from(batch!.getChildAt(0)!.data[0]!.typeIds)).toEqual([0, 0, 1]);
    expect(readBack(batch!)).toEqual([[null], [7], ['x']]);
  });

  test('property: any mix of strings, bytes, integers, doubles and nulls reads back as bound', () => {
    const value = fc.oneof(
      fc.string(),
      fc.uint8Array({ maxLength: 8 }),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      fc.double({ noNaN: true }).filter((d) => !Number.isInteger(d)),
      fc.constant(null),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(value, value), { minLength: 1, maxLength: 20 }), (rows) => {
        const [batch] = parameterBatches(schema, rows);
        expect(readBack(batch!)).toEqual(rows);
      }),
    );
  });
});

describe('Arrow parameters carry the declared schema', () => {
  test('a non-nullable caller field is sent as the nullable declared one', () => {
    const declared = new Schema([new Field('id', new Int64(), true)], new Map([['k', 'v']]));
    const table = tableFromArrays({ id: BigInt64Array.from([1n, 2n]) });
    expect(table.schema.fields[0]!.nullable).toBe(false);
    const [batch] = parameterBatches(declared, table);
    expect(batch!.schema.fields[0]!.nullable).toBe(true);
    expect(batch!.schema.metadata.get('k')).toBe('v');
    // Same type: the caller's column is sent without a copy.
    expect(batch!.getChildAt(0)!.data[0]).toBe(table.batches[0]!.getChildAt(0)!.data[0]);
  });

  test('lossless casts: int widths that fit, utf8 -> large_utf8, dictionary -> values, units, unions', () => {
    const declared = new Schema([
      new Field('a', new Int64(), true),
      new Field('b', new LargeUtf8(), true),
      new Field('c', new Utf8(), true),
      new Field('d', new TimestampNanosecond(), true),
      new Field('e', sqliteUnion(), true),
    ]);
    const table = tableFromArrays({
      a: Int32Array.from([1, -2]),
      b: ['x', 'y'],
      c: vectorFromArray(['p', 'p'], new Dictionary(new Utf8(), new Int32())),
      d: vectorFromArray([new Date(1000), new Date(2000)], new TimestampMicrosecond()),
      e: Float64Array.from([1.5, 2.5]),
    } as never) as unknown as Table;
    const [batch] = parameterBatches(declared, table);
    expect(batch!.schema.fields.map((f) => String(f.type))).toEqual(
      declared.fields.map((f) => String(f.type)),
    );
    expect(readBack(batch!)).toEqual([
      [1n, 'x', 'p', 1000, 1.5], // apache-arrow reads timestamps back as milliseconds
      [-2n, 'y', 'p', 2000, 2.5],
    ]);
    expect(Array.from(batch!.getChildAt(3)!.data[0]!.values as BigInt64Array)).toEqual([
      1_000_000_000n,
      2_000_000_000n,
    ]);
  });

  test('lossy casts are refused', () => {
    const narrow = new Schema([new Field('a', new Int32(), true)]);
    expect(() => parameterBatches(narrow, tableFromArrays({ a: BigInt64Array.from([2n ** 40n]) }))).toThrow(
      /parameter a: cannot bind .* as Int32/,
    );
    const float = new Schema([new Field('f', new Float32(), true)]);
    expect(() => parameterBatches(float, tableFromArrays({ f: Float64Array.from([0.1]) }))).toThrow(
      DataError,
    );
    const notNull = new Schema([new Field('n', new Int64(), false)]);
    expect(() => parameterBatches(notNull, [[null]])).toThrow(/declares it non-nullable/);
    const count = new Schema([new Field('a', new Int64(), true)]);
    expect(() => parameterBatches(count, tableFromArrays({ a: [1], b: [2] }))).toThrow(/takes 1 parameter/);
  });

  test('rows take the declared fields as they are, open parameters the values type', () => {
    const declared = new Schema([
      new Field('x', new Int32(), false, new Map([['m', '1']])),
      new Field('y', new Null(), true),
    ]);
    const [batch] = parameterBatches(declared, [[1, 'two']]);
    expect(batch!.schema.fields[0]).toEqual(declared.fields[0]);
    expect(String(batch!.schema.fields[1]!.type)).toBe('Utf8');
  });
});

describe('Arrow parameters from another apache-arrow copy', () => {
  test('a Table of a second instance is recognised by shape and sent with the declared schema', () => {
    let other: typeof import('apache-arrow') | undefined;
    jest.isolateModules(() => {
      other = require('apache-arrow');
    });
    const foreign = other!.tableFromArrays({ id: BigInt64Array.from([1n, 2n]), name: ['a', 'b'] });
    expect(Object.getPrototypeOf(foreign)).not.toBe(Table.prototype); // (instanceof says yes: apache-arrow checks by symbol)
    const declared = new Schema([new Field('id', new Int64(), true), new Field('name', new Utf8(), true)]);
    const [batch] = parameterBatches(declared, foreign as never);
    expect(readBack(batch!)).toEqual([
      [1n, 'a'],
      [2n, 'b'],
    ]);
  });

  test('anything else is an InterfaceError saying what was expected', () => {
    expect(() => parameterBatches(new Schema([]), { id: 1 } as never)).toThrow(
      /expected an array of values, an array of rows, or an apache-arrow Table or RecordBatch, got/,
    );
  });
});
