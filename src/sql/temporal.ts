/**
 * Parameter values for the SQL types JavaScript lacks: a calendar date (no time of day) and a
 * time of day (no date). A plain `Date` binds as a timestamp; these bind as Arrow Date32 and
 * Time64(µs) where the server leaves the parameter type open.
 */
import { InterfaceError } from '../errors';

/** A calendar date, held as UTC midnight so that `getUTC*()` and `toISOString()` show the date. */
export class SqlDate extends globalThis.Date {
  /** `month` counts from 1, as in SQL and Python (`new SqlDate(2024, 2, 29)` is 29 February). */
  constructor(year: number, month: number, day: number) {
    super(Date.UTC(year, month - 1, day));
    // Date.UTC maps years 0..99 to 1900..1999; SQL dates mean the year they say.
    if (year >= 0 && year < 100) this.setUTCFullYear(year);
    if (this.getUTCFullYear() !== year || this.getUTCMonth() !== month - 1 || this.getUTCDate() !== day) {
      throw new InterfaceError(`not a date: ${year}-${month}-${day}`);
    }
  }

  /** Days since 1970-01-01 (Arrow Date32). */
  get epochDays(): number {
    return Math.floor(this.getTime() / 86_400_000);
  }

  /** `YYYY-MM-DD`. */
  override toString(): string {
    return this.toISOString().slice(0, 10);
  }

  /** The same text as `toString()`, so JSON shows the calendar date. */
  override toJSON(): string {
    return this.toString();
  }
}

/** A time of day with nanosecond resolution. */
export class SqlTime {
  /** Nanoseconds since midnight. */
  readonly nanoseconds: bigint;

  constructor(hour: number, minute = 0, second = 0, nanosecond = 0) {
    const parts = [hour, minute, second, nanosecond];
    const limits = [24, 60, 60, 1e9];
    if (parts.some((p, i) => !Number.isInteger(p) || p < 0 || p >= limits[i]!)) {
      throw new InterfaceError(`not a time of day: ${parts.join(':')}`);
    }
    this.nanoseconds = BigInt(((hour * 60 + minute) * 60 + second) * 1e9) + BigInt(nanosecond);
  }

  /** Parses `HH:MM[:SS[.fraction]]`. */
  static parse(text: string): SqlTime {
    const match = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/.exec(text.trim());
    if (!match) throw new InterfaceError(`not a time of day: '${text}'`);
    const [, h, m, s, fraction] = match;
    return new SqlTime(Number(h), Number(m), Number(s ?? 0), Number((fraction ?? '').padEnd(9, '0')));
  }

  /** The value in `unitNanoseconds` units (1 for ns, 1000 for µs, ...), truncated. */
  in(unitNanoseconds: bigint): bigint {
    return this.nanoseconds / unitNanoseconds;
  }

  /** `HH:MM:SS` with as many fraction digits as needed (none, 3, 6 or 9). */
  toString(): string {
    const total = this.nanoseconds;
    const seconds = Number(total / 1_000_000_000n);
    const fraction = Number(total % 1_000_000_000n);
    const two = (n: number) => String(n).padStart(2, '0');
    const base = `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
    if (fraction === 0) return base;
    let digits = String(fraction).padStart(9, '0');
    while (digits.endsWith('000')) digits = digits.slice(0, -3);
    return `${base}.${digits}`;
  }

  /** The same text as `toString()`, so JSON shows the time of day. */
  toJSON(): string {
    return this.toString();
  }
}
