/**
 * Utf8 and LargeUtf8 columns. Decoding is the cost of a string cell, and real columns repeat
 * their short values (tags, enums, status codes), so each column keeps a small memo of the
 * strings it decoded last, keyed by their bytes: a repeated value costs a hash and a compare
 * instead of a TextDecoder call and a new string. Columns whose values do not repeat turn the
 * memo off for the rest of the range after a few misses.
 */
import type { Data } from 'apache-arrow';
import { isNull, validityOf, type Read } from './column';

const utf8 = new TextDecoder();

/** Memo slots per column (a power of two). */
const SLOTS = 256;
/** Longest value, in bytes, that the memo keeps. */
const MAX_BYTES = 32;
/** Look-ups per range after which a memo that hits less than a quarter of the time is skipped. */
const PROBES = 64;

/** A fresh Read of Utf8 / LargeUtf8 cells, with its own memo (one per column). */
export function utf8Reader(): Read {
  const lengths = new Int32Array(SLOTS).fill(-1);
  const pool = new Uint8Array(SLOTS * MAX_BYTES);
  const strings = new Array<string>(SLOTS).fill('');
  return (d: Data, start, end, out, at) => {
    const offsets = d.valueOffsets as Int32Array | BigInt64Array;
    const bytes = d.values as Uint8Array;
    const bits = validityOf(d);
    const offset = d.offset;
    let probes = 0;
    let hits = 0;
    let memo = true;
    for (let i = start; i < end; i++, at++) {
      if (bits !== null && isNull(bits, offset + i)) {
        out[at] = null;
        continue;
      }
      const from = Number(offsets[i]);
      const to = Number(offsets[i + 1]);
      const n = to - from;
      if (!memo || n > MAX_BYTES || n < 0) {
        out[at] = utf8.decode(bytes.subarray(from, to));
        continue;
      }
      let h = n;
      for (let k = from; k < to; k++) h = (Math.imul(h, 31) + bytes[k]!) | 0;
      const slot = (h ^ (h >>> 13)) & (SLOTS - 1);
      const base = slot * MAX_BYTES;
      probes++;
      if (lengths[slot] === n) {
        let k = 0;
        while (k < n && pool[base + k] === bytes[from + k]) k++;
        if (k === n) {
          hits++;
          out[at] = strings[slot];
          continue;
        }
      }
      const text = utf8.decode(bytes.subarray(from, to));
      lengths[slot] = n;
      for (let k = 0; k < n; k++) pool[base + k] = bytes[from + k]!;
      strings[slot] = text;
      out[at] = text;
      if (probes === PROBES && hits < PROBES / 4) memo = false;
    }
  };
}
