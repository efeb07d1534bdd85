/**
 * What nodejs-polars 0.25 can take of an Arrow schema, decided once per schema. Most types
 * pass as they are. A few are changed first, without losing a value: Map becomes
 * List<Struct<key, value>> (polars reads a Map itself but turns a null map into an empty
 * list), Float16 becomes Float32 (the binding cannot describe a Float16 column), Decimal256
 * of precision <= 38 becomes Decimal128, and the time zone `Z` becomes `UTC`. What polars
 * cannot hold (intervals, unions, wider decimals, fixed offsets with minutes, unknown zones)
 * is refused here with a NotSupportedError, before polars' reader panics on it.
 */
import {
  DataType,
  Decimal,
  Field,
  Float32,
  List,
  RecordBatch,
  Schema,
  Struct,
  Timestamp,
  Type,
  makeData,
  type Data,
} from 'apache-arrow';
import { NotSupportedError, ProgrammingError } from '../errors';
import { halfToNumber } from '../values/scalars';

/** How a column changes on its way to polars. */
interface Adapter {
  readonly type: DataType;
  adapt(data: Data): Data;
}

/** The schema polars receives and how each batch gets there. */
export interface PolarsPlan {
  /** The schema after adaptation (the input's when nothing changes). */
  readonly schema: Schema;
  /** True when no column changes (batches pass untouched). */
  readonly identity: boolean;
  /** The batch polars receives. */
  adaptBatch(batch: RecordBatch): RecordBatch;
}

/** Decides, once per schema, how its batches go to polars; throws for what polars cannot hold. */
export function planFor(schema: Schema): PolarsPlan {
  const seen = new Set<string>();
  const adapters: (Adapter | null)[] = [];
  for (const field of schema.fields) {
    if (field.name === '') throw new ProgrammingError('polars needs a name for every column; one is empty');
    if (seen.has(field.name)) {
      throw new ProgrammingError(
        `polars needs unique column names; ${JSON.stringify(field.name)} appears twice`,
      );
    }
    seen.add(field.name);
    adapters.push(adapterFor(field.type, field.name));
  }
  if (adapters.every((a) => a === null)) {
    return { schema, identity: true, adaptBatch: (batch) => batch };
  }
  const fields = schema.fields.map((f, i) => (adapters[i] ? fieldWithType(f, adapters[i]!.type) : f));
  const adapted = new Schema(fields, schema.metadata);
  return {
    schema: adapted,
    identity: false,
    adaptBatch(batch) {
      const children = batch.data.children.map((child, i) => adapters[i]?.adapt(child) ?? child);
      const data = makeData({ type: new Struct(fields), length: batch.numRows, nullCount: 0, children });
      return new RecordBatch(adapted, data);
    },
  };
}

function fieldWithType(field: Field, type: DataType): Field {
  return new Field(field.name, type, field.nullable, field.metadata);
}

function refuse(what: string, column: string): never {
  throw new NotSupportedError(`nodejs-polars cannot hold ${what} (column ${JSON.stringify(column)})`);
}

/** The adapter of a type (recursing into children), or null when polars takes it as it is. */
function adapterFor(type: DataType, column: string): Adapter | null {
  switch (type.typeId) {
    case Type.Interval:
    case Type.IntervalDayTime:
    case Type.IntervalYearMonth:
    case Type.IntervalMonthDayNano:
      return refuse(`Arrow ${String(type)} values`, column);
    case Type.Union:
    case Type.DenseUnion:
    case Type.SparseUnion:
      return refuse(`Arrow union values (${String(type)})`, column);
    case Type.Float:
    case Type.Float16:
    case Type.Float32:
    case Type.Float64:
      return (type as unknown as { precision: number }).precision === 0 ? float16Adapter : null;
    case Type.Decimal:
      return decimalAdapter(type as Decimal, column);
    case Type.Timestamp:
    case Type.TimestampSecond:
    case Type.TimestampMillisecond:
    case Type.TimestampMicrosecond:
    case Type.TimestampNanosecond:
      return timestampAdapter(type as Timestamp, column);
    case Type.Map:
      return mapAdapter(type, column);
    case Type.List:
    case Type.LargeList:
    case Type.FixedSizeList:
    case Type.Struct:
      return nestedAdapter(type, column);
    case Type.Dictionary: {
      const { dictionary } = type as unknown as { dictionary: DataType };
      if (adapterFor(dictionary, column) !== null) {
        refuse(`a dictionary of ${String(dictionary)} values`, column);
      }
      return null;
    }
    case Type.Null:
    case Type.Bool:
    case Type.Int:
    case Type.Int8:
    case Type.Int16:
    case Type.Int32:
    case Type.Int64:
    case Type.Uint8:
    case Type.Uint16:
    case Type.Uint32:
    case Type.Uint64:
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Utf8View:
    case Type.Binary:
    case Type.LargeBinary:
    case Type.BinaryView:
    case Type.FixedSizeBinary:
    case Type.Date:
    case Type.DateDay:
    case Type.DateMillisecond:
    case Type.Time:
    case Type.TimeSecond:
    case Type.TimeMillisecond:
    case Type.TimeMicrosecond:
    case Type.TimeNanosecond:
    case Type.Duration:
    case Type.DurationSecond:
    case Type.DurationMillisecond:
    case Type.DurationMicrosecond:
    case Type.DurationNanosecond:
      return null;
    default:
      return refuse(`Arrow ${String(type)} values`, column);
  }
}

