/**
 * Structural verification of an IPC `Message` flatbuffer before apache-arrow reads it.
 *
 * apache-arrow's flatbuffers accessors read whatever an offset points at: outside the buffer
 * they read `undefined` (so a truncated Schema becomes fields `null: Null`), and a shared or
 * cyclic offset makes its recursive decoding explode. This follows the flatbuffers C++
 * `Verifier` as Arrow C++ configures it (`VerifyFlatbuffers`: depth 128, at most 8 tables per
 * byte): every table, vtable, vector, string and scalar the Arrow schema (Message.fbs,
 * Schema.fbs) declares must lie inside the buffer and be aligned, offsets must point forward,
 * and the tables a message cannot do without (a header, Schema.fields, RecordBatch.nodes and
 * .buffers, DictionaryBatch.data, Field.type) must be there.
 * Cost: O(header bytes); nothing is allocated per claimed length.
 */
import { protocolError } from '../errors';

const MAX_DEPTH = 128;
const TABLES_PER_BYTE = 8;
/** Offsets and sizes read as int16 / int32 by the JS accessors must not look negative to them. */
const MAX_VOFFSET = 0x7fff;
const MAX_UOFFSET = 0x7fffffff;

/** Message.header_type values (Message.fbs `union MessageHeader`). */
const SCHEMA = 1;
const DICTIONARY_BATCH = 2;
const RECORD_BATCH = 3;

/** Type union members (Schema.fbs `union Type`) whose tables have fields. */
const enum TypeTable {
  Int = 2,
  FloatingPoint = 3,
  Decimal = 7,
  Date = 8,
  Time = 9,
  Timestamp = 10,
  Interval = 11,
  Union = 14,
  FixedSizeBinary = 15,
  FixedSizeList = 16,
  Map = 17,
  Duration = 18,
}

interface Table {
  readonly pos: number;
  readonly vtable: number;
  readonly vsize: number;
}

