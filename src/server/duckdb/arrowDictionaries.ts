/**
 * Dictionary-encoded Arrow columns for DuckDB: the C API cannot build a dictionary vector, so
 * each chunk's rows are gathered into a plain Data of the dictionary's value type, which that
 * type's writer then writes. Dictionaries of fixed-width values and of strings or binaries are
 * supported; a dictionary split over several Data (delta dictionaries) is read across them.
 */
import { status as Status } from '@grpc/grpc-js';
import { Data, Type, type DataType, type Dictionary } from 'apache-arrow';
import { StatusError } from '../statusErrors';
import type { ColumnWriter } from './arrowVectors';
import { validityOf } from './vectorMemory';

const VARIABLE = new Set<Type>([Type.Utf8, Type.LargeUtf8, Type.Binary, Type.LargeBinary]);
const FIXED = new Set<Type>([
  Type.Int,
  Type.Float,
  Type.Decimal,
  Type.Date,
  Type.Time,
  Type.Timestamp,
  Type.Interval,
  Type.Duration,
  Type.FixedSizeBinary,
]);

/** The writer of a dictionary column: the value type's, fed with the gathered rows. */
export function dictionaryWriter(
  type: DataType,
  writerOf: (valueType: DataType) => ColumnWriter,
): ColumnWriter {
  const valueType = (type as Dictionary).dictionary;
  if (!VARIABLE.has(valueType.typeId) && !FIXED.has(valueType.typeId))
    throw new StatusError(
      Status.UNIMPLEMENTED,
      `dictionary-encoded ${String(valueType)} is not supported by this server`,
    );
  const value = writerOf(valueType);
  return {
    type: value.type,
    write: (vector, data, start, count, parent) => {
      // A NULL index is a NULL row, whatever the dictionary holds.
      const indexValidity = validityOf(data, start, count, parent);
      value.write(vector, gather(data, start, count), 0, count, indexValidity);
    },
  };
}

/** Where dictionary entry `index` lives: which Data, and which row of it. */
function locator(parts: readonly Data[]): (index: number) => [Data, number] {
  if (parts.length === 1) return (index) => [parts[0]!, index];
  const starts: number[] = [];
  let total = 0;
  for (const part of parts) {
    starts.push(total);
    total += part.length;
  }
  return (index) => {
    let k = parts.length - 1;
    while (k > 0 && starts[k]! > index) k--;
    return [parts[k]!, index - starts[k]!];
  };
}

function isValidAt(data: Data, row: number): boolean {
  const bitmap = data.nullBitmap;
  if (!(data.nullCount > 0 && bitmap && bitmap.length > 0)) return true;
  const bit = data.offset + row;
  return ((bitmap[bit >> 3]! >> (bit & 7)) & 1) === 1;
}

/** Rows [start, start + count) of a dictionary column, decoded into a Data of the value type. */
function gather(data: Data, start: number, count: number): Data {
  const dictionary = (data as Data & { dictionary?: { data: readonly Data[] } }).dictionary;
  if (!dictionary)
    throw new StatusError(Status.INVALID_ARGUMENT, 'a dictionary column came without its dictionary');
  const parts = dictionary.data;
  const locate = locator(parts);
  const valueType = (data.type as Dictionary).dictionary;
  const indices = data.values as ArrayLike<number | bigint>;
  const bitmap = new Uint8Array((count + 7) >> 3);
  let nulls = 0;
  const total = parts.reduce((n, p) => n + p.length, 0);
  const rows: [Data, number][] = [];
  for (let i = 0; i < count; i++) {
    const index = Number(indices[start + i]);
    // Indices of NULL rows may hold anything; only valid rows must point into the dictionary.
    if (!(index >= 0 && index < total)) {
      if (isValidAt(data, start + i))
        throw new StatusError(Status.INVALID_ARGUMENT, `dictionary index ${index} is out of range`);
      rows.push([parts[0]!, -1]);
      nulls++;
      continue;
    }
    const [part, row] = locate(index);
    rows.push([part, row]);
    if (isValidAt(part, row)) bitmap[i >> 3]! |= 1 << (i & 7);
    else nulls++;
  }
  const validity = nulls > 0 ? bitmap : undefined;
  if (VARIABLE.has(valueType.typeId)) {
    const offsets = new Int32Array(count + 1);
    let length = 0;
    for (let i = 0; i < count; i++) {
      const [part, row] = rows[i]!;
      if (row >= 0) length += valueBytes(part, row).byteLength;
      offsets[i + 1] = length;
    }
    const values = new Uint8Array(length);
    for (let i = 0; i < count; i++) {
      const [part, row] = rows[i]!;
      if (row >= 0) values.set(valueBytes(part, row), offsets[i]!);
    }
    return new Data(valueType, 0, count, nulls, [offsets, values, validity]);
  }
  const sample = parts[0]!.values as ArrayBufferView & {
    BYTES_PER_ELEMENT: number;
    constructor: new (buffer: ArrayBuffer) => ArrayBufferView;
  };
  const width = sample.BYTES_PER_ELEMENT * parts[0]!.stride;
  const out = new Uint8Array(count * width);
  for (let i = 0; i < count; i++) {
    const [part, row] = rows[i]!;
    if (row < 0) continue;
    const values = part.values as ArrayBufferView;
    out.set(new Uint8Array(values.buffer, values.byteOffset + row * width, width), i * width);
  }
  return new Data(valueType, 0, count, nulls, [undefined, new sample.constructor(out.buffer), validity]);
}

/** The bytes of one string or binary value. */
function valueBytes(part: Data, row: number): Uint8Array {
  const offsets = part.valueOffsets as Int32Array | BigInt64Array;
  return (part.values as Uint8Array).subarray(Number(offsets[row]), Number(offsets[row + 1]));
}
