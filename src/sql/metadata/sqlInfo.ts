/**
 * Decoder of CommandGetSqlInfo results: `info_name` and the `value` union. The meaning of a
 * value comes from its union type id (0 string_value ... 5 int32_to_int32_list_map, as
 * FlightSql.proto numbers them), not from the position of the union's children, so a server
 * that orders the children differently (or sends a sparse union) decodes the same.
 */
import { Type, UnionMode, type Data, type Table } from 'apache-arrow';
import { protocolError } from '../../errors';
import { valueAt } from '../../values';

/**
 * A SqlInfo value by union member: string_value -> string, bool_value -> boolean,
 * bigint_value -> bigint, int32_bitmask -> number, string_list -> string[],
 * int32_to_int32_list_map -> Map<number, number[]>.
 */
export type SqlInfoValue = string | boolean | bigint | number | string[] | Map<number, number[]>;

function toMap(value: unknown): Map<number, number[]> {
  const entries: [unknown, unknown][] =
    value instanceof Map ? [...value.entries()] : Object.entries(value as Record<string, unknown>);
  return new Map(entries.map(([k, v]) => [Number(k), Array.isArray(v) ? v.map((x) => Number(x)) : []]));
}

/** A union member's JS value, shaped by the member's type id. */
function typed(typeId: number, value: unknown): SqlInfoValue {
  switch (typeId) {
    case 0:
      return String(value);
    case 1:
      return typeof value === 'boolean' ? value : Number(value) !== 0;
    case 2:
      return typeof value === 'bigint' ? value : BigInt(value as number | string);
    case 3:
      return Number(value);
    case 4:
      return Array.isArray(value) ? value.map((item) => String(item)) : [];
    case 5:
      return toMap(value);
    default:
      throw protocolError(`GetSqlInfo value has unknown union type id ${typeId}`);
  }
}

/** The values of one union column chunk. Null members (allowed by the proto) are skipped. */
function unionValues(data: Data): (SqlInfoValue | null)[] {
  if (data.typeId !== Type.Union && data.typeId !== Type.DenseUnion && data.typeId !== Type.SparseUnion) {
    throw protocolError(`GetSqlInfo value is ${String(data.type)}, not a union`);
  }
  const type = data.type as unknown as { mode: UnionMode; typeIdToChildIndex: Record<number, number> };
  const dense = type.mode === UnionMode.Dense;
  const out: (SqlInfoValue | null)[] = [];
  for (let i = 0; i < data.length; i++) {
    const typeId = data.typeIds[i]!;
    const child = data.children[type.typeIdToChildIndex[typeId]!];
    if (!child) throw protocolError(`GetSqlInfo value has unknown union type id ${typeId}`);
    const value = valueAt(child, dense ? data.valueOffsets[i]! : i);
    out.push(value === null ? null : typed(typeId, value));
  }
  return out;
}

/** GetSqlInfo rows as a map from info id to value (rows with a null value are left out). */
export function decodeSqlInfo(table: Table): Map<number, SqlInfoValue> {
  const index = (name: string) => {
    const i = table.schema.fields.findIndex((f) => f.name === name);
    if (i < 0) throw protocolError(`GetSqlInfo result has no column ${name}`);
    return i;
  };
  const nameIndex = index('info_name');
  const valueIndex = index('value');
  const out = new Map<number, SqlInfoValue>();
  for (const batch of table.batches) {
    const names = batch
      .getChildAt(nameIndex)!
      .data.flatMap((d) => Array.from({ length: d.length }, (_, i) => valueAt(d, i)));
    const values = batch.getChildAt(valueIndex)!.data.flatMap(unionValues);
    names.forEach((name, i) => {
      if (name === null) throw protocolError('GetSqlInfo result has a null info_name');
      const value = values[i];
      if (value !== null && value !== undefined) out.set(Number(name), value);
    });
  }
  return out;
}
