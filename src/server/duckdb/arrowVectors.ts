/**
 * Arrow columns -> DuckDB vectors, for ingest (the appender) and for parameters. Each Arrow type
 * gets the DuckDB type that holds every one of its values exactly, and a writer that fills a
 * DuckDB vector from rows of an Arrow Data: fixed-width values and validity are copied as bytes
 * (DuckDB's validity mask has Arrow's bit order), strings one native call per value, nested
 * types through their child vectors. Nothing passes through JS numbers or Dates.
 *
 * | Arrow                                   | DuckDB                                          |
 * | --------------------------------------- | ----------------------------------------------- |
 * | Bool, Int8..64, Uint8..64               | BOOLEAN, TINYINT..BIGINT, UTINYINT..UBIGINT     |
 * | Float16 / Float32 / Float64             | FLOAT / FLOAT / DOUBLE                          |
 * | Decimal32/64/128/256(p <= 38, s)        | DECIMAL(p, s)                                   |
 * | Utf8, LargeUtf8, Utf8View               | VARCHAR                                         |
 * | Binary, LargeBinary, BinaryView, Fixed… | BLOB                                            |
 * | Date32 / Date64                         | DATE (Date64 floored to the day)                |
 * | Time32(s, ms), Time64(us) / Time64(ns)  | TIME / TIME_NS                                  |
 * | Timestamp(s, ms, us, ns) without zone   | TIMESTAMP_S, TIMESTAMP_MS, TIMESTAMP, _NS       |
 * | Timestamp(s, ms, us) with a zone        | TIMESTAMPTZ                                     |
 * | Timestamp(ns) with a zone               | TIMESTAMP_NS, the UTC instant (DuckDB's         |
 * |                                         | TIMESTAMPTZ holds microseconds only)            |
 * | Interval (any unit), Duration           | INTERVAL (refused below a microsecond)          |
 * | List, LargeList / FixedSizeList(n)      | LIST / ARRAY[n]                                 |
 * | Struct / Map                            | STRUCT / MAP                                    |
 * | Dictionary                              | the dictionary's value type                     |
 * | Null                                    | INTEGER, every row NULL (DuckDB's own choice    |
 * |                                         | for an untyped NULL column)                     |
 */
import type { DuckDBType } from '@duckdb/node-api';
import type { Vector as RawVector } from '@duckdb/node-bindings';
import { status as Status } from '@grpc/grpc-js';
import { Type, type Data, type DataType, type Field } from 'apache-arrow';
import { StatusError } from '../statusErrors';
import { dictionaryWriter } from './arrowDictionaries';
import type { DuckDBRuntime } from './runtime';
import { decimalStorageWidth } from './types';
import { date64Writer, halfFloatWriter, intervalWriter, scaledWriter } from './convertingWriters';
import { copyInto, isValid, setValidity, validityBytes, validityOf } from './vectorMemory';

/**
 * Writes rows [start, start + count) of `data` to rows [0, count) of `vector`. `parent` is the
 * validity of a struct's rows, which its members inherit.
 */
export type Write = (
  vector: RawVector,
  data: Data,
  start: number,
  count: number,
  parent?: Uint8Array,
) => void;

/** One Arrow column as DuckDB takes it. */
export interface ColumnWriter {
  readonly type: DuckDBType;
  readonly write: Write;
}

const unsupportedType = (type: DataType) =>
  new StatusError(Status.UNIMPLEMENTED, `Arrow type ${String(type)} is not supported by this server`);