// Every Float16 is exactly a Float32.
const float16Adapter: Adapter = {
  type: new Float32(),
  adapt(data) {
    const halves = data.values as Uint16Array;
    const floats = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) floats[i] = halfToNumber(halves[i]!);
    return makeData({
      type: new Float32(),
      offset: data.offset,
      length: data.length,
      nullCount: data.nullCount,
      nullBitmap: data.nullBitmap,
      data: floats,
    });
  },
};

function decimalAdapter(type: Decimal, column: string): Adapter | null {
  if (type.bitWidth <= 128) return null;
  // Up to 38 digits, a 256-bit value is its low 128 bits (two's complement throughout).
  if (type.precision > 38) return refuse(`decimals wider than 38 digits (${String(type)})`, column);
  const narrow = new Decimal(type.scale, type.precision, 128);
  return {
    type: narrow,
    adapt(data) {
      const wide = data.values as Uint32Array;
      const words = new Uint32Array(data.length * 4);
      for (let i = 0; i < data.length; i++) words.set(wide.subarray(i * 8, i * 8 + 4), i * 4);
      return makeData({
        type: narrow,
        offset: data.offset,
        length: data.length,
        nullCount: data.nullCount,
        nullBitmap: data.nullBitmap,
        data: words,
      });
    },
  };
}

const OFFSET_ZONE = /^([+-])(\d{2}):?(\d{2})$/;

function timestampAdapter(type: Timestamp, column: string): Adapter | null {
  const zone = type.timezone;
  if (zone === null || zone === undefined || zone === '') return null;
  if (zone === 'Z' || zone === 'z') {
    const utc = new Timestamp(type.unit, 'UTC');
    return { type: utc, adapt: (data) => data.clone(utc) };
  }
  const offset = OFFSET_ZONE.exec(zone);
  if (offset) {
    // polars maps whole-hour offsets to Etc/GMT zones; it has no zone for the others.
    if (offset[3] !== '00') return refuse(`the time zone ${zone} (no whole-hour offset)`, column);
    return null;
  }
  if (!knownZone(zone)) return refuse(`the time zone ${JSON.stringify(zone)} (not an IANA zone)`, column);
  return null;
}

function knownZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Map<K, V> as List<Struct<key, value>>: the same buffers under the type polars reads without loss. */
function mapAdapter(type: DataType, column: string): Adapter {
  const entries = type.children[0]!;
  const inner = adapterFor(entries.type, column);
  const entryType = inner?.type ?? entries.type;
  const list = new List(new Field(entries.name, entryType, false, entries.metadata));
  return {
    type: list,
    adapt(data) {
      const child = data.children[0]!;
      return makeData({
        type: list,
        offset: data.offset,
        length: data.length,
        nullCount: data.nullCount,
        nullBitmap: data.nullBitmap,
        valueOffsets: data.valueOffsets,
        child: inner ? inner.adapt(child) : child,
      });
    },
  };
}

/** Lists and structs whose children change. */
function nestedAdapter(type: DataType, column: string): Adapter | null {
  const children = type.children as Field[];
  for (const child of children) {
    if (child.name === '' && type.typeId === Type.Struct)
      throw new ProgrammingError(
        `polars needs a name for every struct field (column ${JSON.stringify(column)})`,
      );
  }
  const inner = children.map((child) => adapterFor(child.type, column));
  if (inner.every((a) => a === null)) return null;
  const fields = children.map((f, i) => (inner[i] ? fieldWithType(f, inner[i]!.type) : f));
  const adapted = withChildren(type, fields);
  return {
    type: adapted,
    adapt(data) {
      const kids = data.children.map((child, i) => inner[i]?.adapt(child) ?? child);
      return data.clone(adapted, data.offset, data.length, data.nullCount, data.buffers, kids);
    },
  };
}

function withChildren(type: DataType, fields: Field[]): DataType {
  const T = type.constructor as unknown as new (...args: unknown[]) => DataType;
  if (type.typeId === Type.Struct) return new Struct(fields);
  if (type.typeId === Type.FixedSizeList) {
    return new T((type as unknown as { listSize: number }).listSize, fields[0]);
  }
  return new T(fields[0]);
}
