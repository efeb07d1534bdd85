import {
  DenseUnion,
  Field,
  Int32,
  LargeUtf8,
  List,
  Null,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Utf8,
  makeData,
  vectorFromArray,
} from 'apache-arrow';
import { Builder } from 'flatbuffers';
import { Message as FbMessage } from 'apache-arrow/fb/message';
import { Schema as FbSchema } from 'apache-arrow/fb/schema';
import { Message, RecordBatch as RecordBatchHeader } from 'apache-arrow/ipc/metadata/message';
import { ProtocolError } from '../../../src';
import { FlightDataDecoder } from '../../../src/flight/decode';
import { FlightDataEncoder } from '../../../src/flight/encode';
import { decodeFlightData, encodeFlightData } from '../../../src/flight/flightData';
import { RowConverter } from '../../../src/values';
import { EMPTY, after, batchHeader, decodeAll, raw, schemaMessage, stream } from './validateHelpers';

/** Regressions of the decoder against crafted and damaged FlightData (the issue: validate before reading). */

const nS = new Schema([new Field('n', new Int32(), true), new Field('s', new Utf8(), true)]);
const table = {
  batches: [
    new RecordBatch({
      n: vectorFromArray(Int32Array.of(1, 2, 3)).data[0]!,
      s: vectorFromArray(['a', 'bc', 'def'], new Utf8()).data[0]!,
    }),
  ],
};