/** The writer for Arrow `type`; UNIMPLEMENTED for types DuckDB cannot hold exactly. */
export function columnWriterFor(rt: DuckDBRuntime, type: DataType): ColumnWriter {
  const { api } = rt;
  const t = type as unknown as ArrowTypeFields;
  const fixed = (duck: DuckDBType, width: number): ColumnWriter => ({
    type: duck,
    write: copyWriter(rt, width),
  });
  switch (type.typeId) {
    case Type.Null:
      return {
        type: api.INTEGER,
        write: (vector, data, start, count) => setValidity(rt, vector, new Uint8Array(validityBytes(count))),
      };
    case Type.Bool:
      return { type: api.BOOLEAN, write: boolWriter(rt) };
    case Type.Int: {
      const signed = [api.TINYINT, api.SMALLINT, api.INTEGER, api.BIGINT];
      const unsigned = [api.UTINYINT, api.USMALLINT, api.UINTEGER, api.UBIGINT];
      const index = Math.log2(t.bitWidth! / 8);
      return fixed((t.isSigned ? signed : unsigned)[index]!, t.bitWidth! / 8);
    }
    case Type.Float:
      if (t.precision === 0) return { type: api.FLOAT, write: halfFloatWriter(rt) };
      return t.precision === 1 ? fixed(api.FLOAT, 4) : fixed(api.DOUBLE, 8);
    case Type.Decimal: {
      if (t.precision! > 38 || t.precision! < 1)
        throw new StatusError(
          Status.UNIMPLEMENTED,
          `Arrow ${String(type)}: DuckDB decimals hold 1 to 38 digits`,
        );
      return {
        type: api.DECIMAL(t.precision!, t.scale!),
        write: decimalWriter(rt, t.bitWidth! / 8, t.precision!),
      };
    }
    case Type.Utf8:
    case Type.LargeUtf8:
      return { type: api.VARCHAR, write: bytesWriter(rt) };
    case Type.Binary:
    case Type.LargeBinary:
      return { type: api.BLOB, write: bytesWriter(rt) };
    case Type.Utf8View:
    case Type.BinaryView:
      return { type: type.typeId === Type.Utf8View ? api.VARCHAR : api.BLOB, write: viewWriter(rt) };
    case Type.FixedSizeBinary:
      return { type: api.BLOB, write: fixedBinaryWriter(rt, t.byteWidth!) };
    case Type.Date:
      return t.unit === 0 ? fixed(api.DATE, 4) : { type: api.DATE, write: date64Writer(rt) };
    case Type.Time:
      if (t.unit === 3) return fixed(api.TIME_NS, 8);
      if (t.unit === 2) return fixed(api.TIME, 8);
      return { type: api.TIME, write: scaledWriter(rt, 4, t.unit === 0 ? 1_000_000n : 1000n) };
    case Type.Timestamp: {
      if (!t.timezone)
        return fixed([api.TIMESTAMP_S, api.TIMESTAMP_MS, api.TIMESTAMP, api.TIMESTAMP_NS][t.unit!]!, 8);
      if (t.unit === 3) return fixed(api.TIMESTAMP_NS, 8);
      if (t.unit === 2) return fixed(api.TIMESTAMPTZ, 8);
      return { type: api.TIMESTAMPTZ, write: scaledWriter(rt, 8, t.unit === 0 ? 1_000_000n : 1000n) };
    }
    case Type.Interval:
    case Type.Duration:
      return { type: api.INTERVAL, write: intervalWriter(rt, type) };
    case Type.List:
    case Type.LargeList: {
      const child = columnWriterFor(rt, t.children![0]!.type);
      return { type: api.LIST(child.type), write: listWriter(rt, child.write) };
    }
    case Type.Map: {
      const entries = t.children![0]!.type as unknown as ArrowTypeFields;
      const [key, value] = entries.children!.map((f) => columnWriterFor(rt, f.type));
      const struct = structWriter(rt, [key!.write, value!.write]);
      return { type: api.MAP(key!.type, value!.type), write: listWriter(rt, struct) };
    }
    case Type.FixedSizeList: {
      const child = columnWriterFor(rt, t.children![0]!.type);
      return { type: api.ARRAY(child.type, t.listSize!), write: arrayWriter(rt, child.write, t.listSize!) };
    }
    case Type.Struct: {
      if (t.children!.length === 0) throw unsupportedType(type);
      const members = t.children!.map((f) => ({ name: f.name, writer: columnWriterFor(rt, f.type) }));
      const entries = Object.fromEntries(members.map((m) => [m.name, m.writer.type]));
      if (Object.keys(entries).length !== members.length)
        throw new StatusError(Status.INVALID_ARGUMENT, `${String(type)}: struct member names must differ`);
      return {
        type: api.STRUCT(entries),
        write: structWriter(
          rt,
          members.map((m) => m.writer.write),
        ),
      };
    }
    case Type.Dictionary:
      return dictionaryWriter(type, (valueType) => columnWriterFor(rt, valueType));
    default:
      throw unsupportedType(type);
  }
}

/** The fields of apache-arrow's type classes that the writers read (one view for all of them). */
export interface ArrowTypeFields {
  bitWidth?: number;
  isSigned?: boolean;
  precision?: number;
  scale?: number;
  unit?: number;
  timezone?: string | null;
  byteWidth?: number;
  listSize?: number;
  children?: Field[];
  dictionary?: DataType;
}

function copyWriter(rt: DuckDBRuntime, width: number): Write {
  return (vector, data, start, count, parent) => {
    setValidity(rt, vector, validityOf(data, start, count, parent));
    copyInto(rt, vector, data.values as ArrayBufferView, start * width, count * width);
  };
}

function boolWriter(rt: DuckDBRuntime): Write {
  return (vector, data, start, count, parent) => {
    setValidity(rt, vector, validityOf(data, start, count, parent));
    const bits = data.values as Uint8Array;
    const out = new Uint8Array(count);
    for (let i = 0, b = data.offset + start; i < count; i++, b++) out[i] = (bits[b >> 3]! >> (b & 7)) & 1;
    copyInto(rt, vector, out, 0, count);
  };
}

/** Arrow decimals (little-endian two's complement of `from` bytes) into DuckDB's storage width for `precision`. */
function decimalWriter(rt: DuckDBRuntime, from: number, precision: number): Write {
  const to = decimalStorageWidth(precision);
  if (from === to) return copyWriter(rt, from);
  return (vector, data, start, count, parent) => {
    const mask = validityOf(data, start, count, parent);
    setValidity(rt, vector, mask);
    const src = data.values as ArrayBufferView;
    const bytes = new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
    const out = new Uint8Array(count * to);
    for (let i = 0; i < count; i++) {
      const at = (start + i) * from;
      out.set(bytes.subarray(at, at + to), i * to);
      // The bytes dropped must only repeat the sign, or the value does not fit the precision.
      const fill = bytes[at + to - 1]! & 0x80 ? 0xff : 0;
      for (let k = to; k < from; k++) {
        if (bytes[at + k] !== fill && isValid(mask, i))
          throw new StatusError(Status.INVALID_ARGUMENT, `a decimal value has more than ${precision} digits`);
      }
    }
    copyInto(rt, vector, out, 0, out.byteLength);
  };
}

