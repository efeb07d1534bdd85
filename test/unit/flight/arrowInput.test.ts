/**
 * Arrow input from other copies of apache-arrow: a second apache-arrow 21 (a fresh module
 * registry, so distinct classes, as the ES module copy beside our CommonJS one) and apache-arrow
 * 14.0.2 (its 64-bit dates and timestamps sit in Int32Arrays). Every type, converted without
 * copying, serialises to the very bytes the original library writes.
 */
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import * as ours from 'apache-arrow';
import {
  arrowKind,
  ownBatchSource,
  ownData,
  ownRecordBatch,
  ownSchema,
  ownTable,
  ownType,
  ownVector,
} from '../../../src/flight/arrowInput';
import { FlightDataDecoder } from '../../../src/flight/decode';
import { FlightDataEncoder } from '../../../src/flight/encode';
import { decodeFlightData, encodeFlightData, type OutgoingFlightData } from '../../../src/flight/flightData';
import { descriptorToProto } from '../../../src/flight/types';
import { writeBatches } from '../../../src/flight/writeBatches';
import { InterfaceError } from '../../../src/errors';

let second: any;
jest.isolateModules(() => {
  second = require('apache-arrow');
});
const V14_DIR = path.resolve(
  __dirname,
  '../../../node_modules/@lakehouse-rs/flight-sql-client/node_modules/apache-arrow',
);
const v14: any = fs.existsSync(path.join(V14_DIR, 'package.json')) ? require(V14_DIR) : undefined;
if (!v14) {
  console.warn(`apache-arrow 14.0.2 is absent at ${V14_DIR} (npm ci installs it): its tests are skipped`);
}

const LIBRARIES: [string, any][] = [['a second apache-arrow 21', second]];
if (v14) LIBRARIES.push(['apache-arrow 14.0.2', v14]);

const N = 5;
/** Row 1 is null. */
const valid = () => Uint8Array.of(0b11101);