describe('the issue: damaged messages are ProtocolErrors, never crashes or invented rows', () => {
  test('2^31-1 rows with a 40-byte body: refused before anything is allocated', () => {
    const max = 2 ** 31 - 1;
    const header = batchHeader(
      max,
      [
        [max, 0],
        [max, 0],
      ],
      [
        [0, 0],
        [0, 8],
        [8, 0],
        [8, 16],
        [24, 16],
      ],
      40,
    );
    const decoder = after(nS);
    const started = process.memoryUsage().heapUsed;
    expect(() => decoder.decode(raw(header, new Uint8Array(40)))).toThrow(ProtocolError);
    expect(() => decoder.decode(raw(header, new Uint8Array(40)))).toThrow(
      /RecordBatch column "n": values buffer 1 has 8 bytes, 2147483647 rows need 8589934588/,
    );
    expect(process.memoryUsage().heapUsed - started).toBeLessThan(32 << 20);
  });

  test('2^31-1 rows of a Null column, or of no column, are refused: no bytes back them', () => {
    const max = 2 ** 31 - 1;
    const nulls = after(new Schema([new Field('x', new Null(), true)]));
    expect(() => nulls.decode(raw(batchHeader(max, [[max, max]], [], 0)))).toThrow(/does not back/);
    const none = after(new Schema([]));
    expect(() => none.decode(raw(batchHeader(max, [], [], 0)))).toThrow(/does not back/);
    // A List<Null> whose one row claims 2^31-1 nulls.
    const lists = after(new Schema([new Field('l', new List(new Field('item', new Null(), true)), true)]));
    const offsets = new Uint8Array(8);
    new DataView(offsets.buffer).setInt32(4, max, true);
    expect(() =>
      lists.decode(
        raw(
          batchHeader(
            1,
            [
              [1, 0],
              [max, max],
            ],
            [
              [0, 0],
              [0, 8],
            ],
            8,
          ),
          offsets,
        ),
      ),
    ).toThrow(/does not back/);
  });

  test('a truncated Schema header is a ProtocolError at every length, never fields of type Null', () => {
    const header = schemaMessage(nS);
    for (let cut = 0; cut < header.byteLength; cut++) {
      const decoder = new FlightDataDecoder();
      let schema: Schema | undefined;
      try {
        decoder.decode(raw(header.slice(0, cut)));
        schema = decoder.schema;
      } catch (err) {
        expect(err).toBeInstanceOf(ProtocolError);
      }
      // Only an empty header (no message at all) is not an error.
      if (cut > 0) expect(schema).toBeUndefined();
    }
  });

  test('a truncated RecordBatch header is a ProtocolError at every length, never a column of nulls', () => {
    const [schemaMsg, batchMsg] = stream(table.batches);
    for (let cut = 1; cut < batchMsg!.header.byteLength; cut++) {
      const decoder = new FlightDataDecoder();
      decoder.decode(schemaMsg!);
      expect(() => decoder.decode({ ...batchMsg!, header: batchMsg!.header.slice(0, cut) })).toThrow(
        ProtocolError,
      );
    }
  });

  test.each([
    ['negative', 1, -5, /RecordBatch column "s": offset 1 \(-5\) is below offset 0 \(0\)/],
    ['oversized', 3, 1000, /RecordBatch column "s": offset 3 \(1000\) is past the 8 data bytes/],
    ['non-monotone', 2, 0, /RecordBatch column "s": offset 2 \(0\) is below offset 1 \(1\)/],
  ])('a %s string offset is a ProtocolError naming the column', (_what, index, value, message) => {
    const [schemaMsg, batchMsg] = stream(table.batches);
    const header = Message.decode(batchMsg!.header).header() as RecordBatchHeader;
    const offsets = header.buffers[3]!; // n: validity, values; s: validity, offsets, data
    const body = batchMsg!.body.slice();
    new DataView(body.buffer).setInt32(offsets.offset + 4 * index, value, true);
    expect(() => decodeAll([schemaMsg!, { ...batchMsg!, body }])).toThrow(message);
  });

  test('a negative first offset is a ProtocolError', () => {
    const [schemaMsg, batchMsg] = stream(table.batches);
    const header = Message.decode(batchMsg!.header).header() as RecordBatchHeader;
    const body = batchMsg!.body.slice();
    new DataView(body.buffer).setInt32(header.buffers[3]!.offset, -1, true);
    expect(() => decodeAll([schemaMsg!, { ...batchMsg!, body }])).toThrow(
      /RecordBatch column "s": offset 0 is -1/,
    );
  });

  test('negative and oversized LargeUtf8 and List offsets are ProtocolErrors', () => {
    const large = new RecordBatch({ s: vectorFromArray(['a', 'bc'], new LargeUtf8()).data[0]! });
    const [s1, b1] = stream([large]);
    const h1 = Message.decode(b1!.header).header() as RecordBatchHeader;
    const body1 = b1!.body.slice();
    new DataView(body1.buffer).setBigInt64(h1.buffers[1]!.offset + 8, -1n, true);
    expect(() => decodeAll([s1!, { ...b1!, body: body1 }])).toThrow(/column "s": offset 1 is -1/);

    const lists = new RecordBatch({
      l: vectorFromArray([[1], [2, 3]], new List(new Field('item', new Int32(), true))).data[0]!,
    });
    const [s2, b2] = stream([lists]);
    const h2 = Message.decode(b2!.header).header() as RecordBatchHeader;
    const body2 = b2!.body.slice();
    new DataView(body2.buffer).setInt32(h2.buffers[1]!.offset + 8, 4, true);
    expect(() => decodeAll([s2!, { ...b2!, body: body2 }])).toThrow(
      /column "l": offset 2 \(4\) is past the 3 child values/,
    );
  });

  test('too few field nodes is a ProtocolError naming the column, not a TypeError', () => {
    const header = batchHeader(
      3,
      [[3, 0]],
      [
        [0, 0],
        [0, 16],
        [16, 0],
        [16, 16],
        [32, 8],
      ],
      40,
    );
    expect(() => after(nS).decode(raw(header, new Uint8Array(40)))).toThrow(
      /RecordBatch column "s": has no field node \(the header has 1\)/,
    );
  });

  test('a FlightData cut short inside a field is a ProtocolError', () => {
    const bytes = encodeFlightData(new FlightDataEncoder().schema(nS));
    for (let cut = 1; cut < bytes.length; cut++) {
      let threw = false;
      try {
        new FlightDataDecoder().decode(decodeFlightData(bytes.subarray(0, cut)));
      } catch (err) {
        threw = err instanceof ProtocolError;
      }
      expect(threw).toBe(true);
    }
  });
});