/** Strings and binaries with 32- or 64-bit offsets: one native call per valid value. */
function bytesWriter(rt: DuckDBRuntime): Write {
  const empty = new Uint8Array(0);
  return (vector, data, start, count, parent) => {
    const mask = validityOf(data, start, count, parent);
    setValidity(rt, vector, mask);
    const offsets = data.valueOffsets as Int32Array | BigInt64Array;
    const values = data.values as Uint8Array;
    const wide = offsets instanceof BigInt64Array;
    for (let i = 0; i < count; i++) {
      // Null rows get an empty string so that no stale string header is ever read.
      if (!isValid(mask, i)) {
        rt.bindings.vector_assign_string_element_len(vector, i, empty);
        continue;
      }
      const begin = wide ? Number(offsets[start + i]) : (offsets[start + i] as number);
      const end = wide ? Number(offsets[start + i + 1]) : (offsets[start + i + 1] as number);
      rt.bindings.vector_assign_string_element_len(vector, i, values.subarray(begin, end));
    }
  };
}

/** Utf8View and BinaryView: each 16-byte view holds its value inline or points into a variadic buffer. */
function viewWriter(rt: DuckDBRuntime): Write {
  return (vector, data, start, count, parent) => {
    const mask = validityOf(data, start, count, parent);
    setValidity(rt, vector, mask);
    for (let i = 0; i < count; i++) {
      rt.bindings.vector_assign_string_element_len(
        vector,
        i,
        isValid(mask, i) ? viewValue(data, start + i) : new Uint8Array(0),
      );
    }
  };
}

/** One value of a view column: inline (12 bytes or fewer) or in a variadic buffer. */
function viewValue(data: Data, row: number): Uint8Array {
  const views = data.values as Uint8Array;
  const at = row * 16;
  const dv = new DataView(views.buffer, views.byteOffset + at, 16);
  const length = dv.getInt32(0, true);
  if (length <= 12) return views.subarray(at + 4, at + 4 + length);
  const buffer = data.variadicBuffers[dv.getInt32(8, true)]!;
  const offset = dv.getInt32(12, true);
  return buffer.subarray(offset, offset + length);
}

function fixedBinaryWriter(rt: DuckDBRuntime, width: number): Write {
  return (vector, data, start, count, parent) => {
    const mask = validityOf(data, start, count, parent);
    setValidity(rt, vector, mask);
    const values = data.values as Uint8Array;
    for (let i = 0; i < count; i++) {
      const at = (start + i) * width;
      rt.bindings.vector_assign_string_element_len(
        vector,
        i,
        isValid(mask, i) ? values.subarray(at, at + width) : values.subarray(0, 0),
      );
    }
  };
}

/** List and LargeList (and Map, a list of key/value structs): entries, then the child's rows. */
function listWriter(rt: DuckDBRuntime, child: Write): Write {
  const { bindings } = rt;
  return (vector, data, start, count, parent) => {
    setValidity(rt, vector, validityOf(data, start, count, parent));
    const offsets = data.valueOffsets as Int32Array | BigInt64Array;
    const at = (i: number) => Number(offsets[start + i]);
    const first = at(0);
    const total = at(count) - first;
    // list_entry_t: uint64 offset, uint64 length, as two uint32 words each (offsets stay < 2^32).
    const entries = new Uint32Array(count * 4);
    for (let i = 0; i < count; i++) {
      entries[i * 4] = at(i) - first;
      entries[i * 4 + 2] = at(i + 1) - at(i);
    }
    copyInto(rt, vector, entries, 0, entries.byteLength);
    bindings.list_vector_reserve(vector, total);
    if (total > 0) child(bindings.list_vector_get_child(vector), data.children[0]!, first, total);
    bindings.list_vector_set_size(vector, total);
  };
}

/** FixedSizeList to DuckDB ARRAY: `size` child rows per row, in a child vector sized for them. */
function arrayWriter(rt: DuckDBRuntime, child: Write, size: number): Write {
  return (vector, data, start, count, parent) => {
    setValidity(rt, vector, validityOf(data, start, count, parent));
    child(rt.bindings.array_vector_get_child(vector), data.children[0]!, start * size, count * size);
  };
}

/** Struct: each member gets the struct's rows; a NULL struct row makes its members NULL too. */
function structWriter(rt: DuckDBRuntime, members: readonly Write[]): Write {
  return (vector, data, start, count, parent) => {
    const mask = validityOf(data, start, count, parent);
    setValidity(rt, vector, mask);
    members.forEach((write, k) =>
      write(rt.bindings.struct_vector_get_child(vector, k), data.children[k]!, start, count, mask),
    );
  };
}
