/**
 * Bitmaps in Arrow's layout (bit `i` is bit `i & 7` of byte `i >> 3`), which is also the layout
 * of DuckDB's validity masks and so of the bitmaps read from them.
 */

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1];

/** Set bits among the first `n` of `bits`. */
export function popcount(bits: Uint8Array, n: number): number {
  let count = 0;
  const full = n >> 3;
  for (let i = 0; i < full; i++) count += POPCOUNT[bits[i]];
  if (n & 7) count += POPCOUNT[bits[full] & ((1 << (n & 7)) - 1)];
  return count;
}

/** Whether bits [from, from + n) of `bits` are all set. */
export function allSet(bits: Uint8Array, from: number, n: number): boolean {
  let i = from;
  const end = from + n;
  for (; i < end && i & 7; i++) if (((bits[i >> 3] >> (i & 7)) & 1) === 0) return false;
  for (; i + 8 <= end; i += 8) if (bits[i >> 3] !== 0xff) return false;
  for (; i < end; i++) if (((bits[i >> 3] >> (i & 7)) & 1) === 0) return false;
  return true;
}

/** Whether row `row` is valid under `validity` (null: every row is). */
export function isRowValid(validity: Uint8Array | null, row: number): boolean {
  return validity === null || ((validity[row >> 3] >> (row & 7)) & 1) === 1;
}

/** Sets bits [at, at + n) of `dst`. */
export function setBits(dst: Uint8Array, at: number, n: number): void {
  let i = at;
  const end = at + n;
  while (i < end && i & 7) dst[i >> 3] |= 1 << (i++ & 7);
  if (i + 8 <= end) {
    dst.fill(0xff, i >> 3, end >> 3);
    i = end & ~7;
  }
  while (i < end) dst[i >> 3] |= 1 << (i++ & 7);
}

/** ORs bits [from, from + n) of `src` into `dst` at `at`; `dst` must be zero from `at` on. */
export function copyBits(src: Uint8Array, from: number, dst: Uint8Array, at: number, n: number): void {
  if (n <= 0) return;
  if ((from & 7) === 0 && (at & 7) === 0) {
    const bytes = n >> 3;
    dst.set(src.subarray(from >> 3, (from >> 3) + bytes), at >> 3);
    if (n & 7) dst[(at >> 3) + bytes] = src[(from >> 3) + bytes] & ((1 << (n & 7)) - 1);
    return;
  }
  for (let i = 0; i < n; i += 8) {
    const s = from + i;
    const sb = s >> 3;
    const ss = s & 7;
    let byte = src[sb] >>> ss;
    if (ss !== 0 && sb + 1 < src.length) byte |= src[sb + 1] << (8 - ss);
    const take = n - i < 8 ? n - i : 8;
    byte &= (1 << take) - 1;
    const d = at + i;
    const db = d >> 3;
    const ds = d & 7;
    dst[db] |= byte << ds;
    if (ds !== 0 && take > 8 - ds) dst[db + 1] |= byte >>> (8 - ds);
  }
}