/** One column of every type `A` has, five rows, row 1 null where the column is nullable. */
function columns(A: any): [name: string, data: any, nullable?: boolean, metadata?: Map<string, string>][] {
  const f = (name: string, type: any, nullable = true) => new A.Field(name, type, nullable);
  const prim = (type: any, data: ArrayBufferView) =>
    A.makeData({ type, data, nullBitmap: valid(), length: N });
  const strings = A.vectorFromArray(['x', null, 'zz'], new A.Utf8()).data[0];
  const cols: [string, any, boolean?, Map<string, string>?][] = [
    ['i8', prim(new A.Int8(), Int8Array.of(1, 0, -3, 4, -128))],
    ['i16', prim(new A.Int16(), Int16Array.of(1, 0, -300, 4, -32768))],
    ['i32', prim(new A.Int32(), Int32Array.of(1, 0, -70000, 4, 2 ** 31 - 1)), true, new Map([['unit', 'm']])],
    ['i64', prim(new A.Int64(), BigInt64Array.of(1n, 0n, -(2n ** 40n), 4n, 2n ** 63n - 1n))],
    ['u8', A.makeData({ type: new A.Uint8(), data: Uint8Array.of(1, 2, 200, 4, 255) }), false],
    ['u16', prim(new A.Uint16(), Uint16Array.of(1, 0, 60000, 4, 65535))],
    ['u32', prim(new A.Uint32(), Uint32Array.of(1, 0, 4e9, 4, 2 ** 32 - 1))],
    ['u64', prim(new A.Uint64(), BigUint64Array.of(1n, 0n, 2n ** 63n, 4n, 2n ** 64n - 1n))],
    ['f16', prim(new A.Float16(), Uint16Array.of(0x3c00, 0, 0xc000, 0x7bff, 0x3555))],
    ['f32', prim(new A.Float32(), Float32Array.of(1.5, 0, -2.25, 1e30, NaN))],
    ['f64', prim(new A.Float64(), Float64Array.of(1.5, 0, -2.25, 1e300, -0))],
    ['utf8', A.vectorFromArray(['a', null, 'ccc', '', 'ééé'], new A.Utf8()).data[0]],
    [
      'binary',
      A.vectorFromArray(
        [Uint8Array.of(1), null, Uint8Array.of(), Uint8Array.of(2, 3), Uint8Array.of(255)],
        new A.Binary(),
      ).data[0],
    ],
    [
      'bool',
      A.makeData({ type: new A.Bool(), data: Uint8Array.of(0b10101), nullBitmap: valid(), length: N }),
    ],
    [
      'decimal',
      prim(
        new A.Decimal(2, 12, 128),
        Uint32Array.from({ length: 4 * N }, (_, i) => (i % 4 ? 0 : i)),
      ),
    ],
    ['date_day', prim(new A.DateDay(), Int32Array.of(0, 1, 18000, -1, 19000))],
    ['date_ms', prim(new A.DateMillisecond(), BigInt64Array.of(0n, 86400000n, -86400000n, 1n, 2n ** 40n))],
    ['time_s', prim(new A.TimeSecond(), Int32Array.of(0, 1, 86399, 3600, 60))],
    ['time_ms', prim(new A.TimeMillisecond(), Int32Array.of(0, 1, 86399999, 3600, 60))],
    ['time_us', prim(new A.TimeMicrosecond(), BigInt64Array.of(0n, 1n, 86399999999n, 3600n, 60n))],
    ['time_ns', prim(new A.TimeNanosecond(), BigInt64Array.of(0n, 1n, 86399999999999n, 3600n, 60n))],
    ['ts_s', prim(new A.TimestampSecond(), BigInt64Array.of(0n, 1n, -1n, 1700000000n, 2n ** 40n))],
    ['ts_ms_utc', prim(new A.TimestampMillisecond('UTC'), BigInt64Array.of(0n, 1n, -1n, 1700000000000n, 5n))],
    [
      'ts_us_paris',
      prim(new A.TimestampMicrosecond('Europe/Paris'), BigInt64Array.of(0n, 1n, -1n, 1700000000000000n, 5n)),
    ],
    ['ts_ns', prim(new A.TimestampNanosecond(), BigInt64Array.of(0n, 1n, -1n, 2n ** 62n, 5n))],
    ['iv_ym', prim(new A.IntervalYearMonth(), Int32Array.of(1, 0, -12, 24, 5))],
    ['iv_dt', prim(new A.IntervalDayTime(), Int32Array.of(1, 2, 0, 0, 3, 4, -5, 6, 7, 8))],
    ['dur_s', prim(new A.DurationSecond(), BigInt64Array.of(1n, 0n, -3n, 4n, 5n))],
    ['dur_ms', prim(new A.DurationMillisecond(), BigInt64Array.of(1n, 0n, -3n, 4n, 5n))],
    ['dur_us', prim(new A.DurationMicrosecond(), BigInt64Array.of(1n, 0n, -3n, 4n, 5n))],
    ['dur_ns', prim(new A.DurationNanosecond(), BigInt64Array.of(1n, 0n, -3n, 4n, 5n))],
    [
      'list',
      A.vectorFromArray([[1, 2], null, [], [3, null], [4, 5, 6]], new A.List(f('item', new A.Int32())))
        .data[0],
    ],
    [
      'struct',
      A.vectorFromArray(
        [{ a: 1, b: 'x' }, null, { a: null, b: 'z' }, { a: 4, b: null }, { a: 5, b: 'e' }],
        new A.Struct([f('a', new A.Int32()), f('b', new A.Utf8())]),
      ).data[0],
    ],
    [
      'dense_union',
      A.makeData({
        type: new A.DenseUnion([3, 7], [f('i', new A.Int32()), f('s', new A.Utf8())]),
        typeIds: Int8Array.of(3, 7, 7, 3, 7),
        valueOffsets: Int32Array.of(0, 0, 1, 1, 2),
        children: [A.makeData({ type: new A.Int32(), data: Int32Array.of(10, 20) }), strings],
      }),
    ],
    [
      'sparse_union',
      A.makeData({
        type: new A.SparseUnion([0, 1], [f('i', new A.Int32()), f('f', new A.Float64())]),
        typeIds: Int8Array.of(0, 1, 1, 0, 1),
        children: [
          A.makeData({
            type: new A.Int32(),
            data: Int32Array.of(1, 2, 3, 4, 5),
            nullBitmap: Uint8Array.of(0b11110),
          }),
          A.makeData({ type: new A.Float64(), data: Float64Array.of(0.5, 1.5, 2.5, 3.5, 4.5) }),
        ],
      }),
    ],
    [
      'fsb',
      A.makeData({
        type: new A.FixedSizeBinary(3),
        data: Uint8Array.from({ length: 3 * N }, (_, i) => i),
        nullBitmap: valid(),
        length: N,
      }),
    ],
    [
      'fsl',
      A.makeData({
        type: new A.FixedSizeList(2, f('item', new A.Float64())),
        child: A.makeData({
          type: new A.Float64(),
          data: Float64Array.from({ length: 2 * N }, (_, i) => i / 2),
        }),
        nullBitmap: valid(),
        length: N,
      }),
    ],
    [
      'map',
      A.makeData({
        type: new A.Map_(
          f('entries', new A.Struct([f('key', new A.Utf8(), false), f('value', new A.Int32())]), false),
          true,
        ),
        valueOffsets: Int32Array.of(0, 2, 2, 2, 3, 4),
        nullBitmap: valid(),
        length: N,
        child: A.makeData({
          type: new A.Struct([f('key', new A.Utf8(), false), f('value', new A.Int32())]),
          length: 4,
          children: [
            A.vectorFromArray(['a', 'b', 'c', 'd'], new A.Utf8()).data[0],
            A.makeData({
              type: new A.Int32(),
              data: Int32Array.of(1, 0, 3, 4),
              nullBitmap: Uint8Array.of(0b1101),
            }),
          ],
        }),
      }),
    ],
    [
      'dict',
      A.vectorFromArray(['a', 'b', null, 'a', 'c'], new A.Dictionary(new A.Utf8(), new A.Int32(), 70, true))
        .data[0],
    ],
    [
      'list_dict',
      A.vectorFromArray(
        [['a'], null, [], ['b', 'a'], ['c']],
        new A.List(f('item', new A.Dictionary(new A.Utf8(), new A.Int16(), 71))),
      ).data[0],
    ],
    ['null', A.makeData({ type: new A.Null(), length: N })],
  ];
  // Types newer than apache-arrow 14.
  if (A.LargeUtf8) {
    cols.push(
      ['large_utf8', A.vectorFromArray(['a', null, 'ccc', '', 'ééé'], new A.LargeUtf8()).data[0]],
      [
        'large_binary',
        A.vectorFromArray(
          [Uint8Array.of(1), null, Uint8Array.of(), Uint8Array.of(2), Uint8Array.of(3)],
          new A.LargeBinary(),
        ).data[0],
      ],
      [
        'decimal256',
        prim(
          new A.Decimal(3, 40, 256),
          Uint32Array.from({ length: 8 * N }, (_, i) => (i % 8 ? 0 : i)),
        ),
      ],
      [
        'iv_mdn',
        prim(
          new A.IntervalMonthDayNano(),
          Int32Array.from({ length: 4 * N }, (_, i) => i - 3),
        ),
      ],
    );
  }
  if (A.LargeList) {
    cols.push([
      'large_list',
      A.vectorFromArray([[1], null, [], [2, 3], [4]], new A.LargeList(f('item', new A.Int16()))).data[0],
    ]);
  }
  return cols;
}

