/**
 * What a Schema may declare, checked once when it arrives (Arrow C++ `metadata_internal.cc`
 * `ConcreteTypeFromFlatbuffer` refuses the same): type parameters that size buffers (bit
 * widths, units, byte widths, list sizes) must be ones the format defines, nested types must
 * have the children they need, union type ids must be declared, and nesting is bounded (C++
 * `max_recursion_depth`). A flatbuffer that verifies can still say `Int(bitWidth: 7)`; without
 * this the loader would size buffers by nonsense.
 */
import { DataType, Type, type Field, type Schema } from 'apache-arrow';
import { MetadataVersion } from 'apache-arrow/enum';
import { protocolError } from '../errors';

/** Deepest nesting of types accepted (Arrow C++ IpcReadOptions::max_recursion_depth). */
export const MAX_NESTING = 64;

const DECIMAL_PRECISION: Readonly<Record<number, number>> = { 32: 9, 64: 18, 128: 38, 256: 76 };
const INT_WIDTHS = new Set([8, 16, 32, 64]);

/** Throws a ProtocolError if the schema declares something the format does not allow. */
export function validateSchema(schema: Schema, version: number): void {
  if (version < MetadataVersion.V4 || version > MetadataVersion.V5) {
    throw protocolError(`Schema: unsupported IPC metadata version ${MetadataVersion[version] ?? version}`);
  }
  schema.fields.forEach((f, i) => checkField(f, columnName(f, i), 0));
}

/** How errors name a column: its name, or its position when it has none. */
export function columnName(field: Field, index: number): string {
  return field.name ? JSON.stringify(field.name) : `#${index}`;
}

function checkField(field: Field, path: string, depth: number): void {
  if (depth > MAX_NESTING) throw schemaError(path, `types nest deeper than ${MAX_NESTING}`);
  checkType(field.type, path, depth);
}

function checkType(type: DataType, path: string, depth: number): void {
  const fail = (what: string): never => {
    throw schemaError(path, `${describe(type)}: ${what}`);
  };
  const t = type as unknown as Record<string, unknown>;
  const children = (type.children ?? []) as Field[];
  // apache-arrow builds List(children[0]) even when the flatbuffer has no children.
  if (children.some((child) => !child?.type)) fail('a child field is missing');
  const childCount = (n: number) => {
    if (children.length !== n) fail(`needs ${n} child field${n === 1 ? '' : 's'}, has ${children.length}`);
  };
  switch (type.typeId) {
    case Type.Null:
    case Type.Bool:
    case Type.Binary:
    case Type.Utf8:
    case Type.LargeBinary:
    case Type.LargeUtf8:
    case Type.BinaryView:
    case Type.Utf8View:
      break;
    case Type.Int:
      if (!INT_WIDTHS.has(t.bitWidth as number)) fail('bit width must be 8, 16, 32 or 64');
      break;
    case Type.Float:
      if (!oneOf(t.precision, 0, 2)) fail('precision must be HALF, SINGLE or DOUBLE');
      break;
    case Type.Decimal: {
      const max = DECIMAL_PRECISION[t.bitWidth as number];
      if (!max) fail('bit width must be 32, 64, 128 or 256');
      // Scale sizes the text of every value: bound it as precision is bounded.
      if (!oneOf(t.precision, 1, max!) || !oneOf(t.scale, -max!, max!))
        fail('precision or scale out of range');
      break;
    }
    case Type.Date:
      if (!oneOf(t.unit, 0, 1)) fail('unknown unit');
      break;
    case Type.Time: {
      const ok = t.bitWidth === 32 ? oneOf(t.unit, 0, 1) : t.bitWidth === 64 && oneOf(t.unit, 2, 3);
      if (!ok) fail('is 32 bits for seconds/milliseconds and 64 bits for micro/nanoseconds');
      break;
    }
    case Type.Timestamp:
    case Type.Duration:
      if (!oneOf(t.unit, 0, 3)) fail('unknown unit');
      break;
    case Type.Interval:
      if (!oneOf(t.unit, 0, 2)) fail('unknown unit');
      break;
    case Type.FixedSizeBinary:
      if (!oneOf(t.byteWidth, 0, 0x7fffffff)) fail('negative byte width');
      break;
    case Type.List:
    case Type.LargeList:
      childCount(1);
      break;
    case Type.FixedSizeList:
      childCount(1);
      if (!oneOf(t.listSize, 0, 0x7fffffff)) fail('negative list size');
      break;
    case Type.Map: {
      childCount(1);
      const entries = children[0]!.type;
      if (entries.typeId !== Type.Struct || entries.children.length !== 2) {
        fail('entries must be a struct of key and value');
      }
      break;
    }
    case Type.Struct:
      break;
    case Type.Union:
      checkUnion(t, children.length, fail);
      break;
    case Type.Dictionary: {
      const indices = t.indices as DataType;
      if (
        indices.typeId !== Type.Int ||
        !INT_WIDTHS.has((indices as unknown as { bitWidth: number }).bitWidth)
      ) {
        fail('indices must be integers');
      }
      checkType(t.dictionary as DataType, `${path} (dictionary values)`, depth + 1);
      return;
    }
    default:
      fail('not a type this client can read');
  }
  children.forEach((child, i) => checkField(child, `${path}.${columnName(child, i)}`, depth + 1));
}

function checkUnion(t: Record<string, unknown>, children: number, fail: (what: string) => never): void {
  if (!oneOf(t.mode, 0, 1)) fail('mode must be Sparse or Dense');
  const ids = t.typeIds as ArrayLike<number>;
  // The format makes typeIds optional (then 0..n-1), but apache-arrow cannot read such unions.
  if (ids.length !== children) fail(`declares ${ids.length} type ids for ${children} children`);
  const seen = new Set<number>();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (!oneOf(id, 0, 127) || seen.has(id)) fail(`type id ${id} is out of range or repeated`);
    seen.add(id);
  }
}

function oneOf(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function describe(type: DataType): string {
  try {
    return String(type);
  } catch {
    return Type[type.typeId] ?? 'type';
  }
}

function schemaError(path: string, what: string) {
  return protocolError(`Schema column ${path}: ${what}`);
}
