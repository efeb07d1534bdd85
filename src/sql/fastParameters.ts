/**
 * Parameter columns of flat types filled straight into typed arrays (values, validity bitmap,
 * UTF-8 offsets and bytes) and wrapped with `makeData`: a million 5-column rows take a few
 * hundred milliseconds this way, where apache-arrow's per-value builders took over 3 s, 40% of it
 * garbage collection. Common values (numbers, strings, Dates, bigints of the right kind) are stored
 * directly; every other value goes through the same coercion as the general path (coerce.ts), so
 * both paths take, convert and refuse exactly the same values.
 */
import { DateUnit, Precision, TimeUnit, Type, makeData, type Data, type DataType } from 'apache-arrow';
import { NS_PER_UNIT } from '../values';
import { coercerFor, timestampUnits } from './coerce';

/** A value a fast column could not take: the row (in the whole column) and the coercion's error. */
export class FastColumnError extends Error {
  constructor(
    readonly row: number,
    override readonly cause: unknown,
  ) {
    super('parameter value refused');
  }
}

/**
 * Fills one batch of a column, rows `[start, start + length)` of the source, in blocks: the
 * caller goes block by block across every column, so each row is read while its memory is warm
 * (column after column over a million rows would fetch every row from memory once per column).
 * Rows are `values[i]`, or `values[i][column]` for a non-negative `column`: positional rows read
 * in place, without a copy of the column.
 */
export interface ColumnEncoder {
  /** Stores source rows `[from, to)`, which lie within the batch. */
  fill(values: readonly unknown[], column: number, from: number, to: number): void;
  /** The batch's column. */
  finish(): Data;
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const TWO_32 = 4294967296;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** The value of row `i`; undefined is null, as for rows of parameters. */
function at(values: readonly unknown[], column: number, i: number): unknown {
  const v = column < 0 ? values[i] : (values[i] as readonly unknown[])[column];
  return v === undefined ? null : v;
}

/**
 * An encoder of `type` for the batch of source rows `[start, start + length)`, or undefined
 * where the type has no fast path (nested types, unions, decimals, large offsets, times,
 * Float16, Null...). Its `fill` throws FastColumnError for a value the type cannot hold.
 */
export function fastEncoder(type: DataType, start: number, length: number): ColumnEncoder | undefined {
  switch (type.typeId) {
    case Type.Int: {
      const { bitWidth, isSigned } = type as unknown as { bitWidth: number; isSigned: boolean };
      return bitWidth === 64
        ? new Int64Encoder(type, start, length, isSigned)
        : intEncoder(type, start, length);
    }
    case Type.Float: {
      const { precision } = type as unknown as { precision: Precision };
      if (precision === Precision.DOUBLE)
        return new NumberEncoder(type, start, new Float64Array(length), -Infinity, Infinity);
      if (precision === Precision.SINGLE)
        return new NumberEncoder(type, start, new Float32Array(length), NaN, NaN);
      return undefined;
    }
    case Type.Bool:
      return new BoolEncoder(type, start, length);
    case Type.Utf8:
    case Type.Binary:
      return new BytesEncoder(type, start, length);
    case Type.Timestamp:
      return new TimestampEncoder(type, start, length);
    case Type.Date:
      return (type as unknown as { unit: DateUnit }).unit === DateUnit.DAY
        ? new DayEncoder(type, start, length)
        : undefined;
    default:
      return undefined;
  }
}

/** Whether `type` has a fast path. */
export function hasFastPath(type: DataType): boolean {
  return fastEncoder(type, 0, 0) !== undefined;
}

/** What every encoder keeps: its type, first source row, validity, and the general coercion. */
abstract class Encoder<T> implements ColumnEncoder {
  readonly #coerce: (value: unknown) => unknown;
  readonly bitmap: Uint8Array;
  nullCount = 0;

  constructor(
    readonly type: DataType,
    readonly start: number,
    readonly length: number,
    coerce: (value: unknown) => unknown = coercerFor(type),
  ) {
    this.#coerce = coerce;
    this.bitmap = new Uint8Array((length + 7) >> 3).fill(0xff);
  }

  abstract fill(values: readonly unknown[], column: number, from: number, to: number): void;
  abstract finish(): Data;

  setNull(i: number): void {
    this.nullCount++;
    this.bitmap[i >> 3]! &= ~(1 << (i & 7));
  }

  /** The general coercion of the value of source row `row`, its error tagged with the row. */
  coerce(value: unknown, row: number): T {
    try {
      return this.#coerce(value) as T;
    } catch (err) {
      throw new FastColumnError(row, err);
    }
  }

