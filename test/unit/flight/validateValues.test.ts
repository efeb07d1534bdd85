import {
  DenseUnion,
  Dictionary,
  Field,
  Int32,
  Null,
  RecordBatch,
  Schema,
  Struct,
  Utf8,
  Utf8View,
  makeData,
  vectorFromArray,
} from 'apache-arrow';
import {
  DictionaryBatch as DictionaryBatchHeader,
  FieldNode,
  Message,
  RecordBatch as RecordBatchHeader,
} from 'apache-arrow/ipc/metadata/message';
import { after, batchHeader, decodeAll, raw, rowsOf, schemaMessage, stream } from './validateHelpers';

/** Offsets, union type ids, dictionary indices and views are checked once loaded. */

describe('unions, dictionaries and views', () => {
  const dense = new DenseUnion([3, 7], [new Field('s', new Utf8(), true), new Field('n', new Int32(), true)]);
  const unionBatch = () =>
    new RecordBatch(
      new Schema([new Field('u', dense, true)]),
      makeData({
        type: new Struct([new Field('u', dense, true)]),
        length: 3,
        nullCount: 0,
        children: [
          makeData({
            type: dense,
            length: 3,
            nullCount: 0,
            typeIds: Int8Array.of(3, 7, 3),
            valueOffsets: Int32Array.of(0, 0, 1),
            children: [
              vectorFromArray(['a', 'b'], new Utf8()).data[0]!,
              vectorFromArray([5], new Int32()).data[0]!,
            ],
          }),
        ],
      }),
    );

  test('a union type id the type does not declare', () => {
    const [s, b] = stream([unionBatch()]);
    expect(rowsOf([s!, b!])).toEqual([['a'], [5], ['b']]);
    const header = Message.decode(b!.header).header() as RecordBatchHeader;
    const body = b!.body.slice();
    body[header.buffers[0]!.offset + 1] = 4;
    expect(() => decodeAll([s!, { ...b!, body }])).toThrow(
      /column "u": row 1 has type id 4, which the union does not declare/,
    );
  });

  test('a dense union offset past its child', () => {
    const [s, b] = stream([unionBatch()]);
    const header = Message.decode(b!.header).header() as RecordBatchHeader;
    const body = b!.body.slice();
    new DataView(body.buffer).setInt32(header.buffers[1]!.offset + 8, 2, true);
    expect(() => decodeAll([s!, { ...b!, body }])).toThrow(
      /column "u": row 2 points at value 2 of child 0, which has 2/,
    );
  });

  const tagType = new Dictionary(new Utf8(), new Int32(), 0);
  const tagSchema = new Schema([new Field('tag', tagType, true)]);
  const tagBatch = (indices: number[], dictionary = vectorFromArray(['a', 'b'], new Utf8())) =>
    new RecordBatch(
      tagSchema,
      makeData({
        type: new Struct(tagSchema.fields),
        length: indices.length,
        nullCount: 0,
        children: [
          makeData({
            type: tagType,
            length: indices.length,
            nullCount: 0,
            data: Int32Array.from(indices),
            dictionary,
          }),
        ],
      }),
    );

  test('a dictionary index past the dictionary, not `undefined`', () => {
    const [s, d, b] = stream([tagBatch([0, 1, 1])]);
    expect(rowsOf([s!, d!, b!])).toEqual([['a'], ['b'], ['b']]);
    const header = Message.decode(b!.header).header() as RecordBatchHeader;
    const body = b!.body.slice();
    new DataView(body.buffer).setInt32(header.buffers[1]!.offset + 4, 2, true);
    expect(() => decodeAll([s!, d!, { ...b!, body }])).toThrow(
      /column "tag": row 1 has index 2, outside the 2-value dictionary/,
    );
  });

  test('a batch whose dictionary never came: a ProtocolError unless every index is null', () => {
    const [s, , b] = stream([tagBatch([0, 1, 1])]);
    expect(() => decodeAll([s!, b!])).toThrow(/row 0 has index 0, outside the 0-value dictionary/);
  });

  test('a DictionaryBatch for an id the schema does not declare, or before the schema', () => {
    const [s, d] = stream([tagBatch([0])]);
    const header = Message.decode(d!.header).header() as DictionaryBatchHeader;
    const other = Message.encode(
      Message.from(new DictionaryBatchHeader(header.data, 9, false), d!.body.byteLength),
    );
    expect(() => decodeAll([s!, { ...d!, header: other }])).toThrow(/unknown dictionary id 9/);
    expect(() => decodeAll([d!, s!])).toThrow(/DictionaryBatch before Schema/);
  });

  test('dictionary deltas whose values no bytes back are bounded across messages', () => {
    const schema = new Schema([new Field('x', new Dictionary(new Null(), new Int32(), 0), true)]);
    const decoder = after(schema);
    const cells = 1 << 21;
    const delta = (isDelta: boolean) =>
      raw(
        Message.encode(
          Message.from(
            new DictionaryBatchHeader(
              new RecordBatchHeader(cells, [new FieldNode(cells, cells)], [], null),
              0,
              isDelta,
            ),
            0,
          ),
        ),
      );
    decoder.decode(delta(false));
    expect(() => {
      for (let i = 0; i < 4; i++) decoder.decode(delta(true));
    }).toThrow(/deltas grow the dictionary/);
  });

  test('a view past its variadic buffer, or more variadic buffers than there are', () => {
    const schema = new Schema([new Field('v', new Utf8View(), true)]);
    const body = new Uint8Array(48);
    const view = new DataView(body.buffer);
    view.setInt32(0, 20, true); // a 20-byte string
    view.setInt32(8, 0, true); // in variadic buffer 0
    view.setInt32(12, 0, true); // at offset 0
    body.set(new TextEncoder().encode('twenty bytes of text'), 16);
    const header = (dataLength: number, variadic: number[]) =>
      batchHeader(
        1,
        [[1, 0]],
        [
          [0, 0],
          [0, 16],
          [16, dataLength],
        ],
        48,
        variadic,
      );
    expect(rowsOf([raw(schemaMessage(schema)), raw(header(24, [1]), body)])).toEqual([
      ['twenty bytes of text'],
    ]);
    expect(() => after(schema).decode(raw(header(16, [1]), body))).toThrow(
      /column "v": row 0 views \[0, \+20\) of variadic buffer 0, which is not there/,
    );
    expect(() => after(schema).decode(raw(header(16, [5]), body))).toThrow(
      /claims 5 variadic buffers, 1 are left/,
    );
    expect(() => after(schema).decode(raw(header(16, []), body))).toThrow(/has no variadic buffer count/);
  });
});
