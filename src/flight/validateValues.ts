/**
 * The value-level checks that bound every later read, run on the Data the loader built and
 * before anyone reads a value (arrow-rs `validate_offsets` / `validate_each_offset` /
 * `check_bounds`, Arrow C++ `ValidateFull` for unions and dictionaries):
 *
 * - offsets (Utf8, Binary, List, Map and their Large forms): non-negative, monotone, and within
 *   the data buffer or the child column;
 * - union type ids: declared by the type; dense union offsets: within the child, monotone per
 *   child;
 * - dictionary indices of valid slots: within the dictionary (an index past it would read
 *   `undefined`, invented data);
 * - views (Utf8View, BinaryView) of valid slots: inside their variadic buffer.
 *
 * One pass over each offsets, type ids, indices or views buffer: O(length), nothing allocated.
 */
import { Type, type Data, type DataType } from 'apache-arrow';
import { batchError, type Column } from './validate';

/** Checks the loaded columns of one message; throws a ProtocolError naming message and column. */
export function validateValues(what: string, columns: readonly Column[], data: readonly Data[]): void {
  for (let i = 0; i < columns.length; i++) check(what, columns[i]!.type, data[i]!, columns[i]!.path);
}

function check(what: string, type: DataType, data: Data, path: string): void {
  const problem = problemOf(type, data);
  if (problem) throw batchError(what, path, problem);
  // A dictionary's values arrived (and were checked) in their own DictionaryBatch.
  if (type.typeId === Type.Dictionary) return;
  const children = type.children ?? [];
  for (let i = 0; i < children.length; i++) {
    const child = children[i]!;
    check(
      what,
      child.type,
      data.children[i]!,
      `${path}.${child.name ? JSON.stringify(child.name) : `#${i}`}`,
    );
  }
}

function problemOf(type: DataType, data: Data): string | undefined {
  const length = data.length;
  switch (type.typeId) {
    case Type.Utf8:
    case Type.Binary:
      return offsets32(data.valueOffsets as Int32Array, length, data.values.length, 'data bytes');
    case Type.LargeUtf8:
    case Type.LargeBinary:
      return offsets64(
        data.valueOffsets as unknown as BigInt64Array,
        length,
        data.values.length,
        'data bytes',
      );
    case Type.List:
    case Type.Map:
      return offsets32(data.valueOffsets as Int32Array, length, data.children[0]!.length, 'child values');
    case Type.LargeList:
      return offsets64(
        data.valueOffsets as unknown as BigInt64Array,
        length,
        data.children[0]!.length,
        'child values',
      );
    case Type.Union:
      return union(type as unknown as { typeIds: Int32Array; mode: number }, data);
    case Type.Dictionary:
      return indices(data);
    case Type.Utf8View:
    case Type.BinaryView:
      return views(data);
    default:
      return undefined;
  }
}

function offsets32(offsets: Int32Array, length: number, limit: number, of: string): string | undefined {
  if (length === 0) return undefined; // no offset is read
  const first = offsets[0]!;
  if (first < 0) return `offset 0 is ${first}`;
  const i = firstDecrease(offsets, length);
  if (i > 0) return `offset ${i} (${offsets[i]}) is below offset ${i - 1} (${offsets[i - 1]})`;
  const last = offsets[length]!;
  return last > limit ? `offset ${length} (${last}) is past the ${limit} ${of}` : undefined;
}

/** The hot loop, kept small for the JIT: the first i with offsets[i] < offsets[i - 1], or -1. */
function firstDecrease(offsets: Int32Array, length: number): number {
  let previous = offsets[0]!;
  for (let i = 1; i <= length; i++) {
    const offset = offsets[i]!;
    if (offset < previous) return i;
    previous = offset;
  }
  return -1;
}

/** 64-bit offsets, read as little-endian word pairs: a high word other than 0 is past any body. */
function offsets64(offsets: BigInt64Array, length: number, limit: number, of: string): string | undefined {
  if (length === 0) return undefined;
  const words = new Int32Array(offsets.buffer, offsets.byteOffset, 2 * (length + 1));
  let previous = 0;
  for (let i = 0; i <= length; i++) {
    const offset = words[2 * i]! >>> 0;
    if (words[2 * i + 1] !== 0) return `offset ${i} is ${offsets[i]}`;
    if (offset < previous) return `offset ${i} (${offset}) is below offset ${i - 1} (${previous})`;
    previous = offset;
  }
  return previous > limit ? `offset ${length} (${previous}) is past the ${limit} ${of}` : undefined;
}

function union(type: { typeIds: Int32Array; mode: number }, data: Data): string | undefined {
  const childOf = new Int16Array(128).fill(-1);
  type.typeIds.forEach((id, child) => (childOf[id] = child));
  const ids = data.typeIds as Int8Array;
  const length = data.length;
  for (let i = 0; i < length; i++) {
    const id = ids[i]!;
    if (id < 0 || childOf[id]! < 0) return `row ${i} has type id ${id}, which the union does not declare`;
  }
  if (type.mode !== 1) return undefined;
  const offsets = data.valueOffsets as Int32Array;
  const sizes = data.children.map((child) => child.length);
  const last = new Int32Array(sizes.length);
  for (let i = 0; i < length; i++) {
    const child = childOf[ids[i]!]!;
    const offset = offsets[i]!;
    if (offset < last[child]! || offset >= sizes[child]!) {
      return `row ${i} points at value ${offset} of child ${child}, which has ${sizes[child]} (offsets must grow per child)`;
    }
    last[child] = offset;
  }
  return undefined;
}

function indices(data: Data): string | undefined {
  const size = data.dictionary?.length ?? 0;
  const values = data.values as ArrayLike<number | bigint> & { buffer: ArrayBufferLike; byteOffset: number };
  const bitmap = data.nullCount > 0 ? data.nullBitmap : undefined;
  const length = data.length;
  const isNull = (i: number) => bitmap !== undefined && (bitmap[i >> 3]! & (1 << (i & 7))) === 0;
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    const words = new Int32Array(values.buffer, values.byteOffset, 2 * length);
    for (let i = 0; i < length; i++) {
      if (words[2 * i + 1] === 0 && words[2 * i]! >>> 0 < size) continue;
      if (!isNull(i)) return `row ${i} has index ${values[i]}, outside the ${size}-value dictionary`;
    }
    return undefined;
  }
  const numbers = values as ArrayLike<number>;
  for (let i = 0; i < length; i++) {
    const index = numbers[i]!;
    if (index >= 0 && index < size) continue;
    if (!isNull(i)) return `row ${i} has index ${index}, outside the ${size}-value dictionary`;
  }
  return undefined;
}

/** A view longer than 12 bytes names a variadic buffer, an offset and a length inside it. */
function views(data: Data): string | undefined {
  const bytes = data.values as Uint8Array;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const buffers = data.variadicBuffers;
  const bitmap = data.nullCount > 0 ? data.nullBitmap : undefined;
  for (let i = 0; i < data.length; i++) {
    if (bitmap && (bitmap[i >> 3]! & (1 << (i & 7))) === 0) continue;
    const size = view.getInt32(16 * i, true);
    if (size < 0) return `row ${i} has a view of length ${size}`;
    if (size <= 12) continue;
    const index = view.getInt32(16 * i + 8, true);
    const offset = view.getInt32(16 * i + 12, true);
    const buffer = buffers[index];
    if (!buffer || offset < 0 || offset + size > buffer.byteLength) {
      return `row ${i} views [${offset}, +${size}) of variadic buffer ${index}, which is not there`;
    }
  }
  return undefined;
}
