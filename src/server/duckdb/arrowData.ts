import { makeData, type Data, type DataType } from 'apache-arrow';

/**
 * apache-arrow's `makeData` without its per-type overloads: the builders assemble the props of
 * a type they only know as `DataType`.
 */
export const makeArrowData = makeData as unknown as (props: Record<string, unknown>) => Data;

const encoder = new TextEncoder();

/** Utf8 (or Binary) Data of `values`, none null. */
export function utf8Data(type: DataType, values: readonly string[]): Data {
  const parts = values.map((v) => encoder.encode(v));
  const valueOffsets = new Int32Array(values.length + 1);
  for (let i = 0; i < parts.length; i++) valueOffsets[i + 1] = valueOffsets[i] + parts[i].length;
  const data = new Uint8Array(valueOffsets[values.length]);
  parts.forEach((p, i) => data.set(p, valueOffsets[i]));
  return makeArrowData({ type, length: values.length, nullCount: 0, valueOffsets, data });
}
