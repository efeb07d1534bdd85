/**
 * The shape every converter has: a reader of a range of cells of one Arrow column chunk (a
 * Data), built once per column type and run as one tight loop per range, so that the type
 * switch, the option checks and the buffer look-ups happen once per range instead of per cell.
 */
import { makeVector, type Data, type Vector } from 'apache-arrow';

/** Writes the JS values of cells `[start, end)` of `data` to `out[at]`, `out[at + 1]`, … */
export type Read = (data: Data, start: number, end: number, out: unknown[], at: number) => void;

/**
 * The validity bitmap to test for `data`, or null when every cell is valid. Read once per range:
 * `nullCount` is a getter that may count bits, and unions sum it over their children.
 */
export function validityOf(data: Data): Uint8Array | null {
  if (data.nullCount === 0) return null;
  const bitmap = data.nullBitmap;
  // Without a bitmap every cell counts as valid (a Null column's reader yields null anyway).
  return bitmap && bitmap.length > 0 ? bitmap : null;
}

/** Whether bit `index` (the Data's offset included) of a validity bitmap marks a null. */
export function isNull(bits: Uint8Array, index: number): boolean {
  return (bits[index >> 3]! & (1 << (index & 7))) === 0;
}

/** Cells `[start, end)` of `data` as a new array. */
export function readRange(read: Read, data: Data, start: number, end: number): unknown[] {
  const out = new Array<unknown>(end - start);
  read(data, start, end, out, 0);
  return out;
}

/** A Read that calls `cell` for each valid cell: for types whose cells cost far more than a call. */
export function perCell(cell: (data: Data, index: number) => unknown): Read {
  return (d, start, end, out, at) => {
    const bits = validityOf(d);
    const offset = d.offset;
    for (let i = start; i < end; i++, at++) {
      out[at] = bits !== null && isNull(bits, offset + i) ? null : cell(d, i);
    }
  };
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * The 64-bit integers of `values` as pairs of 32-bit words (low word first), viewing the same
 * memory: reading a BigInt64Array element allocates a bigint, and converting words does not.
 * Null when the host is big-endian or `values` holds no 64-bit integers.
 */
export function wordsOf(values: unknown): Int32Array | null {
  if (!LITTLE_ENDIAN) return null;
  if (!(values instanceof BigInt64Array) && !(values instanceof BigUint64Array)) return null;
  return new Int32Array(values.buffer, values.byteOffset, values.length * 2);
}

/** 2^32, to join two 32-bit words. */
export const WORD = 4294967296;
/** `hi` words in `[-HI_EXACT, HI_EXACT)` make signed 64-bit integers that doubles hold exactly. */
export const HI_EXACT = 0x200000;

const vectors = new WeakMap<Data, Vector>();

/** apache-arrow's own Vector over `data` (made once per Data), for types we have no reader of. */
export function vectorOf(data: Data): Vector {
  let vector = vectors.get(data);
  if (!vector) vectors.set(data, (vector = makeVector(data)));
  return vector;
}
