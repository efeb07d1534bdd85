/**
 * Our DataType (and Field) rebuilt from a foreign apache-arrow's, by type id, parameter by
 * parameter, as the IPC reader would construct it. It is the one place that knows every Arrow type
 * our copy has and what each one's parameters may be, so a foreign type with a parameter we cannot
 * read, or a type our copy lacks, fails here with a message naming the column; arrowInput.ts and
 * arrowData.ts only ask for the type.
 */
import {
  Binary,
  BinaryView,
  Bool,
  DataType,
  Date_,
  Decimal,
  Dictionary,
  Duration,
  Field,
  FixedSizeBinary,
  FixedSizeList,
  Float,
  Int,
  Interval,
  LargeBinary,
  LargeList,
  LargeUtf8,
  List,
  Map_,
  Null,
  Struct,
  Time,
  Timestamp,
  Type,
  Union,
  Utf8,
  Utf8View,
} from 'apache-arrow';
import type { Int32 } from 'apache-arrow';
import { InterfaceError } from '../errors';
import {
  describeType,
  describeValue,
  isFieldShape,
  isObject,
  isOwn,
  isTypeShape,
  layoutError,
  notArrow,
  subject,
  type Shape,
} from './arrowShapes';

/** Our apache-arrow, for messages (package.json pins ~21.2.0). */
const OWN_ARROW = 'apache-arrow 21';

export function fieldOf(f: Shape, parent: string): Field {
  const path = parent ? `${parent}.${String(f.name)}` : String(f.name);
  return new Field(String(f.name), typeOf(f.type, path), Boolean(f.nullable), metadataOf(f.metadata));
}

export function metadataOf(m: unknown): Map<string, string> {
  if (m instanceof Map) return new Map(m);
  if (isObject(m)) return new Map(Object.entries(m).map(([k, v]) => [k, String(v)]));
  return new Map();
}

/** Builds our DataType by type id, parameter by parameter (the IPC reader's constructors). */
export function typeOf(t: unknown, path: string): DataType {
  if (isOwn(DataType, t)) return t as DataType;
  if (!isTypeShape(t)) throw notArrow('an apache-arrow DataType', t, path && `column "${path}"`);
  const children = () => childFields(t, path);
  const child = () => {
    const [first] = childFields(t, path);
    if (!first) throw layoutError(path, `its ${describeType(t)} type has no child field`);
    return first;
  };
  switch (t.typeId) {
    case Type.Null:
      return new Null();
    case Type.Int:
      return new Int(flag(t, 'isSigned', path), pick(t, 'bitWidth', [8, 16, 32, 64] as const, path));
    case Type.Float:
      return new Float(pick(t, 'precision', [0, 1, 2] as const, path));
    case Type.Binary:
      return new Binary();
    case Type.LargeBinary:
      return new LargeBinary();
    case Type.BinaryView:
      return new BinaryView();
    case Type.Utf8:
      return new Utf8();
    case Type.LargeUtf8:
      return new LargeUtf8();
    case Type.Utf8View:
      return new Utf8View();
    case Type.Bool:
      return new Bool();
    case Type.Decimal:
      return new Decimal(
        integer(t, 'scale', path),
        integer(t, 'precision', path),
        t.bitWidth === undefined ? 128 : pick(t, 'bitWidth', [32, 64, 128, 256] as const, path),
      );
    case Type.Date:
      return new Date_(pick(t, 'unit', [0, 1] as const, path));
    case Type.Time:
      return new Time(
        pick(t, 'unit', [0, 1, 2, 3] as const, path),
        pick(t, 'bitWidth', [32, 64] as const, path),
      );
    case Type.Timestamp: {
      const tz = t.timezone;
      if (tz !== undefined && tz !== null && typeof tz !== 'string') {
        throw layoutError(path, `its Timestamp time zone is ${describeValue(tz)}`);
      }
      return new Timestamp(pick(t, 'unit', [0, 1, 2, 3] as const, path), tz ?? null);
    }
    case Type.Interval:
      return new Interval(pick(t, 'unit', [0, 1, 2] as const, path));
    case Type.Duration:
      return new Duration(pick(t, 'unit', [0, 1, 2, 3] as const, path));
    case Type.List:
      return new List(child());
    case Type.LargeList:
      return new LargeList(child());
    case Type.Struct:
      return new Struct(children());
    case Type.Union: {
      const fields = children();
      const ids = t.typeIds;
      if (!isArrayLike(ids) || ids.length !== fields.length) {
        throw layoutError(path, `its Union has type ids ${describeValue(ids)} for ${fields.length} children`);
      }
      return new Union(pick(t, 'mode', [0, 1] as const, path), Array.from(ids, Number), fields);
    }
    case Type.FixedSizeBinary:
      return new FixedSizeBinary(integer(t, 'byteWidth', path));
    case Type.FixedSizeList:
      return new FixedSizeList(integer(t, 'listSize', path), child());
    case Type.Map:
      return new Map_(child(), Boolean(t.keysSorted));
    case Type.Dictionary: {
      const indices = typeOf(t.indices, path);
      if (indices.typeId !== Type.Int)
        throw layoutError(path, `its dictionary indices are ${String(indices)}`);
      const id = t.id;
      if (typeof id !== 'number' && typeof id !== 'bigint')
        throw layoutError(path, 'its dictionary has no id');
      return new Dictionary(typeOf(t.dictionary, path), indices as Int32, id, Boolean(t.isOrdered));
    }
    default:
      throw new InterfaceError(
        `${subject(path)} has the Arrow type ${describeType(t)} (type id ${String(t.typeId)}), which ` +
          `${OWN_ARROW} (the apache-arrow flightsql uses) does not have: cast it to a type it has`,
      );
  }
}

function childFields(t: Shape, path: string): Field[] {
  const children = t.children;
  if (!Array.isArray(children)) throw layoutError(path, `its ${describeType(t)} type has no children array`);
  return children.map((f: unknown) => {
    if (!isFieldShape(f)) throw layoutError(path, `a child of its type is ${describeValue(f)}, not a Field`);
    return fieldOf(f, path);
  });
}

function pick<const T extends readonly number[]>(t: Shape, key: string, allowed: T, path: string): T[number] {
  const value = t[key];
  if (!allowed.includes(value as number)) {
    throw layoutError(path, `its ${describeType(t)} type has ${key} ${describeValue(value)}`);
  }
  return value as T[number];
}

function integer(t: Shape, key: string, path: string): number {
  const value = t[key];
  if (!Number.isInteger(value))
    throw layoutError(path, `its ${describeType(t)} type has ${key} ${describeValue(value)}`);
  return value as number;
}

function flag(t: Shape, key: string, path: string): boolean {
  const value = t[key];
  if (typeof value !== 'boolean')
    throw layoutError(path, `its ${describeType(t)} type has ${key} ${describeValue(value)}`);
  return value;
}

const isArrayLike = (x: unknown): x is ArrayLike<unknown> =>
  Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));
