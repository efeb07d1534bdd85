/**
 * Query results as PointValues: what each column is (measurement, tag, field of a type, time)
 * is decided once per schema, from InfluxDB 3's `iox::column::type` field metadata when the
 * server sends it, else from the column's name and Arrow type; then rows become points.
 */
import { DataType, Type, type Field, type RecordBatch, type Schema } from 'apache-arrow';
import { RowConverter } from '../values';
import { PointValues, type PointFieldType, type PointFieldValue } from './PointValues';
import { isoFromNanoseconds } from './timestamps';

/** The field metadata key InfluxDB 3 puts on every column of a result. */
export const IOX_COLUMN_TYPE = 'iox::column::type';

type Role =
  | { readonly kind: 'measurement' | 'time' | 'tag' }
  | { readonly kind: 'field'; readonly type: PointFieldType | undefined };

/**
 * The role of a column. With `iox::column::type` (`iox::column_type::tag`,
 * `iox::column_type::field::integer`, `iox::column_type::timestamp`), as it says. Without:
 * `iox::measurement` or `measurement` is the measurement, a Timestamp named `time` the time, a
 * column of `tagColumns` or a dictionary of strings (InfluxDB 3's tag type) a tag, anything
 * else a field typed by its Arrow type.
 */
export function roleOf(field: Field, tagColumns: ReadonlySet<string>): Role {
  const name = field.name;
  const isText = textual(field.type);
  if ((name === 'iox::measurement' || name === 'measurement') && isText) return { kind: 'measurement' };
  const iox = field.metadata.get(IOX_COLUMN_TYPE);
  if (iox !== undefined) {
    const [, , kind, type] = iox.split('::');
    if (kind === 'tag') return { kind: 'tag' };
    if (kind === 'timestamp') return { kind: 'time' };
    if (kind === 'field') return { kind: 'field', type: fieldTypeOf(type) };
  }
  if (tagColumns.has(name)) return { kind: 'tag' };
  if (name === 'time' && field.type.typeId === Type.Timestamp) return { kind: 'time' };
  if (field.type.typeId === Type.Dictionary && isText) return { kind: 'tag' };
  return { kind: 'field', type: arrowFieldType(field.type) };
}

function fieldTypeOf(name: string | undefined): PointFieldType | undefined {
  return name === 'float' ||
    name === 'integer' ||
    name === 'uinteger' ||
    name === 'string' ||
    name === 'boolean'
    ? name
    : undefined;
}

function textual(type: DataType): boolean {
  const id =
    type.typeId === Type.Dictionary
      ? (type as unknown as { dictionary: DataType }).dictionary.typeId
      : type.typeId;
  return id === Type.Utf8 || id === Type.LargeUtf8;
}

function arrowFieldType(type: DataType): PointFieldType | undefined {
  switch (type.typeId) {
    case Type.Float:
      return 'float';
    case Type.Int:
      return (type as unknown as { isSigned: boolean }).isSigned ? 'integer' : 'uinteger';
    case Type.Bool:
      return 'boolean';
    default:
      return textual(type) ? 'string' : undefined;
  }
}

/**
 * A field's typed value: the declared type when the value fits it (integers stay exact
 * bigints), else the type of the value itself (an average of integers is a float). Values of
 * types InfluxDB has no field type for become strings: times in RFC 3339, the rest as text.
 */
function fieldValue(
  value: unknown,
  declared: PointFieldType | undefined,
): readonly [PointFieldType, PointFieldValue] {
  switch (typeof value) {
    case 'bigint':
      return [declared === 'uinteger' ? 'uinteger' : 'integer', value];
    case 'number':
      if ((declared === 'integer' || declared === 'uinteger') && Number.isInteger(value))
        return [declared, BigInt(value)];
      return ['float', value];
    case 'boolean':
      return ['boolean', value];
    case 'string':
      return ['string', value];
    default:
      return ['string', textOf(value)];
  }
}

function textOf(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** Turns the batches of one result (one schema) into PointValues. */
export class PointsReader {
  readonly #roles: Role[];
  readonly #names: string[];
  readonly #converter: RowConverter;

  constructor(schema: Schema, tagColumns: readonly string[] = []) {
    const tags = new Set(tagColumns);
    this.#roles = schema.fields.map((f) => roleOf(f, tags));
    this.#names = schema.fields.map((f) => f.name);
    this.#converter = new RowConverter(schema, { timestamps: 'bigint', int64: 'bigint', decimals: 'string' });
  }

  /** The points of one batch, in row order; null cells are left out, as the official client does. */
  points(batch: RecordBatch): PointValues[] {
    const n = batch.numRows;
    const points = new Array<PointValues>(n);
    for (let r = 0; r < n; r++) points[r] = new PointValues();
    for (let c = 0; c < this.#roles.length; c++) {
      const role = this.#roles[c]!;
      const name = this.#names[c]!;
      const values = this.#converter.column(batch, c);
      for (let r = 0; r < n; r++) {
        const value = values[r];
        if (value === null || value === undefined) continue;
        const point = points[r]!;
        switch (role.kind) {
          case 'measurement':
            point.setMeasurement(String(value));
            break;
          case 'time':
            if (typeof value === 'bigint') point.setTimestamp(value);
            else point.setField(name, ...fieldValue(value, undefined));
            break;
          case 'tag':
            point.setTag(name, String(value));
            break;
          default:
            // A timestamp that is not the time (InfluxQL's, SQL's date_bin on another column...).
            if (typeof value === 'bigint' && batch.schema.fields[c]!.type.typeId === Type.Timestamp) {
              point.setField(name, 'string', isoFromNanoseconds(value));
            } else point.setField(name, ...fieldValue(value, role.type));
        }
      }
    }
    return points;
  }
}