  /** The batch's Data; the bitmap only where there are nulls, its padding bits cleared. */
  data(fields: { data: ArrayBufferView; valueOffsets?: Int32Array }): Data {
    let nullBitmap: Uint8Array | undefined;
    if (this.nullCount > 0) {
      const tail = this.length & 7;
      if (tail) this.bitmap[this.bitmap.length - 1]! &= (1 << tail) - 1;
      nullBitmap = this.bitmap;
    }
    const { type, length, nullCount } = this;
    return makeData({ type, length, nullCount, nullBitmap, ...fields } as never) as Data;
  }
}

type NumberArray =
  Float64Array | Float32Array | Int32Array | Int16Array | Int8Array | Uint32Array | Uint16Array | Uint8Array;

/**
 * Numbers stored as they are where the column holds them exactly: integers within
 * `[min, max]`, any number for Float64 (both bounds infinite), numbers Math.fround keeps for
 * Float32 (NaN bounds); every other value takes the general coercion.
 */
class NumberEncoder extends Encoder<number> {
  readonly #integers: boolean;
  constructor(
    type: DataType,
    start: number,
    readonly values: NumberArray,
    readonly min: number,
    readonly max: number,
  ) {
    super(type, start, values.length);
    this.#integers = type.typeId === Type.Int;
  }

  fill(values: readonly unknown[], column: number, from: number, to: number): void {
    const { values: out, start, min, max } = this;
    const integers = this.#integers;
    const float32 = min !== min;
    for (let r = from; r < to; r++) {
      const v = at(values, column, r);
      const i = r - start;
      if (v === null) this.setNull(i);
      else if (
        typeof v === 'number' &&
        (integers ? Number.isInteger(v) && v >= min && v <= max : !float32 || v !== v || Math.fround(v) === v)
      )
        out[i] = v;
      else out[i] = this.coerce(v, r);
    }
  }

  finish(): Data {
    return this.data({ data: this.values });
  }
}

function intEncoder(type: DataType, start: number, length: number): ColumnEncoder {
  const { bitWidth, isSigned } = type as unknown as { bitWidth: 8 | 16 | 32; isSigned: boolean };
  const min = isSigned ? -(2 ** (bitWidth - 1)) : 0;
  const max = isSigned ? 2 ** (bitWidth - 1) - 1 : 2 ** bitWidth - 1;
  const Array_ = isSigned
    ? { 8: Int8Array, 16: Int16Array, 32: Int32Array }[bitWidth]
    : { 8: Uint8Array, 16: Uint16Array, 32: Uint32Array }[bitWidth];
  return new NumberEncoder(type, start, new Array_(length), min, max);
}

class Int64Encoder extends Encoder<bigint> {
  readonly values: BigInt64Array | BigUint64Array;
  readonly #words: Uint32Array;
  readonly #signed: boolean;
  constructor(type: DataType, start: number, length: number, signed: boolean) {
    super(type, start, length);
    this.values = signed ? new BigInt64Array(length) : new BigUint64Array(length);
    this.#words = new Uint32Array(this.values.buffer);
    this.#signed = signed;
  }

  fill(values: readonly unknown[], column: number, from: number, to: number): void {
    const { values: out, start } = this;
    const [lo, hi] = this.#signed ? [INT64_MIN, INT64_MAX] : [0n, UINT64_MAX];
    const minNumber = this.#signed ? -(2 ** 53) : 0;
    for (let r = from; r < to; r++) {
      const v = at(values, column, r);
      const i = r - start;
      if (v === null) this.setNull(i);
      else if (typeof v === 'bigint' && v >= lo && v <= hi) out[i] = v;
      else if (LITTLE_ENDIAN && typeof v === 'number' && Number.isSafeInteger(v) && v >= minNumber)
        setWords(this.#words, i, v);
      else out[i] = this.coerce(v, r);
    }
  }

  finish(): Data {
    return this.data({ data: this.values });
  }
}

/** Stores the safe integer `v` as a little-endian 64-bit two's complement, without a BigInt. */
function setWords(words: Uint32Array, i: number, v: number): void {
  const high = Math.floor(v / TWO_32);
  words[2 * i] = v - high * TWO_32;
  words[2 * i + 1] = high; // ToUint32 wraps a negative high word to its two's complement
}

class BoolEncoder extends Encoder<boolean> {
  readonly values: Uint8Array;
  constructor(type: DataType, start: number, length: number) {
    super(type, start, length);
    this.values = new Uint8Array((length + 7) >> 3);
  }

  fill(values: readonly unknown[], column: number, from: number, to: number): void {
    for (let r = from; r < to; r++) {
      const v = at(values, column, r);
      const i = r - this.start;
      if (v === null) this.setNull(i);
      else if (v === true || (v !== false && this.coerce(v, r))) this.values[i >> 3]! |= 1 << (i & 7);
    }
  }

