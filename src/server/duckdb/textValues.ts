/** Text forms of the DuckDB types that are streamed as Utf8 text (see `TextBuilder`). */
import type { DuckDBType } from '@duckdb/node-api';
import type { RowText } from './stringBuilders';
import type { VectorSource } from './VectorSource';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Bytes of valid row `row` of a string-typed vector (`duckdb_string_t`). */
function stringBytes(src: VectorSource, row: number): Uint8Array {
  const raw = src.data(16);
  const o = row * 16;
  const len = raw[o] | (raw[o + 1] << 8) | (raw[o + 2] << 16) | (raw[o + 3] << 24);
  if (len <= 12) return raw.subarray(o + 4, o + 4 + len);
  return src.runtime.bindings.get_data_from_pointer(raw.buffer as ArrayBuffer, raw.byteOffset + o + 8, len);
}

/** UUID: DuckDB stores it as a hugeint with the top bit flipped; the text is big-endian hex. */
export function uuidText(src: VectorSource, row: number): string {
  const d = src.data(16);
  const o = row * 16;
  let s = '';
  for (let j = 15; j >= 0; j--) {
    s += HEX[j === 15 ? d[o + j] ^ 0x80 : d[o + j]];
    if (j === 12 || j === 10 || j === 8 || j === 6) s += '-';
  }
  return s;
}

/** UHUGEINT: decimal text (Decimal128 cannot hold values from 2^127 on). */
export function uhugeintText(src: VectorSource, row: number): string {
  const d = src.data(16);
  const v = new BigUint64Array(d.buffer, d.byteOffset + row * 16, 2);
  return ((v[1] << 64n) | v[0]).toString();
}

/** BIT: first byte = padding bits, then the bits MSB first. */
export function bitText(src: VectorSource, row: number): string {
  const bytes = stringBytes(src, row);
  const padding = bytes[0];
  const n = (bytes.length - 1) * 8 - padding;
  let s = '';
  for (let i = 0; i < n; i++) {
    const bit = i + padding;
    s += (bytes[1 + (bit >> 3)] >> (7 - (bit & 7))) & 1 ? '1' : '0';
  }
  return s;
}

/** BIGNUM: 3-byte header (top bit set = non-negative), then big-endian magnitude (inverted if negative). */
export function bignumText(src: VectorSource, row: number): string {
  const bytes = stringBytes(src, row);
  const positive = (bytes[0] & 0x80) !== 0;
  let hex = '0x0';
  for (let i = 3; i < bytes.length; i++) hex += HEX[positive ? bytes[i] : bytes[i] ^ 0xff];
  const v = BigInt(hex);
  return (positive ? v : -v).toString();
}

/** Any other type: node-api's value, as text (NULL where node-api cannot read the type). */
export function fallbackText(type: DuckDBType): RowText {
  const unreadable = { getItem: () => null };
  return (src, row) => {
    if (src.apiVector === undefined) {
      try {
        src.apiVector = src.runtime.api.DuckDBVector.create(src.vector, src.rows, type);
      } catch {
        src.apiVector = unreadable;
      }
    }
    const v = src.apiVector.getItem(row);
    return v === null || v === undefined ? null : String(v);
  };
}