describe('what a RecordBatch must satisfy', () => {
  const body40 = new Uint8Array(40);
  const good: [number, number][] = [
    [0, 0],
    [0, 16],
    [16, 0],
    [16, 16],
    [32, 8],
  ];
  const twoCols = (nodes: [number, number][], buffers = good, length = 3, bodyLength = 40, body = body40) =>
    after(nS).decode(raw(batchHeader(length, nodes, buffers, bodyLength), body));
  const three: [number, number][] = [
    [3, 0],
    [3, 0],
  ];

  test('a column longer or shorter than the batch', () => {
    expect(() =>
      twoCols([
        [3, 0],
        [2, 0],
      ]),
    ).toThrow(/column "s": has 2 rows in a batch of 3/);
  });

  test('more field nodes or buffers than the schema needs', () => {
    expect(() => twoCols([...three, [3, 0]])).toThrow(/3 field nodes where the schema needs 2/);
    expect(() => twoCols(three, [...good, [40, 0]])).toThrow(/6 buffers where the schema needs 5/);
    expect(() => twoCols(three, good.slice(0, 4))).toThrow(ProtocolError);
  });

  test('a null count above the length, or negative', () => {
    expect(() =>
      twoCols([
        [3, 4],
        [3, 0],
      ]),
    ).toThrow(/column "n": field node claims length 3 with null count 4/);
    expect(() =>
      twoCols([
        [3, -2],
        [3, 0],
      ]),
    ).toThrow(/null count -2/);
  });

  test('a buffer outside the body, misaligned, or sharing bytes with another', () => {
    const moved = (i: number, region: [number, number]) => good.map((b, k) => (k === i ? region : b));
    expect(() => twoCols(three, moved(1, [32, 16]))).toThrow(
      /column "n": buffer 1 \[32, \+16\) runs past the 40-byte body/,
    );
    expect(() => twoCols(three, moved(1, [4, 12]))).toThrow(
      /column "n": buffer 1 starts at 4, not 8-byte aligned/,
    );
    expect(() => twoCols(three, moved(3, [8, 16]))).toThrow(/column "s": buffer 3 overlaps buffer 1/);
    expect(() => twoCols(three, moved(1, [-8, 8]))).toThrow(/buffer 1 has offset -8/);
    expect(() => twoCols(three, good, 3, 48)).toThrow(/announces a 48-byte body but FlightData carries 40/);
  });

  test('buffers in another order than the columns are fine when they do not overlap', () => {
    const body = new Uint8Array(40);
    const view = new DataView(body.buffer);
    [0, 1, 3, 6].forEach((v, i) => view.setInt32(4 * i, v, true)); // s offsets at 0
    body.set(new TextEncoder().encode('abcdef'), 16); // s data at 16
    [7, 8, 9].forEach((v, i) => view.setInt32(24 + 4 * i, v, true)); // n values at 24
    const batch = twoCols(
      three,
      [
        [0, 0],
        [24, 16],
        [0, 0],
        [0, 16],
        [16, 8],
      ],
      3,
      40,
      body,
    );
    if (batch.kind !== 'batch') throw new Error('expected a batch');
    expect(new RowConverter(nS).rows(batch.batch)).toEqual([
      [7, 'a'],
      [8, 'bc'],
      [9, 'def'],
    ]);
  });

  test('a null count that the validity bitmap contradicts', () => {
    const body = new Uint8Array(48);
    body[0] = 0b101; // n: rows 0 and 2 valid, row 1 null
    const buffers: [number, number][] = [
      [0, 8],
      [8, 16],
      [24, 0],
      [24, 16],
      [40, 8],
    ];
    const decode = (nulls: number) =>
      after(nS).decode(
        raw(
          batchHeader(
            3,
            [
              [3, nulls],
              [3, 0],
            ],
            buffers,
            48,
          ),
          body,
        ),
      );
    expect(decode(1).kind).toBe('batch');
    expect(() => decode(2)).toThrow(/column "n": validity buffer 0 marks 1 nulls, the field node says 2/);
    // No nulls declared, but a bitmap that marks one: the null would become a value.
    expect(() => decode(0)).toThrow(/marks 1 nulls, the field node says 0/);
    // -1: unknown, the bitmap decides (apache-arrow's writer sends it).
    const unknown = decode(-1);
    if (unknown.kind !== 'batch') throw new Error('expected a batch');
    expect(new RowConverter(nS).column(unknown.batch, 0)).toEqual([0, null, 0]);
  });

  test('a validity bitmap of all ones with no nulls is accepted (arrow-rs writes one)', () => {
    const body = new Uint8Array(48);
    body[0] = 0xff;
    const buffers: [number, number][] = [
      [0, 8],
      [8, 16],
      [24, 0],
      [24, 16],
      [40, 8],
    ];
    expect(after(nS).decode(raw(batchHeader(3, three, buffers, 48), body)).kind).toBe('batch');
  });

  test('a body without a header, a negative bodyLength, an old metadata version', () => {
    expect(() => new FlightDataDecoder().decode(raw(EMPTY, new Uint8Array(8)))).toThrow(
      /a body but no IPC message header/,
    );
    expect(() => after(nS).decode(raw(batchHeader(3, three, good, -8), body40))).toThrow(/body of -8 bytes/);
    const b = new Builder();
    const schema = FbSchema.createSchema(b, 0, FbSchema.createFieldsVector(b, []), 0, 0);
    FbMessage.finishMessageBuffer(b, FbMessage.createMessage(b, 2, 1, schema, 0n, 0));
    expect(() => new FlightDataDecoder().decode(raw(b.asUint8Array()))).toThrow(
      /unsupported IPC metadata version V3/,
    );
  });

  test('a Schema message with a body', () => {
    const header = Message.encode(Object.assign(Message.from(nS), { _bodyLength: 8 }));
    expect(() => new FlightDataDecoder().decode(raw(header, new Uint8Array(8)))).toThrow(
      /a Schema message with a 8-byte body/,
    );
  });
});

