/** Rows of plain JS values -> one Arrow record batch of an exact schema. */
import {
  makeBuilder,
  makeData,
  RecordBatch,
  Struct,
  Type,
  type Data,
  type DataType,
  type Schema,
} from 'apache-arrow';
import type { MetadataResult } from './types';

/** One column of `type` from JS values (null for a missing value), as a single Data chunk. */
export function columnData<T extends DataType>(type: T, values: readonly unknown[]): Data<T> {
  const builder = makeBuilder({ type, nullValues: [null, undefined] });
  for (const value of values) builder.append(value as T['TValue']);
  return builder.finish().flush();
}

/** A record batch of `schema` from one Data per field (all of `length` rows). */
export function batchOf(schema: Schema, columns: readonly Data[], length: number): RecordBatch {
  const type = new Struct(schema.fields);
  return new RecordBatch(schema, makeData({ type, length, nullCount: 0, children: [...columns] }));
}

/** DuckDB hands INTEGER/BIGINT back as number/bigint; Arrow's 8..32-bit builders want numbers. */
function normalise(type: DataType, value: unknown): unknown {
  if (typeof value === 'bigint' && type.typeId === Type.Int) {
    return (type as unknown as { bitWidth: number }).bitWidth === 64 ? value : Number(value);
  }
  return value;
}

/**
 * The result of a metadata command from row objects keyed by field name: always exactly one
 * batch (empty when there are no rows), so that readers keep the schema. A null in a field
 * the schema declares `not null` is a bug of ours and throws.
 */
export function resultOf(schema: Schema, rows: readonly Record<string, unknown>[]): MetadataResult {
  const columns = schema.fields.map((field) => {
    const values = rows.map((row) => normalise(field.type, row[field.name] ?? null));
    if (!field.nullable && values.includes(null)) {
      throw new Error(`metadata: null in non-nullable field ${field.name}`);
    }
    return columnData(field.type, values);
  });
  return { schema, batches: [batchOf(schema, columns, rows.length)] };
}