/** A two-batch Table of every type (the second batch a slice, so offsets are not zero). */
function allTypes(A: any) {
  const cols = columns(A);
  const fields = cols.map(
    ([name, data, nullable = true, metadata]) => new A.Field(name, data.type, nullable, metadata),
  );
  const schema = new A.Schema(fields, new Map([['origin', 'arrowInput.test']]));
  const data = A.makeData({
    type: new A.Struct(fields),
    length: N,
    nullCount: 0,
    children: cols.map((c) => c[1]),
  });
  const batch = new A.RecordBatch(schema, data);
  return new A.Table(schema, [batch, batch.slice(1, 4)]);
}

/** The parameters of a type, whatever copy built it. */
function typeFacts(t: any): unknown {
  const facts: Record<string, unknown> = { typeId: t.typeId };
  for (const key of [
    'bitWidth',
    'isSigned',
    'precision',
    'scale',
    'unit',
    'byteWidth',
    'listSize',
    'mode',
    'keysSorted',
    'id',
    'isOrdered',
  ]) {
    if (t[key] !== undefined && t[key] !== null) facts[key] = t[key];
  }
  if (t.typeId === ours.Type.Timestamp) facts.timezone = t.timezone ?? null;
  if (t.typeIds) facts.typeIds = Array.from(t.typeIds);
  if (t.typeId === ours.Type.Dictionary) {
    facts.indices = typeFacts(t.indices);
    facts.dictionary = typeFacts(t.dictionary);
  } else if (t.children) {
    facts.children = t.children.map(fieldFacts);
  }
  return facts;
}

function fieldFacts(f: any): unknown {
  return { name: f.name, nullable: f.nullable, metadata: [...f.metadata], type: typeFacts(f.type) };
}

/** Rows as plain values (no classes), to compare the reading of two copies. */
function plain(v: any): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : v;
  if (v instanceof Date) return v.getTime();
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<unknown>, plain);
  if (typeof v.get === 'function' && v.type && typeof v.length === 'number') return valuesOf(v);
  if (typeof v.toJSON === 'function') return plain(v.toJSON());
  if (v instanceof Map) return [...v].map(([k, x]) => [plain(k), plain(x)]);
  if (Array.isArray(v)) return v.map(plain);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
}

/** A Vector's values by `get` (`toArray` gives 0 for a null int). */
function valuesOf(vector: any): unknown[] {
  const values: unknown[] = [];
  for (let r = 0; r < vector.length; r++) values.push(plain(vector.get(r)));
  return values;
}