describe('found while fuzzing', () => {
  test('columns of the same name keep their own types (apache-arrow merges them by name)', () => {
    const schema = new Schema([new Field('a', new Int32(), true), new Field('a', new Utf8(), true)]);
    const batch = new RecordBatch(
      schema,
      makeData({
        type: new Struct(schema.fields),
        length: 2,
        nullCount: 0,
        children: [
          vectorFromArray([1, 2], new Int32()).data[0]!,
          vectorFromArray(['x', 'y'], new Utf8()).data[0]!,
        ],
      }),
    );
    expect(String(batch.schema.fields[0]!.type)).toBe('Utf8'); // apache-arrow's constructor, as it is
    (batch as { schema: Schema }).schema = schema;
    const decoder = new FlightDataDecoder();
    const batches: RecordBatch[] = [];
    for (const m of stream([batch])) {
      const payload = decoder.decode(m);
      if (payload.kind === 'batch') batches.push(payload.batch);
    }
    // The cursor converts with batch.schema, readAll() hands out a Table of the batches.
    expect(batches[0]!.schema).toBe(decoder.schema);
    expect(new RowConverter(batches[0]!.schema).rows(batches[0]!)).toEqual([
      [1, 'x'],
      [2, 'y'],
    ]);
    const t = new Table(batches);
    expect(t.schema.fields.map((f) => String(f.type))).toEqual(['Int32', 'Utf8']);
  });

  test.each([0, 1, 2, 3, 5])(
    'a union schema in a Node Buffer at offset %i decodes (a Buffer slice is a view)',
    (shift) => {
      const union = new Schema([
        new Field(
          'p',
          new DenseUnion([0, 1], [new Field('s', new Utf8(), true), new Field('i', new Int32(), true)]),
          true,
        ),
      ]);
      const bytes = encodeFlightData(new FlightDataEncoder().schema(union));
      const arena = Buffer.alloc(bytes.length + 8);
      const view = arena.subarray(shift, shift + bytes.length);
      bytes.copy(view);
      expect(new FlightDataDecoder().decode(decodeFlightData(view)).kind).toBe('schema');
    },
  );
});
