/**
 * Arrow parameter data sent with exactly the schema the server declared: servers such as Arrow
 * C++'s compare the batch's schema with their parameter schema and refuse any difference (a
 * non-nullable field where a nullable one was declared, int32 for int64, large_utf8 for utf8).
 * Columns are cast where the cast loses nothing, and refused otherwise.
 */
import {
  Field,
  RecordBatch,
  Schema,
  Struct,
  TimeUnit,
  Type,
  makeData,
  makeVector,
  util,
  type Data,
  type DataType,
} from 'apache-arrow';
import { DataError, ProgrammingError } from '../errors';
import { NS_PER_UNIT } from '../values';
import type { ColumnBuilder } from './unionParameters';

/** Types whose values read back (`Vector.get`) as what the column builders take. */
const REREADABLE = new Set<Type>([
  Type.Int,
  Type.Float,
  Type.Utf8,
  Type.LargeUtf8,
  Type.Binary,
  Type.LargeBinary,
  Type.Bool,
  Type.Dictionary,
]);
/** Target types that the column builders make from those values (checking each for exactness). */
const BUILDABLE = new Set<Type>(
  [...REREADABLE, Type.Union, Type.Decimal].filter((t) => t !== Type.Dictionary),
);

/**
 * `batch` with the declared `schema`: the same columns by position, cast to the declared types.
 * Where the server declared no parameters (an empty schema) or left one open (Null), the
 * caller's column is sent as it is.
 */
export function conformBatch(batch: RecordBatch, schema: Schema, build: ColumnBuilder): RecordBatch {
  if (schema.fields.length === 0) return batch;
  const columns = batch.data.children;
  if (columns.length !== schema.fields.length)
    throw new ProgrammingError(
      `the statement takes ${schema.fields.length} parameter(s), the Arrow data has ${columns.length} column(s)`,
    );
  const fields: Field[] = [];
  const children: Data[] = [];
  schema.fields.forEach((declared, i) => {
    const given = batch.schema.fields[i]!;
    const data = columns[i]!;
    if (declared.type.typeId === Type.Null) {
      fields.push(new Field(declared.name, given.type, true, declared.metadata));
      children.push(data);
      return;
    }
    if (!declared.nullable && data.nullCount > 0)
      throw new DataError(
        `parameter ${declared.name}: the server declares it non-nullable, the data has nulls`,
      );
    fields.push(declared);
    children.push(cast(data, declared.type, declared.name, build));
  });
  return new RecordBatch(
    new Schema(fields, schema.metadata),
    makeData({ type: new Struct(fields), length: batch.numRows, nullCount: 0, children }),
  );
}

function cast(data: Data, type: DataType, name: string, build: ColumnBuilder): Data {
  const same: boolean = util.compareTypes(data.type as DataType, type);
  if (same) return data;
  if (data.type.typeId === Type.Timestamp && type.typeId === Type.Timestamp)
    return timestampCast(data, type, name);
  if (REREADABLE.has(data.type.typeId) && BUILDABLE.has(type.typeId)) {
    const vector = makeVector(data);
    const values: unknown[] = new Array(data.length);
    for (let i = 0; i < data.length; i++) values[i] = vector.get(i) ?? null;
    return build(type, values, name).data[0]!;
  }
  throw new DataError(`parameter ${name}: cannot send ${String(data.type)} as the declared ${String(type)}`);
}

/** A timestamp in another unit or zone, exactly (an instant is the same in every zone). */
function timestampCast(data: Data, type: DataType, name: string): Data {
  const from = NS_PER_UNIT[(data.type as unknown as { unit: TimeUnit }).unit];
  const to = NS_PER_UNIT[(type as unknown as { unit: TimeUnit }).unit];
  const source = data.values as unknown as BigInt64Array;
  const values = new BigInt64Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const ns = source[data.offset + i]! * from;
    if (ns % to !== 0n && data.getValid(i))
      throw new DataError(`parameter ${name}: a timestamp is more precise than the declared ${String(type)}`);
    values[i] = ns / to;
  }
  const nullBitmap = data.nullCount > 0 ? bitmapFrom(data) : undefined;
  return makeData({
    type: type as never,
    length: data.length,
    nullCount: data.nullCount,
    nullBitmap,
    data: values,
  } as never) as Data;
}

/** The validity bitmap of `data`, realigned to offset 0. */
function bitmapFrom(data: Data): Uint8Array {
  const bitmap = new Uint8Array(Math.ceil(data.length / 8));
  for (let i = 0; i < data.length; i++) if (data.getValid(i)) bitmap[i >> 3]! |= 1 << (i & 7);
  return bitmap;
}