  finish(): Data {
    return this.data({ data: this.values });
  }
}

const encoder = new TextEncoder();

/** Utf8 and Binary: Int32 offsets and one growing byte buffer; short ASCII text copied by hand. */
class BytesEncoder extends Encoder<unknown> {
  readonly #text: boolean;
  readonly offsets: Int32Array;
  bytes: Uint8Array;
  used = 0;
  constructor(type: DataType, start: number, length: number) {
    super(type, start, length);
    this.#text = type.typeId === Type.Utf8;
    this.offsets = new Int32Array(length + 1);
    this.bytes = new Uint8Array(Math.max(64, length * 8));
  }

  #reserve(n: number): void {
    if (this.used + n <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.used + n));
    grown.set(this.bytes.subarray(0, this.used));
    this.bytes = grown;
  }

  fill(values: readonly unknown[], column: number, from: number, to: number): void {
    for (let r = from; r < to; r++) {
      const v = at(values, column, r);
      const i = r - this.start;
      if (v === null) this.setNull(i);
      else if (this.#text) this.#text_(typeof v === 'string' ? v : (this.coerce(v, r) as string));
      else {
        const b = (v instanceof Uint8Array ? v : this.coerce(v, r)) as Uint8Array;
        this.#reserve(b.length);
        this.bytes.set(b, this.used);
        this.used += b.length;
      }
      if (this.used > 0x7fffffff)
        throw new FastColumnError(r, new RangeError('more than 2 GiB in one batch'));
      this.offsets[i + 1] = this.used;
    }
  }

  /** UTF-8 as TextEncoder writes it (lone surrogates as U+FFFD), ASCII without a call. */
  #text_(s: string): void {
    this.#reserve(s.length * 3);
    const { bytes, used } = this;
    let k = 0;
    if (s.length <= 64)
      for (; k < s.length; k++) {
        const c = s.charCodeAt(k);
        if (c >= 0x80) break;
        bytes[used + k] = c;
      }
    this.used += k === s.length ? k : encoder.encodeInto(s, bytes.subarray(used)).written;
  }

  finish(): Data {
    return this.data({ valueOffsets: this.offsets, data: this.bytes.subarray(0, this.used) });
  }
}

/** Milliseconds to the unit of a Timestamp column (seconds divide instead). */
const MS_FACTOR: Record<TimeUnit, number> = {
  [TimeUnit.SECOND]: 1,
  [TimeUnit.MILLISECOND]: 1,
  [TimeUnit.MICROSECOND]: 1000,
  [TimeUnit.NANOSECOND]: 1_000_000,
};

class TimestampEncoder extends Encoder<bigint> {
  readonly values: BigInt64Array;
  readonly #words: Uint32Array;
  readonly #factor: number;
  readonly #seconds: boolean;
  constructor(type: DataType, start: number, length: number) {
    const unit = (type as unknown as { unit: TimeUnit }).unit;
    const perUnit = NS_PER_UNIT[unit];
    super(type, start, length, (v) => timestampUnits(v, perUnit));
    this.values = new BigInt64Array(length);
    this.#words = new Uint32Array(this.values.buffer);
    this.#factor = MS_FACTOR[unit];
    this.#seconds = unit === TimeUnit.SECOND;
  }

  fill(values: readonly unknown[], column: number, from: number, to: number): void {
    const factor = this.#factor;
    const seconds = this.#seconds;
    for (let r = from; r < to; r++) {
      const v = at(values, column, r);
      const i = r - this.start;
      if (v === null) {
        this.setNull(i);
        continue;
      }
      if (LITTLE_ENDIAN && v instanceof Date) {
        // Exact where the result stays a safe integer (any Date in µs up to year 2255); seconds
        // divide, and ms / 1000 is correctly rounded, so never an integer by error.
        const units = seconds ? v.getTime() / 1000 : v.getTime() * factor;
        if (Number.isSafeInteger(units)) {
          setWords(this.#words, i, units);
          continue;
        }
      }
      this.values[i] = this.coerce(v, r);
    }
  }

  finish(): Data {
    return this.data({ data: this.values });
  }
}

class DayEncoder extends Encoder<number> {
  readonly values: Int32Array;
  constructor(type: DataType, start: number, length: number) {
    super(type, start, length);
    this.values = new Int32Array(length);
  }

  fill(values: readonly unknown[], column: number, from: number, to: number): void {
    for (let r = from; r < to; r++) {
      const v = at(values, column, r);
      const i = r - this.start;
      if (v === null) this.setNull(i);
      // As apache-arrow's DateDay builder stores epoch milliseconds.
      else this.values[i] = Math.floor(this.coerce(v, r) / 86_400_000);
    }
  }

  finish(): Data {
    return this.data({ data: this.values });
  }
}