/** Column by column, every value. */
function rows(table: any): unknown[][] {
  const out: unknown[][] = [];
  for (let c = 0; c < table.numCols; c++) out.push(valuesOf(table.getChildAt(c)));
  return out;
}

/** By the prototype chain: our classes' `instanceof` also answers true for another copy's objects. */
const inherits = (cls: { prototype: object }, x: object) =>
  Object.prototype.isPrototypeOf.call(cls.prototype, x);

const isOurType = (t: any): boolean =>
  inherits(ours.DataType, t) &&
  (t.typeId === ours.Type.Dictionary
    ? isOurType(t.indices) && isOurType(t.dictionary)
    : (t.children ?? []).every(
        (f: any) => Object.getPrototypeOf(f) === ours.Field.prototype && isOurType(f.type),
      ));

const isOurData = (d: any): boolean =>
  Object.getPrototypeOf(d) === ours.Data.prototype &&
  isOurType(d.type) &&
  d.children.every(isOurData) &&
  (!d.dictionary ||
    (Object.getPrototypeOf(d.dictionary) === ours.Vector.prototype && d.dictionary.data.every(isOurData)));

/** Every buffer of `theirs` is the same memory in `mine`: same ArrayBuffer, same offset. */
function expectSameBuffers(mine: any, theirs: any, where: string) {
  for (const key of ['values', 'valueOffsets', 'nullBitmap', 'typeIds']) {
    const a = theirs[key];
    if (!a || a.byteLength === 0) continue;
    expect({
      where,
      key,
      same: mine[key].buffer === a.buffer && mine[key].byteOffset === a.byteOffset,
    }).toEqual({
      where,
      key,
      same: true,
    });
  }
  (theirs.variadicBuffers ?? []).forEach((b: any, i: number) =>
    expect(mine.variadicBuffers[i].buffer).toBe(b.buffer),
  );
  theirs.children.forEach((c: any, i: number) => expectSameBuffers(mine.children[i], c, `${where}.${i}`));
  theirs.dictionary?.data.forEach((c: any, i: number) =>
    expectSameBuffers(mine.dictionary.data[i], c, `${where}.dictionary`),
  );
}

/** Encodes with our FlightDataEncoder and decodes with our FlightDataDecoder, through the wire format. */
function throughFlight(schema: ours.Schema, batches: ours.RecordBatch[]) {
  const encoder = new FlightDataEncoder();
  const decoder = new FlightDataDecoder();
  const messages = [encoder.schema(schema), ...batches.flatMap((b) => [...encoder.batch(b)])];
  return decodeAll(decoder, messages);
}

/**
 * Through the wire format, with each header copied to offset 0: apache-arrow reads a Union's type
 * ids from the flatbuffer as an Int32Array, which throws on a header that does not start 4-aligned
 * in its ArrayBuffer (FlightDataDecoder passes the header as it lies in the gRPC frame).
 */
function onWire(m: OutgoingFlightData) {
  const raw = decodeFlightData(encodeFlightData(m));
  return { ...raw, header: new Uint8Array(raw.header) };
}

function decodeAll(decoder: FlightDataDecoder, messages: OutgoingFlightData[]) {
  const out: ours.RecordBatch[] = [];
  let dictionaries = 0;
  for (const m of messages) {
    const payload = decoder.decode(onWire(m));
    if (payload.kind === 'batch') out.push(payload.batch);
    if (payload.kind === 'dictionary') dictionaries++;
  }
  return { batches: out, dictionaries };
}

