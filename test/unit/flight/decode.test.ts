import {
  DenseUnion,
  Dictionary,
  Int32,
  Utf8,
  makeData,
  makeVector,
  RecordBatch,
  Schema,
  Field,
  Struct,
  Table,
  tableFromArrays,
  vectorFromArray,
} from 'apache-arrow';
import { FlightDataDecoder } from '../../../src/flight/decode';
import { FlightDataEncoder } from '../../../src/flight/encode';
import { decodeFlightData, encodeFlightData, type OutgoingFlightData } from '../../../src/flight/flightData';
import { ProtocolError } from '../../../src';
import { decodeSchema, encodeSchema } from '../../../src/flight/types';

/** Puts a FlightData message at a chosen byte offset of a bigger buffer, as the wire may. */
function onWire(message: OutgoingFlightData, shift = 0) {
  const encoded = encodeFlightData(message);
  const arena = new ArrayBuffer(encoded.length + shift + 16);
  const view = new Uint8Array(arena, shift, encoded.length);
  view.set(encoded);
  return decodeFlightData(view);
}

function roundTrip(batches: RecordBatch[], shift = 0) {
  const encoder = new FlightDataEncoder();
  const decoder = new FlightDataDecoder();
  const out: RecordBatch[] = [];
  const messages = [encoder.schema(batches[0]!.schema), ...batches.flatMap((b) => [...encoder.batch(b)])];
  for (const m of messages) {
    const payload = decoder.decode(onWire(m, shift));
    if (payload.kind === 'batch') out.push(payload.batch);
  }
  return { out, decoder };
}

describe('FlightData codec', () => {
  test('round-trips every field, with the body as a view on the input', () => {
    const body = [new Uint8Array([1, 2, 3]), new Uint8Array([4, 5])];
    const raw = onWire({
      descriptor: new Uint8Array([9]),
      header: new Uint8Array([7, 7]),
      appMetadata: new Uint8Array([8]),
      body,
    });
    expect([...raw.descriptor!]).toEqual([9]);
    expect([...raw.header]).toEqual([7, 7]);
    expect([...raw.appMetadata]).toEqual([8]);
    expect([...raw.body]).toEqual([1, 2, 3, 4, 5]);
  });

  test.each([0, 1, 100, 127, 128, 300, 16383, 16384])(
    'pads the header so the body starts 8-aligned in the gRPC frame (header %i bytes)',
    (headerLength) => {
      for (const appMetadata of [undefined, new Uint8Array(3)]) {
        const encoded = encodeFlightData({
          alignBody: true,
          header: new Uint8Array(headerLength + 1),
          appMetadata,
          body: [new Uint8Array(64)],
        });
        const raw = decodeFlightData(encoded);
        expect((5 + raw.body.byteOffset - encoded.byteOffset) % 8).toBe(0);
        expect(raw.body.byteLength).toBe(64);
      }
    },
  );

  test('a truncated message is a ProtocolError', () => {
    const encoded = encodeFlightData({ header: new Uint8Array(10), body: [new Uint8Array(100)] });
    expect(() => decodeFlightData(encoded.subarray(0, encoded.length - 1))).toThrow(ProtocolError);
  });

  test('unknown fields are skipped', () => {
    const unknown = Buffer.from([0x20, 0x05, 0x12, 0x01, 0x07]); // field 4 varint 5, then header [7]
    expect([...decodeFlightData(unknown).header]).toEqual([7]);
  });
});

