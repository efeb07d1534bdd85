/**
 * Arrow C++'s `ToString()` of types, fields and schemas, for error messages worded as Arrow C++
 * words them ("id: int64 not null"), and Arrow C++'s schema equality (names, types and
 * nullability; metadata ignored), which the same text expresses.
 */
import { DataType, Type, UnionMode, type Field, type Schema } from 'apache-arrow';

const UNITS = ['s', 'ms', 'us', 'ns'];

/** `DataType::ToString()` of Arrow C++. */
export function typeText(type: DataType): string {
  const t = type as DataType & Record<string, unknown>;
  const children = (type.children ?? []) as Field[];
  switch (type.typeId) {
    case Type.Null:
      return 'null';
    case Type.Bool:
      return 'bool';
    case Type.Int:
      return `${t.isSigned ? 'int' : 'uint'}${t.bitWidth as number}`;
    case Type.Float:
      return ['halffloat', 'float', 'double'][t.precision as number]!;
    case Type.Utf8:
      return 'string';
    case Type.LargeUtf8:
      return 'large_string';
    case Type.Utf8View:
      return 'string_view';
    case Type.Binary:
      return 'binary';
    case Type.LargeBinary:
      return 'large_binary';
    case Type.BinaryView:
      return 'binary_view';
    case Type.FixedSizeBinary:
      return `fixed_size_binary[${t.byteWidth as number}]`;
    case Type.Decimal:
      return `decimal${t.bitWidth as number}(${t.precision as number}, ${t.scale as number})`;
    case Type.Date:
      return t.unit === 0 ? 'date32[day]' : 'date64[ms]';
    case Type.Time:
      return `time${t.bitWidth as number}[${UNITS[t.unit as number]}]`;
    case Type.Timestamp:
      return `timestamp[${UNITS[t.unit as number]}${t.timezone ? `, tz=${t.timezone as string}` : ''}]`;
    case Type.Duration:
      return `duration[${UNITS[t.unit as number]}]`;
    case Type.Interval:
      return ['month_interval', 'day_time_interval', 'month_day_nano_interval'][t.unit as number]!;
    case Type.List:
      return `list<${fieldText(children[0]!)}>`;
    case Type.LargeList:
      return `large_list<${fieldText(children[0]!)}>`;
    case Type.FixedSizeList:
      return `fixed_size_list<${fieldText(children[0]!)}>[${t.listSize as number}]`;
    case Type.Struct:
      return `struct<${children.map(fieldText).join(', ')}>`;
    case Type.Map: {
      const [key, value] = (children[0]!.type.children ?? []) as Field[];
      return `map<${typeText(key!.type)}, ${typeText(value!.type)}${t.keysSorted ? ', keys_sorted' : ''}>`;
    }
    case Type.Union: {
      const ids = t.typeIds as ArrayLike<number>;
      const mode = t.mode === UnionMode.Dense ? 'dense_union' : 'sparse_union';
      return `${mode}<${children.map((c, i) => `${fieldText(c)}=${ids[i]}`).join(', ')}>`;
    }
    case Type.Dictionary:
      return `dictionary<values=${typeText(t.dictionary as DataType)}, indices=${typeText(
        t.indices as DataType,
      )}, ordered=${t.isOrdered ? 1 : 0}>`;
    default:
      return String(type).toLowerCase();
  }
}

/** `Field::ToString()`: "name: type", plus " not null" when the field is not nullable. */
export function fieldText(field: Field): string {
  return `${field.name}: ${typeText(field.type)}${field.nullable ? '' : ' not null'}`;
}

/** `Schema::ToString()`: one field per line. */
export function schemaText(schema: Schema): string {
  return schema.fields.map(fieldText).join('\n');
}

/** `Schema::Equals(other, check_metadata=false)`. */
export function schemasEqual(a: Schema, b: Schema): boolean {
  return schemaText(a) === schemaText(b);
}