describe.each(LIBRARIES)('from %s', (_name, A) => {
  const original = allTypes(A);
  const converted = ownTable(original);

  test('the library really is another copy: its classes are not ours', () => {
    expect(A.Table).not.toBe(ours.Table);
    expect(Object.getPrototypeOf(original)).not.toBe(ours.Table.prototype);
    expect(original.schema.fields[0].type instanceof ours.Int).toBe(false);
  });

  test('a Table of every type becomes ours, down to every DataType and Data', () => {
    expect(Object.getPrototypeOf(converted)).toBe(ours.Table.prototype);
    expect(Object.getPrototypeOf(converted.schema)).toBe(ours.Schema.prototype);
    expect(converted.batches).toHaveLength(2);
    for (const batch of converted.batches) {
      expect(Object.getPrototypeOf(batch)).toBe(ours.RecordBatch.prototype);
      expect(batch.data.children.every(isOurData)).toBe(true);
    }
    expect(converted.schema.fields.every((f) => isOurType(f.type))).toBe(true);
  });

  test('the schema is the same: names, types and their parameters, nullability, metadata', () => {
    expect(converted.schema.fields.map(fieldFacts)).toEqual(original.schema.fields.map(fieldFacts));
    expect([...converted.schema.metadata]).toEqual([['origin', 'arrowInput.test']]);
    expect(converted.schema.fields.find((f) => f.name === 'i32')!.metadata.get('unit')).toBe('m');
    expect(converted.schema.fields.find((f) => f.name === 'u8')!.nullable).toBe(false);
    if (A === second) {
      expect(converted.schema.fields.map((f) => String(f.type))).toEqual(
        original.schema.fields.map((f: any) => String(f.type)),
      );
    }
  });

  test('our tableToIPC writes the very bytes the original library writes', () => {
    expect(Buffer.from(ours.tableToIPC(converted)).equals(Buffer.from(A.tableToIPC(original)))).toBe(true);
    expect(
      Buffer.from(ours.tableToIPC(converted, 'file')).equals(Buffer.from(A.tableToIPC(original, 'file'))),
    ).toBe(true);
  });

  test('the values are the same, row by row', () => {
    // Read by our copy from the original library's own serialisation: the same values, our way.
    expect(rows(converted)).toEqual(rows(ours.tableFromIPC(A.tableToIPC(original))));
    if (A === second) expect(rows(converted)).toEqual(rows(original));
  });

  test('no buffer is copied', () => {
    converted.batches.forEach((batch, b) =>
      batch.data.children.forEach((child, c) =>
        expectSameBuffers(
          child,
          original.batches[b].data.children[c],
          `${b}:${original.schema.fields[c].name}`,
        ),
      ),
    );
  });

  test('through our Flight encoder and decoder, the values arrive unchanged (dictionaries sent once)', () => {
    const { batches, dictionaries } = throughFlight(converted.schema, converted.batches);
    expect(rows(new ours.Table(batches))).toEqual(rows(converted));
    expect(dictionaries).toBe(2); // dict and list_dict, once for both batches
  });

  test('writeBatches takes the Table, a RecordBatch, IPC bytes and (async) iterables of its batches', async () => {
    const expected = rows(converted);
    const tail = rows(new ours.Table(converted.batches[1]!));
    const sources: [unknown, unknown[][]][] = [
      [original, expected],
      [original.batches, expected],
      [
        (async function* () {
          yield* original.batches;
        })(),
        expected,
      ],
      [original.batches[1], tail],
      [A.tableToIPC(original), expected],
    ];
    for (const [source, want] of sources) {
      const call = new FakeCall();
      await writeBatches(
        call as any,
        descriptorToProto({ type: 'path', path: ['t'] }),
        source as any,
        undefined,
      );
      expect(call.ended).toBe(true);
      const { batches } = decodeAll(new FlightDataDecoder(), call.sent);
      expect(rows(new ours.Table(batches))).toEqual(want);
    }
  });

  test('a schema of the library is accepted as the schema to send', async () => {
    const call = new FakeCall();
    await writeBatches(call as any, descriptorToProto({ type: 'path', path: ['t'] }), [], original.schema);
    const decoder = new FlightDataDecoder();
    const payload = decoder.decode(onWire(call.sent[0]!));
    expect(payload.kind === 'schema' && payload.schema.fields.map(fieldFacts)).toEqual(
      original.schema.fields.map(fieldFacts),
    );
  });

  test('RecordBatch, Schema, Vector, Data and DataType each convert on their own', () => {
    const batch = ownRecordBatch(original.batches[1]);
    expect(Object.getPrototypeOf(batch)).toBe(ours.RecordBatch.prototype);
    expect(rows(new ours.Table(batch))).toEqual(rows(new ours.Table(converted.batches[1]!)));
    expect(Object.getPrototypeOf(ownSchema(original.schema))).toBe(ours.Schema.prototype);
    for (let c = 0; c < original.numCols; c++) {
      const vector = ownVector(original.getChildAt(c));
      // A Vector of many chunks takes a per-type prototype below Vector.prototype.
      expect(inherits(ours.Vector, vector)).toBe(true);
      expect(vector.data.every(isOurData)).toBe(true);
      expect(vector.data).toHaveLength(2);
      expect(valuesOf(vector)).toEqual(rows(converted)[c]);
      expect(isOurData(ownData(original.batches[0].data.children[c]))).toBe(true);
      expect(typeFacts(ownType(original.schema.fields[c].type))).toEqual(
        typeFacts(original.schema.fields[c].type),
      );
    }
  });

  test('arrowKind recognises each kind by shape', () => {
    expect(arrowKind(original)).toBe('table');
    expect(arrowKind(original.batches[0])).toBe('batch');
    expect(arrowKind(original.schema)).toBe('schema');
    expect(arrowKind(original.schema.fields[0])).toBe('field');
    expect(arrowKind(original.getChildAt(0))).toBe('vector');
    expect(arrowKind(original.batches[0].data)).toBe('data');
    expect(arrowKind(original.schema.fields[0].type)).toBe('type');
    expect(arrowKind({ a: 1 })).toBeUndefined();
  });

  test('IPC bytes are read with our tableFromIPC (stream and file)', () => {
    for (const format of ['stream', 'file']) {
      const table = ownTable(A.tableToIPC(original, format));
      expect(Object.getPrototypeOf(table)).toBe(ours.Table.prototype);
      expect(rows(table)).toEqual(rows(converted));
    }
    const empty = ownTable(A.tableToIPC(new A.Table(original.schema)));
    expect(empty.numRows).toBe(0);
    expect(empty.batches).toHaveLength(0);
    expect(empty.schema.fields.map(fieldFacts)).toEqual(original.schema.fields.map(fieldFacts));
  });

  test('random int, utf8 and list columns with nulls, sliced anywhere, convert to the same bytes', () => {
    const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
    const column = fc.oneof(
      fc.record({
        kind: fc.constant('int' as const),
        values: fc.array(nullable(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }))),
      }),
      fc.record({
        kind: fc.constant('utf8' as const),
        values: fc.array(nullable(fc.string({ unit: 'grapheme' }))),
      }),
      fc.record({
        kind: fc.constant('list' as const),
        values: fc.array(
          nullable(fc.array(nullable(fc.integer({ min: -1000, max: 1000 })), { maxLength: 4 })),
        ),
      }),
    );
    const typeOf = (kind: string) =>
      kind === 'int'
        ? new A.Int32()
        : kind === 'utf8'
          ? new A.Utf8()
          : new A.List(new A.Field('item', new A.Int32(), true));
    fc.assert(
      fc.property(fc.array(column, { minLength: 1, maxLength: 4 }), fc.nat(), fc.nat(), (cols, s, e) => {
        const length = Math.min(...cols.map((c) => c.values.length));
        const vectors = Object.fromEntries(
          cols.map((c, i) => [`c${i}`, A.vectorFromArray(c.values.slice(0, length), typeOf(c.kind))]),
        );
        const table = new A.Table(vectors);
        const [begin, end] = length ? [s % (length + 1), e % (length + 1)].sort((x, y) => x - y) : [0, 0];
        const sliced = table.slice(begin, end);
        for (const t of [table, sliced]) {
          const mine = ownTable(t);
          expect(rows(mine)).toEqual(rows(ours.tableFromIPC(A.tableToIPC(t))));
          expect(Buffer.from(ours.tableToIPC(mine)).equals(Buffer.from(A.tableToIPC(t)))).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  });
});

/** The writing half of a grpc-js duplex call, enough for writeBatches. */
class FakeCall extends EventEmitter {
  destroyed = false;
  ended = false;
  sent: OutgoingFlightData[] = [];
  write(message: OutgoingFlightData) {
    this.sent.push(message);
    return true;
  }
  end() {
    this.ended = true;
  }
}

describe('our own objects', () => {
  const table = ours.tableFromArrays({ a: Int32Array.of(1, 2), s: ['x', 'y'] });

  test('pass through untouched', () => {
    expect(ownTable(table)).toBe(table);
    expect(ownRecordBatch(table.batches[0])).toBe(table.batches[0]);
    expect(ownSchema(table.schema)).toBe(table.schema);
    const vector = table.getChildAt(0)!;
    expect(ownVector(vector)).toBe(vector);
    expect(ownData(table.batches[0]!.data)).toBe(table.batches[0]!.data);
    expect(ownType(table.schema.fields[0]!.type)).toBe(table.schema.fields[0]!.type);
    const source = ownBatchSource(table);
    expect(source.batches).toBe(table.batches);
    expect(source.schema).toBe(table.schema);
  });

  test('an iterable of our batches yields them as they are', () => {
    expect([...(ownBatchSource(table.batches).batches as Iterable<ours.RecordBatch>)]).toEqual(table.batches);
  });
});

// Not in the Table above: apache-arrow 21's own IPC writer drops the view buffers of a sliced batch.
describe('view types (apache-arrow 21) from another copy', () => {
  const long = 'a string longer than twelve bytes, kept in a variadic buffer';
  const table = new second.Table({
    utf8_view: second.vectorFromArray(['short', null, long, '', 'x'], new second.Utf8View()),
    binary_view: second.vectorFromArray(
      [Uint8Array.of(1), null, new TextEncoder().encode(long), Uint8Array.of(), Uint8Array.of(9)],
      new second.BinaryView(),
    ),
  });

  test('keep their views and variadic buffers, uncopied, and serialise to the same bytes', () => {
    const mine = ownTable(table);
    expect(mine.schema.fields.map((f) => String(f.type))).toEqual(['Utf8View', 'BinaryView']);
    expect(Buffer.from(ours.tableToIPC(mine)).equals(Buffer.from(second.tableToIPC(table)))).toBe(true);
    expect(rows(mine)).toEqual(rows(table));
    expect(rows(mine)[0]).toEqual(['short', null, long, '', 'x']);
    mine.batches[0]!.data.children.forEach((child, c) =>
      expectSameBuffers(child, table.batches[0].data.children[c], String(c)),
    );
    const { batches } = throughFlight(mine.schema, mine.batches);
    expect(rows(new ours.Table(batches))).toEqual(rows(table));
  });
});

describe('a buffer stored narrower than our type reads it', () => {
  // apache-arrow 14 keeps 64-bit timestamps in Int32Arrays, which may start 4- but not 8-aligned.
  const timestamp = { typeId: ours.Type.Timestamp, unit: ours.TimeUnit.MILLISECOND, timezone: 'UTC' };
  const data = (values: Int32Array) => ({
    type: timestamp,
    offset: 0,
    length: 2,
    nullCount: 0,
    values,
    children: [],
  });
  const arena = new ArrayBuffer(24);
  new BigInt64Array(arena).set([0n, 1700000000000n, -5n]);

  test('is re-viewed in place when aligned for it', () => {
    const theirs = new Int32Array(arena, 8, 4);
    const mine = ownData(data(theirs));
    expect(mine.values).toBeInstanceOf(BigInt64Array);
    expect(mine.values.buffer).toBe(arena);
    expect([...new ours.Vector([mine])]).toEqual([1700000000000, -5]);
  });

  test('is copied, only then, when misaligned', () => {
    const shifted = new ArrayBuffer(28);
    new Uint8Array(shifted, 4).set(new Uint8Array(arena, 8, 16));
    const mine = ownData(data(new Int32Array(shifted, 4, 4)));
    expect(mine.values.buffer).not.toBe(shifted);
    expect([...new ours.Vector([mine])]).toEqual([1700000000000, -5]);
  });
});

describe('a dictionary shared by the batches of another copy', () => {
  test('is sent once, then as deltas when it grows, as with our own batches', () => {
    const type = new second.Dictionary(new second.Utf8(), new second.Int32(), 5);
    const first = second.vectorFromArray(['a', 'b', 'a'], type).data[0];
    const dictionary = first.dictionary;
    const again = second.makeData({ type, data: Int32Array.of(1, 0), dictionary });
    const grown = second.makeData({
      type,
      data: Int32Array.of(2),
      dictionary: dictionary.concat(second.vectorFromArray(['c'], new second.Utf8())),
    });
    const schema = new second.Schema([new second.Field('d', type, true)]);
    const batches = [first, again, grown].map(
      (d) =>
        new second.RecordBatch(
          schema,
          second.makeData({ type: new second.Struct(schema.fields), length: d.length, children: [d] }),
        ),
    );
    const mine = batches.map(ownRecordBatch);
    expect(mine[1]!.dictionaries.get(5)!.data[0]).toBe(mine[0]!.dictionaries.get(5)!.data[0]);
    const encoder = new FlightDataEncoder();
    const decoder = new FlightDataDecoder();
    const messages = [encoder.schema(mine[0]!.schema), ...mine.flatMap((b) => [...encoder.batch(b)])];
    const payloads = messages.map((m) => decoder.decode(onWire(m)));
    expect(
      payloads.filter((p) => p.kind === 'dictionary').map((p) => p.kind === 'dictionary' && p.isDelta),
    ).toEqual([false, true]);
    const decoded = payloads.flatMap((p) => (p.kind === 'batch' ? [p.batch] : []));
    expect(rows(new ours.Table(decoded))).toEqual([['a', 'b', 'a', 'b', 'a', 'c']]);
  });
});

describe('what is not Arrow is an InterfaceError that says what was expected', () => {
  test.each([
    [42, /got a number \(42\)/],
    ['abc', /got a string \("abc"\)/],
    [null, /got null/],
    [undefined, /got undefined/],
    [{ a: 1, b: 2 }, /got a plain object with keys a, b/],
    [[{ a: 1 }], /got an array of 1 \(the first is a plain object with keys a\)/],
    [new Map(), /got a Map/],
    [() => 1, /got a function/],
    [Int32Array.of(1), /got an Int32Array/],
  ])('%p', (input, message) => {
    for (const convert of [ownTable, ownRecordBatch, ownSchema, ownVector, ownData, ownType]) {
      expect(() => convert(input)).toThrow(InterfaceError);
      expect(() => convert(input)).toThrow(message);
    }
    expect(() => ownTable(input)).toThrow(/expected an apache-arrow Table or Arrow IPC bytes/);
    expect(() => ownRecordBatch(input)).toThrow(/expected an apache-arrow RecordBatch/);
  });

  test('as the input of writeBatches, before anything is sent or listened to', async () => {
    for (const input of [42, 'abc', { a: 1 }, null]) {
      const call = new FakeCall();
      const put = writeBatches(
        call as any,
        descriptorToProto({ type: 'path', path: ['t'] }),
        input as any,
        undefined,
      );
      await expect(put).rejects.toThrow(InterfaceError);
      await expect(put).rejects.toThrow(
        /expected an apache-arrow Table, RecordBatch, Arrow IPC bytes, or an \(async\) iterable/,
      );
      expect(call.sent).toHaveLength(0);
      expect(call.listenerCount('status')).toBe(0);
    }
  });

  test('an Arrow object that is not a batch source is named', () => {
    const table = second.tableFromArrays({ a: Int32Array.of(1) });
    expect(() => ownBatchSource(table.getChildAt(0))).toThrow(/got an apache-arrow Vector/);
    expect(() => ownBatchSource(table.schema)).toThrow(/got an apache-arrow Schema/);
    expect(() => ownTable(table.batches[0])).toThrow(/got an apache-arrow RecordBatch/);
  });

  test('an iterable of rows fails at its first item, naming it', async () => {
    const call = new FakeCall();
    const put = writeBatches(
      call as any,
      descriptorToProto({ type: 'path', path: ['t'] }),
      [{ a: 1 }] as any,
      undefined,
    );
    await expect(put).rejects.toThrow(
      /item 0 of the batches: expected an apache-arrow RecordBatch, got a plain object/,
    );
    await expect(
      (async () => {
        for await (const _ of ownBatchSource(
          (async function* () {
            yield 7;
          })(),
        ).batches);
      })(),
    ).rejects.toThrow(/item 0 of the batches: .*got a number \(7\)/);
  });

  test('bytes that are not Arrow IPC', () => {
    expect(() => ownTable(Uint8Array.of(1, 2, 3))).toThrow(
      /expected Arrow IPC bytes .*without an Arrow schema/,
    );
    expect(() => ownTable(Buffer.from('hello, this is not arrow at all'))).toThrow(/do not read as Arrow/);
    expect(() => ownTable(Buffer.from('hello, this is not arrow at all'))).toThrow(InterfaceError);
  });

  test('a Table of apache-arrow before 9 is named as such', () => {
    const old = { schema: { fields: [] }, chunks: [], length: 0 };
    expect(() => ownBatchSource(old)).toThrow(/a Table of apache-arrow older than 9/);
  });

  test('a type our apache-arrow does not have is named with its column', () => {
    const future = { typeId: 99, toString: () => 'Future<Int32>' };
    const table = {
      schema: {
        fields: [{ name: 'x', type: future, nullable: true, metadata: new Map() }],
        metadata: new Map(),
      },
      batches: [],
    };
    expect(() => ownTable(table)).toThrow(InterfaceError);
    expect(() => ownTable(table)).toThrow(/column "x" has the Arrow type Future<Int32> \(type id 99\)/);
  });

  test('data laid out as no version we read says to pass IPC bytes instead', () => {
    const int32 = { typeId: ours.Type.Int, isSigned: true, bitWidth: 32 };
    const field = { name: 'n', type: int32, nullable: true, metadata: new Map() };
    const schema = { fields: [field], metadata: new Map() };
    const struct = { typeId: ours.Type.Struct, children: [field] };
    const column = { type: int32, offset: 0, length: 3, nullCount: 0, values: [1, 2, 3], children: [] };
    const batch = {
      schema,
      numRows: 3,
      data: { type: struct, offset: 0, length: 3, nullCount: 0, children: [column] },
    };
    expect(() => ownRecordBatch(batch)).toThrow(InterfaceError);
    expect(() => ownRecordBatch(batch)).toThrow(
      /column "n" comes from an apache-arrow that flightsql cannot read directly/,
    );
    expect(() => ownRecordBatch(batch)).toThrow(/Arrow IPC bytes \(tableToIPC\(table\)/);
    const good = { ...column, values: Int32Array.of(1, 2, 3) };
    const fixed = ownRecordBatch({ ...batch, data: { ...batch.data, children: [good] } });
    expect(fixed.getChildAt(0)!.toArray()).toEqual(Int32Array.of(1, 2, 3));
  });
});
