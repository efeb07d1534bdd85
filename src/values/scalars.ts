/** Exact text and number forms of single Arrow scalars (times, decimals, half floats). */
import { TimeUnit } from 'apache-arrow';

/** Nanoseconds per Arrow time unit. */
export const NS_PER_UNIT: Readonly<Record<TimeUnit, bigint>> = {
  [TimeUnit.SECOND]: 1_000_000_000n,
  [TimeUnit.MILLISECOND]: 1_000_000n,
  [TimeUnit.MICROSECOND]: 1_000n,
  [TimeUnit.NANOSECOND]: 1n,
};
const DIGITS: Record<TimeUnit, number> = {
  [TimeUnit.SECOND]: 0,
  [TimeUnit.MILLISECOND]: 3,
  [TimeUnit.MICROSECOND]: 6,
  [TimeUnit.NANOSECOND]: 9,
};

/** Division rounding toward negative infinity (BigInt `/` truncates toward zero). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** ISO 8601 text of `value` units since the epoch, keeping all of the unit's digits. */
export function isoFromEpoch(value: bigint, unit: TimeUnit): string {
  const perSecond = 1_000_000_000n / NS_PER_UNIT[unit];
  const seconds = floorDiv(value, perSecond);
  const fraction = value - seconds * perSecond;
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  const digits = DIGITS[unit];
  return digits === 0 ? `${base}Z` : `${base}.${fraction.toString().padStart(digits, '0')}Z`;
}

/** `hh:mm:ss[.fraction]` of `value` units since midnight. */
export function timeOfDay(value: bigint, unit: TimeUnit): string {
  const perSecond = 1_000_000_000n / NS_PER_UNIT[unit];
  const seconds = Number(value / perSecond);
  const fraction = value % perSecond;
  const hh = String(Math.floor(seconds / 3600)).padStart(2, '0');
  const mm = String(Math.floor((seconds % 3600) / 60)).padStart(2, '0');
  const ss = String(seconds % 60).padStart(2, '0');
  const digits = DIGITS[unit];
  return digits === 0
    ? `${hh}:${mm}:${ss}`
    : `${hh}:${mm}:${ss}.${fraction.toString().padStart(digits, '0')}`;
}

/** Exact decimal text of the little-endian two's-complement integer in `words` (32-bit words). */
export function decimalText(words: Uint32Array, start: number, stride: number, scale: number): string {
  let value = 0n;
  for (let w = stride - 1; w >= 0; w--) value = (value << 32n) | BigInt(words[start + w]!);
  if (words[start + stride - 1]! & 0x80000000) value -= 1n << BigInt(32 * stride);
  const negative = value < 0n;
  let digits = (negative ? -value : value).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  } else if (scale < 0 && value !== 0n) {
    digits = digits + '0'.repeat(-scale);
  }
  return negative ? `-${digits}` : digits;
}

/** The number an IEEE 754 half float's bits stand for. */
export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