class Verifier {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #maxTables: number;
  #tables = 0;
  #depth = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#maxTables = TABLES_PER_BYTE * bytes.byteLength;
  }

  fail(what: string): never {
    throw protocolError(`the IPC message header is not a well-formed flatbuffer: ${what}`);
  }

  /** `size` bytes at `pos` lie inside the buffer, `pos` aligned to `align`. */
  need(pos: number, size: number, align: number, what: string): void {
    if (pos < 0 || size < 0 || pos + size > this.#bytes.byteLength) {
      this.fail(`${what} at byte ${pos} (+${size}) lies outside the ${this.#bytes.byteLength}-byte header`);
    }
    // Positions are relative to the header, which the decoder keeps 8-byte aligned.
    if (pos % align !== 0) this.fail(`${what} at byte ${pos} is not ${align}-byte aligned`);
  }

  u8(pos: number): number {
    return this.#bytes[pos]!;
  }

  i16(pos: number): number {
    return this.#view.getInt16(pos, true);
  }

  /** The root table (a uoffset at byte 0). */
  root(): Table {
    this.need(0, 4, 4, 'the root offset');
    return this.table(this.#forward(0, 'the root offset'), 'Message');
  }

  /** A uoffset at `pos` (already checked to be readable): its target, checked to be inside. */
  #forward(pos: number, what: string): number {
    const offset = this.#view.getUint32(pos, true);
    if (offset === 0 || offset > MAX_UOFFSET) this.fail(`${what} at byte ${pos} is ${offset}`);
    const target = pos + offset;
    this.need(target, 1, 1, `the target of ${what}`);
    return target;
  }

  /** VerifyTableStart: the vtable offset, the vtable, its size; counts depth and tables. */
  table(pos: number, what: string): Table {
    if (++this.#depth > MAX_DEPTH) this.fail(`tables nest deeper than ${MAX_DEPTH}`);
    if (++this.#tables > this.#maxTables)
      this.fail(`more tables than a ${this.#bytes.byteLength}-byte header can hold`);
    this.need(pos, 4, 4, `table ${what}`);
    const vtable = pos - this.#view.getInt32(pos, true);
    this.need(vtable, 4, 2, `the vtable of ${what}`);
    const vsize = this.#view.getUint16(vtable, true);
    if (vsize < 4 || vsize % 2 !== 0 || vsize > MAX_VOFFSET)
      this.fail(`the vtable of ${what} has size ${vsize}`);
    this.need(vtable, vsize, 2, `the vtable of ${what}`);
    const inline = this.#view.getUint16(vtable + 2, true);
    if (inline < 4 || inline > MAX_VOFFSET) this.fail(`table ${what} has inline size ${inline}`);
    this.need(pos, inline, 1, `table ${what}`);
    return { pos, vtable, vsize };
  }

  end(): void {
    this.#depth--;
  }

  /** Where field `slot` of `t` is stored, or 0 when absent (the default applies). */
  field(t: Table, slot: number): number {
    const entry = 4 + 2 * slot;
    if (entry >= t.vsize) return 0;
    const offset = this.#view.getUint16(t.vtable + entry, true);
    if (offset > MAX_VOFFSET) this.fail(`field ${slot} has vtable offset ${offset}`);
    return offset === 0 ? 0 : t.pos + offset;
  }

  /** A scalar field of `size` bytes (aligned to its size, as builders write it). */
  scalar(t: Table, slot: number, size: number, what: string): number {
    const pos = this.field(t, slot);
    if (pos) this.need(pos, size, size, what);
    return pos;
  }

  /** The target of an offset field (table, vector, string), or 0 when absent. */
  offset(t: Table, slot: number, what: string): number {
    const pos = this.field(t, slot);
    if (!pos) return 0;
    this.need(pos, 4, 4, what);
    return this.#forward(pos, what);
  }

  /** A vector field: its element count and where the elements start, or null when absent. */
  vector(t: Table, slot: number, elementSize: number, what: string): { start: number; count: number } | null {
    const at = this.offset(t, slot, what);
    return at ? this.#vectorAt(at, elementSize, what) : null;
  }

  #vectorAt(at: number, elementSize: number, what: string): { start: number; count: number } {
    this.need(at, 4, 4, `the length of ${what}`);
    const count = this.#view.getUint32(at, true);
    if (count >= MAX_UOFFSET / elementSize) this.fail(`${what} claims ${count} elements`);
    this.need(at + 4, count * elementSize, 1, what);
    return { start: at + 4, count };
  }

  string(t: Table, slot: number, what: string): void {
    const v = this.vector(t, slot, 1, what);
    if (!v) return;
    this.need(v.start + v.count, 1, 1, `the terminator of ${what}`);
    if (this.u8(v.start + v.count) !== 0) this.fail(`${what} is not zero-terminated`);
  }

  /** A vector of tables: verifies each element with `each`. */
  tables(t: Table, slot: number, what: string, each: (table: Table) => void): boolean {
    const v = this.vector(t, slot, 4, what);
    if (!v) return false;
    for (let i = 0; i < v.count; i++) {
      const element = this.table(this.#forward(v.start + 4 * i, `${what}[${i}]`), `${what}[${i}]`);
      each(element);
      this.end();
    }
    return true;
  }

  /** A table field, verified with `each`; false when absent. */
  child(t: Table, slot: number, what: string, each: (table: Table) => void): boolean {
    const at = this.offset(t, slot, what);
    if (!at) return false;
    const table = this.table(at, what);
    each(table);
    this.end();
    return true;
  }
}

/**
 * Verifies an IPC `Message` flatbuffer (no continuation marker or length prefix) whose first
 * byte is 8-byte aligned. Throws a ProtocolError naming what is broken; returns the header type.
 */
export function verifyMessageHeader(bytes: Uint8Array): number {
  const v = new Verifier(bytes);
  const message = v.root();
  v.scalar(message, 0, 2, 'Message.version');
  const typePos = v.scalar(message, 1, 1, 'Message.header_type');
  v.scalar(message, 3, 8, 'Message.bodyLength');
  keyValues(v, message, 4, 'Message.custom_metadata');
  const headerType = typePos ? v.u8(typePos) : 0;
  // Other header types (Tensor, SparseTensor) are refused by the decoder without being read.
  if (headerType === SCHEMA || headerType === DICTIONARY_BATCH || headerType === RECORD_BATCH) {
    const present = v.child(message, 2, 'Message.header', (header) => {
      if (headerType === SCHEMA) schema(v, header);
      else if (headerType === RECORD_BATCH) recordBatch(v, header, 'RecordBatch');
      else dictionaryBatch(v, header);
    });
    if (!present) v.fail('the Message has no header table');
  }
  v.end();
  return headerType;
}

function keyValues(v: Verifier, t: Table, slot: number, what: string): void {
  v.tables(t, slot, what, (kv) => {
    v.string(kv, 0, `${what} key`);
    v.string(kv, 1, `${what} value`);
  });
}

function schema(v: Verifier, t: Table): void {
  const endianness = v.scalar(t, 0, 2, 'Schema.endianness');
  // apache-arrow reads every buffer little-endian and keeps no record of this flag.
  if (endianness && v.i16(endianness) !== 0) v.fail('big-endian data is not supported');
  if (!v.tables(t, 1, 'Schema.fields', (f) => field(v, f))) v.fail('the Schema has no fields vector');
  keyValues(v, t, 2, 'Schema.custom_metadata');
  v.vector(t, 3, 8, 'Schema.features');
}

function field(v: Verifier, t: Table): void {
  v.string(t, 0, 'Field.name');
  v.scalar(t, 1, 1, 'Field.nullable');
  const typePos = v.scalar(t, 2, 1, 'Field.type_type');
  const typeType = typePos ? v.u8(typePos) : 0;
  if (typeType === 0) v.fail('a Field has no type');
  if (!v.child(t, 3, 'Field.type', (type) => typeTable(v, type, typeType)))
    v.fail('a Field has no type table');
  v.child(t, 4, 'Field.dictionary', (d) => {
    v.scalar(d, 0, 8, 'DictionaryEncoding.id');
    v.child(d, 1, 'DictionaryEncoding.indexType', (int) => typeTable(v, int, TypeTable.Int));
    v.scalar(d, 2, 1, 'DictionaryEncoding.isOrdered');
    v.scalar(d, 3, 2, 'DictionaryEncoding.dictionaryKind');
  });
  v.tables(t, 5, 'Field.children', (child) => field(v, child));
  keyValues(v, t, 6, 'Field.custom_metadata');
}

function typeTable(v: Verifier, t: Table, type: number): void {
  switch (type) {
    case TypeTable.Int:
      v.scalar(t, 0, 4, 'Int.bitWidth');
      v.scalar(t, 1, 1, 'Int.is_signed');
      return;
    case TypeTable.FloatingPoint:
    case TypeTable.Date:
    case TypeTable.Interval:
    case TypeTable.Duration:
      v.scalar(t, 0, 2, 'the unit of a type');
      return;
    case TypeTable.Decimal:
      for (let slot = 0; slot < 3; slot++) v.scalar(t, slot, 4, 'a Decimal parameter');
      return;
    case TypeTable.Time:
      v.scalar(t, 0, 2, 'Time.unit');
      v.scalar(t, 1, 4, 'Time.bitWidth');
      return;
    case TypeTable.Timestamp:
      v.scalar(t, 0, 2, 'Timestamp.unit');
      v.string(t, 1, 'Timestamp.timezone');
      return;
    case TypeTable.Union:
      v.scalar(t, 0, 2, 'Union.mode');
      v.vector(t, 1, 4, 'Union.typeIds');
      return;
    case TypeTable.FixedSizeBinary:
    case TypeTable.FixedSizeList:
      v.scalar(t, 0, 4, 'the size of a type');
      return;
    case TypeTable.Map:
      v.scalar(t, 0, 1, 'Map.keysSorted');
      return;
    default:
    // Tables without fields (Null, Utf8, List, Struct_...); unknown types are refused later.
  }
}

function recordBatch(v: Verifier, t: Table, what: string): void {
  v.scalar(t, 0, 8, `${what}.length`);
  if (!v.vector(t, 1, 16, `${what}.nodes`)) v.fail(`the ${what} has no nodes vector`);
  if (!v.vector(t, 2, 16, `${what}.buffers`)) v.fail(`the ${what} has no buffers vector`);
  v.child(t, 3, `${what}.compression`, (c) => {
    v.scalar(c, 0, 1, 'BodyCompression.codec');
    v.scalar(c, 1, 1, 'BodyCompression.method');
  });
  v.vector(t, 4, 8, `${what}.variadicBufferCounts`);
}

function dictionaryBatch(v: Verifier, t: Table): void {
  v.scalar(t, 0, 8, 'DictionaryBatch.id');
  if (!v.child(t, 1, 'DictionaryBatch.data', (data) => recordBatch(v, data, 'DictionaryBatch.data'))) {
    v.fail('the DictionaryBatch has no data');
  }
  v.scalar(t, 2, 1, 'DictionaryBatch.isDelta');
}
