/**
 * Row converters for values whose Arrow form differs from DuckDB's storage but has a fixed
 * width in both (see `RowConvertingBuilder`). All buffers they see are 8-byte aligned.
 */
import { TWO_32 } from './VectorSource';

/**
 * Writes row `row` of `data` as row `k` of `out`. It must write every byte of that slot:
 * output buffers are not zero-filled.
 */
export type RowConverter = (data: Uint8Array, row: number, out: Uint8Array, k: number) => void;

/** A view of the last buffer it was given: converters run per row, their views change per chunk. */
function viewOf<T>(make: (bytes: Uint8Array) => T): (bytes: Uint8Array) => T {
  let last: Uint8Array | undefined;
  let view: T | undefined;
  return (bytes) => {
    if (bytes !== last) {
      last = bytes;
      view = make(bytes);
    }
    return view as T;
  };
}

const int16 = (u: Uint8Array) => new Int16Array(u.buffer, u.byteOffset, u.byteLength >> 1);
const int32 = (u: Uint8Array) => new Int32Array(u.buffer, u.byteOffset, u.byteLength >> 2);
const uint32 = (u: Uint8Array) => new Uint32Array(u.buffer, u.byteOffset, u.byteLength >> 2);

/** DECIMAL stored in 2, 4 or 8 bytes -> 128-bit, sign-extended. */
export function decimalWiden(srcWidth: 2 | 4 | 8): RowConverter {
  const srcView = viewOf<Int16Array | Int32Array>(srcWidth === 2 ? int16 : int32);
  const outView = viewOf(int32);
  return (d, r, out, k) => {
    const s = srcView(d);
    const o = outView(out);
    if (srcWidth === 8) {
      const hi = s[r * 2 + 1];
      o[k * 4] = s[r * 2];
      o[k * 4 + 1] = hi;
      o[k * 4 + 2] = o[k * 4 + 3] = hi >> 31;
    } else {
      const v = s[r];
      o[k * 4] = v;
      o[k * 4 + 1] = o[k * 4 + 2] = o[k * 4 + 3] = v >> 31;
    }
  };
}

/** Unsigned enum index of `srcWidth` bytes -> signed index of `outWidth` bytes. */
export function widenIndex(srcWidth: 1 | 2 | 4, outWidth: 2 | 4): RowConverter {
  return (d, r, out, k) => {
    let v = d[r * srcWidth];
    if (srcWidth >= 2) v |= d[r * srcWidth + 1] << 8;
    if (srcWidth === 4) v |= (d[r * 4 + 2] << 16) | (d[r * 4 + 3] << 24);
    out[k * outWidth] = v & 0xff;
    out[k * outWidth + 1] = (v >> 8) & 0xff;
    if (outWidth === 4) {
      out[k * 4 + 2] = (v >> 16) & 0xff;
      out[k * 4 + 3] = (v >>> 24) & 0xff;
    }
  };
}

const MICROS_PER_DAY = 86_400_000_000;

/** TIME_TZ's dtime_tz_t (micros << 24 | (57599 - offset seconds)) -> UTC micros in [0, 24h). */
export function timeTzToUtc(): RowConverter {
  const srcView = viewOf(uint32);
  const outView = viewOf(uint32);
  return (d, r, out, k) => {
    const s = srcView(d);
    const lo = s[r * 2];
    const micros = s[r * 2 + 1] * 256 + (lo >>> 24);
    const offset = 57599 - (lo & 0xffffff);
    let utc = (micros - offset * 1_000_000) % MICROS_PER_DAY;
    if (utc < 0) utc += MICROS_PER_DAY;
    const o = outView(out);
    o[k * 2] = utc % TWO_32;
    o[k * 2 + 1] = Math.floor(utc / TWO_32);
  };
}

/**
 * interval_t {int32 months, int32 days, int64 micros} -> {months, days, int64 nanos}, the
 * nanos wrapping modulo 2^64 like DuckDB's own conversion.
 */
export function intervalToMonthDayNano(): RowConverter {
  const srcView = viewOf(int32);
  const outView = viewOf(int32);
  return (d, r, out, k) => {
    const s = srcView(d);
    const o = outView(out);
    o[k * 4] = s[r * 4];
    o[k * 4 + 1] = s[r * 4 + 1];
    // micros * 1000 in 32-bit halves (each partial product is exact in a double), which
    // spares a BigInt per row.
    const low = (s[r * 4 + 2] >>> 0) * 1000;
    o[k * 4 + 2] = low >>> 0;
    o[k * 4 + 3] = (s[r * 4 + 3] * 1000 + Math.floor(low / TWO_32)) | 0;
  };
}
