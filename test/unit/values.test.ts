import {
  Bool,
  Dictionary,
  Field,
  Int32,
  List,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { RowConverter } from '../../src';
import { deduplicatedNames, valueAt } from '../../src/values';
import { decimalText } from '../../src/values/scalars';

describe('RowConverter', () => {
  const table = new Table({
    n: vectorFromArray([1, null, 3, 4, 5], new Int32()),
    b: vectorFromArray([true, false, null, true, false], new Bool()),
    s: vectorFromArray(['a', 'bb', null, 'dddd', ''], new Utf8()),
    l: vectorFromArray([[1], [], null, [2, 3], [4]], new List(new Field('item', new Int32(), true))),
    d: vectorFromArray(['x', 'y', 'x', null, 'y'], new Dictionary(new Utf8(), new Int32())),
  });

  test('array rows, with nulls everywhere', () => {
    expect(new RowConverter(table.schema).rows(table.batches[0]!)).toEqual([
      [1, true, 'a', [1], 'x'],
      [null, false, 'bb', [], 'y'],
      [3, null, null, null, 'x'],
      [4, true, 'dddd', [2, 3], null],
      [5, false, '', [4], 'y'],
    ]);
  });

  test('sliced batches (non-zero offsets) convert the right cells', () => {
    const sliced = table.batches[0]!.slice(2, 5);
    expect(new RowConverter(table.schema, { rowMode: 'object' }).rows(sliced)).toEqual([
      { n: 3, b: null, s: null, l: null, d: 'x' },
      { n: 4, b: true, s: 'dddd', l: [2, 3], d: null },
      { n: 5, b: false, s: '', l: [4], d: 'y' },
    ]);
  });

  test('struct children follow the struct slice', () => {
    const type = new Struct([new Field('a', new Int32(), true)]);
    const child = makeData({ type: new Int32(), length: 3, nullCount: 0, data: Int32Array.of(7, 8, 9) });
    const data = makeData({ type, length: 3, nullCount: 0, children: [child] });
    const batch = new RecordBatch(
      new Schema([new Field('s', type, true)]),
      makeData({ type: new Struct([new Field('s', type, true)]), length: 3, nullCount: 0, children: [data] }),
    );
    expect(new RowConverter(batch.schema).rows(batch.slice(1, 3))).toEqual([[{ a: 8 }], [{ a: 9 }]]);
  });

  test('duplicate column names become name:1 in object rows', () => {
    expect(deduplicatedNames(['a', 'b', 'a', 'a', 'a:1'])).toEqual(['a', 'b', 'a:2', 'a:3', 'a:1']);
  });

  test('valueAt converts one cell with options', () => {
    const data = vectorFromArray([10n, null], undefined).data[0]!;
    expect(valueAt(data, 0, { int64: 'number' })).toBe(10);
    expect(valueAt(data, 1)).toBeNull();
  });
});

test('decimals with a negative scale: the integer they stand for, and zero as 0', () => {
  const words = (n: bigint) => new Uint32Array(new BigInt64Array([n, n < 0n ? -1n : 0n]).buffer);
  expect(decimalText(words(123n), 0, 4, -2)).toBe('12300');
  expect(decimalText(words(-123n), 0, 4, -2)).toBe('-12300');
  expect(decimalText(words(0n), 0, 4, -2)).toBe('0');
  expect(decimalText(words(0n), 0, 4, 3)).toBe('0.000');
});