describe('FlightDataDecoder', () => {
  const table = new Table({
    f: vectorFromArray(Float64Array.from({ length: 1000 }, (_, i) => i / 2)),
    n: vectorFromArray(Int32Array.from({ length: 1000 }, (_, i) => i)),
    s: vectorFromArray(
      Array.from({ length: 1000 }, (_, i) => `row ${i}`),
      new Utf8(),
    ),
  });

  test.each([0, 1, 3, 4, 5, 7])(
    'decodes batches at body offset shift %i, copying only misaligned typed buffers',
    (shift) => {
      const { out, decoder } = roundTrip(table.batches, shift);
      expect(out[0]!.getChild('f')!.get(999)).toBe(499.5);
      expect(out[0]!.getChild('n')!.get(10)).toBe(10);
      expect(out[0]!.getChild('s')!.get(42)).toBe('row 42');
      // Utf8 bytes never need a copy; float64 data, int32 data and int32 offsets may.
      expect(decoder.alignmentCopies).toBeLessThanOrEqual(3);
    },
  );

  test('column data shares the FlightData body buffer when aligned (no copy)', () => {
    const encoder = new FlightDataEncoder();
    const decoder = new FlightDataDecoder();
    decoder.decode(onWire(encoder.schema(table.schema), 0));
    const [message] = [...encoder.batch(table.batches[0]!)];
    const encoded = encodeFlightData(message!);
    // Place the message so that the body starts 8-byte aligned.
    const probe = decodeFlightData(encoded);
    const shift = (8 - (probe.body.byteOffset % 8)) % 8;
    const arena = new Uint8Array(new ArrayBuffer(encoded.length + 8), shift, encoded.length);
    arena.set(encoded);
    const raw = decodeFlightData(arena);
    expect(raw.body.byteOffset % 8).toBe(0);
    const payload = decoder.decode(raw);
    if (payload.kind !== 'batch') throw new Error('expected a batch');
    const f = payload.batch.getChild('f')!.data[0]!.values as Float64Array;
    expect(f.buffer).toBe(arena.buffer);
    expect(payload.batch.getChild('s')!.data[0]!.values.buffer).toBe(arena.buffer);
    expect(decoder.alignmentCopies).toBe(0);
  });

  test('dictionary batches, replacements and deltas', () => {
    const type = new Dictionary(new Utf8(), new Int32(), 0);
    const schema = new Schema([new Field('tag', type, true)]);
    const dict1 = vectorFromArray(['a', 'b'], new Utf8());
    const dict2 = dict1.concat(vectorFromArray(['c'], new Utf8()));
    const batch = (dict: typeof dict1, indices: number[]) =>
      new RecordBatch(
        schema,
        makeData({
          type: new Struct(schema.fields),
          length: indices.length,
          nullCount: 0,
          children: [
            makeData({
              type,
              length: indices.length,
              nullCount: 0,
              data: Int32Array.from(indices),
              dictionary: dict,
            }),
          ],
        }),
      );
    const { out } = roundTrip([
      batch(dict1, [0, 1, 0]),
      batch(dict2, [2, 1]),
      batch(vectorFromArray(['z'], new Utf8()), [0]),
    ]);
    expect(out.map((b) => [...b.getChild('tag')!])).toEqual([['a', 'b', 'a'], ['c', 'b'], ['z']]);
  });

  test('an empty batch decodes to zero rows', () => {
    const { out } = roundTrip([table.batches[0]!.slice(0, 0)]);
    expect(out[0]!.numRows).toBe(0);
  });

  test('a RecordBatch before the Schema is a ProtocolError', () => {
    const encoder = new FlightDataEncoder();
    const [message] = [...encoder.batch(table.batches[0]!)];
    expect(() => new FlightDataDecoder().decode(onWire(message!))).toThrow(/RecordBatch before Schema/);
  });

  test('a buffer that runs past the body is a ProtocolError', () => {
    const encoder = new FlightDataEncoder();
    const decoder = new FlightDataDecoder();
    decoder.decode(onWire(encoder.schema(table.schema)));
    const [message] = [...encoder.batch(table.batches[0]!)];
    const raw = onWire(message!);
    expect(() => decoder.decode({ ...raw, body: raw.body.subarray(0, raw.body.byteLength - 64) })).toThrow(
      ProtocolError,
    );
  });

  test('a second Schema is a ProtocolError', () => {
    const encoder = new FlightDataEncoder();
    const decoder = new FlightDataDecoder();
    decoder.decode(onWire(encoder.schema(table.schema)));
    expect(() => decoder.decode(onWire(encoder.schema(table.schema)))).toThrow(ProtocolError);
  });

  test('a message with app_metadata only decodes to none', () => {
    expect(new FlightDataDecoder().decode(onWire({ appMetadata: new Uint8Array([1]) })).kind).toBe('none');
  });
});

describe('FlightDataEncoder', () => {
  test('slices a big batch so each body stays near maxMessageBytes, without losing rows', () => {
    const big = tableFromArrays({ x: Float64Array.from({ length: 100_000 }, (_, i) => i) });
    const encoder = new FlightDataEncoder({ maxMessageBytes: 64 * 1024 });
    const messages = [...encoder.batch(big.batches[0]!)];
    expect(messages.length).toBeGreaterThan(10);
    for (const m of messages) expect(m.bodyLength!).toBeLessThanOrEqual(64 * 1024 + 8);
    const decoder = new FlightDataDecoder();
    decoder.decode(onWire(encoder.schema(big.schema)));
    let total = 0;
    let sum = 0;
    for (const m of messages) {
      const p = decoder.decode(onWire(m, 3));
      if (p.kind === 'batch') {
        total += p.batch.numRows;
        for (const v of p.batch.getChild('x')!) sum += v as number;
      }
    }
    expect(total).toBe(100_000);
    expect(sum).toBe((99_999 * 100_000) / 2);
  });

  test('alignBody reaches every message, sliced ones included', () => {
    const big = tableFromArrays({ x: Float64Array.from({ length: 100_000 }, (_, i) => i) });
    const encoder = new FlightDataEncoder({ maxMessageBytes: 64 * 1024, alignBody: true });
    const messages = [...encoder.batch(big.batches[0]!)];
    expect(messages.length).toBeGreaterThan(10);
    expect(messages.every((m) => m.alignBody === true)).toBe(true);
  });

  test('a vector of nulls survives', () => {
    const v = makeVector({ data: Int32Array.from([1, 2, 3]), type: new Int32() });
    expect(v.length).toBe(3);
  });
});

describe('message headers at any alignment', () => {
  const union = new Schema([
    new Field(
      'p',
      new DenseUnion([0, 1], [new Field('s', new Utf8(), true), new Field('i', new Int32(), true)]),
      true,
    ),
  ]);

  test.each([0, 1, 2, 3, 5])('a union schema whose bytes start at offset %i decodes', (shift) => {
    const bytes = encodeSchema(union);
    const arena = new Uint8Array(bytes.byteLength + shift);
    arena.set(bytes, shift);
    expect(String(decodeSchema(arena.subarray(shift)).fields[0]!.type)).toBe(String(union.fields[0]!.type));
    const decoder = new FlightDataDecoder();
    expect(decoder.decode(onWire(new FlightDataEncoder().schema(union), shift)).kind).toBe('schema');
  });

  test('an unreadable header is a ProtocolError', () => {
    expect(() =>
      decodeSchema(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 8, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8)),
    ).toThrow(ProtocolError);
  });
});
