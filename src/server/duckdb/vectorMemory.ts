/**
 * DuckDB vector memory as the Arrow writers fill it: validity masks (Arrow's bit order, in whole
 * uint64 words) and raw data copied from Arrow buffers.
 */
import type { Vector as RawVector } from '@duckdb/node-bindings';
import type { Data } from 'apache-arrow';
import type { DuckDBRuntime } from './runtime';

/** Bytes of a DuckDB validity mask for `count` rows (whole uint64 words). */
export function validityBytes(count: number): number {
  return ((count + 63) >> 6) * 8;
}

/**
 * The validity of rows [start, start + count) of `data` in DuckDB's layout, ANDed with `parent`;
 * undefined when every row is valid.
 */
export function validityOf(
  data: Data,
  start: number,
  count: number,
  parent?: Uint8Array,
): Uint8Array | undefined {
  const bitmap = data.nullBitmap;
  if (!(data.nullCount > 0 && bitmap && bitmap.length > 0)) return parent;
  const mask = new Uint8Array(validityBytes(count));
  const from = data.offset + start;
  const shift = from & 7;
  let at = from >> 3;
  const bytes = (count + 7) >> 3;
  if (shift === 0) mask.set(bitmap.subarray(at, at + bytes));
  else
    for (let j = 0; j < bytes; j++, at++)
      mask[j] = ((bitmap[at]! >> shift) | ((bitmap[at + 1] ?? 0) << (8 - shift))) & 0xff;
  if (parent) for (let i = 0; i < mask.length; i++) mask[i]! &= parent[i]!;
  return mask;
}

/** Writes `mask` as the validity of `vector` (a fresh vector is all valid: nothing to write then). */
export function setValidity(rt: DuckDBRuntime, vector: RawVector, mask: Uint8Array | undefined): void {
  if (!mask) return;
  rt.bindings.vector_ensure_validity_writable(vector);
  rt.bindings.copy_data_to_vector_validity(
    vector,
    0,
    mask.buffer as ArrayBuffer,
    mask.byteOffset,
    mask.byteLength,
  );
}

/** Copies `byteLength` bytes of `view` from `byteStart` into `vector`'s data. */
export function copyInto(
  rt: DuckDBRuntime,
  vector: RawVector,
  view: ArrayBufferView,
  byteStart: number,
  byteLength: number,
): void {
  if (byteLength > 0)
    rt.bindings.copy_data_to_vector(
      vector,
      0,
      view.buffer as ArrayBuffer,
      view.byteOffset + byteStart,
      byteLength,
    );
}

/** A DataView over `data.values` (values are indexed from the Data's own first row). */
export function viewOf(data: Data): DataView {
  const values = data.values as ArrayBufferView;
  return new DataView(values.buffer, values.byteOffset, values.byteLength);
}

/** Whether row `row` is valid under a DuckDB-layout `mask` (undefined: every row is). */
export const isValid = (mask: Uint8Array | undefined, row: number) =>
  !mask || ((mask[row >> 3]! >> (row & 7)) & 1) === 1;
