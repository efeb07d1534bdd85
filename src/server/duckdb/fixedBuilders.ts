/** Builders of fixed-width columns: values copied as bytes, converted per row, booleans, nulls. */
import type { Data, DataType } from 'apache-arrow';
import { makeArrowData } from './arrowData';
import { growUninitialized, growZeroed, trimmed } from './buffers';
import { ColumnBuilder } from './ColumnBuilder';
import type { RowConverter } from './valueConverters';
import type { VectorSource } from './VectorSource';

/** Fixed-width values copied byte for byte (ints, floats, dates, times, timestamps, ...). */
export class FixedWidthBuilder extends ColumnBuilder {
  private bytes = new Uint8Array(0);

  constructor(
    type: DataType,
    /** Bytes per output value (for this class, per DuckDB value too). */
    protected readonly width: number,
  ) {
    super(type);
  }

  /** The values buffer, with room for `count` more rows. */
  protected reserve(count: number): Uint8Array {
    const need = (this.length + count) * this.width;
    if (this.bytes.length < need) {
      this.bytes = growUninitialized(this.bytes, Math.max(need, this.expectedRows * this.width));
    }
    return this.bytes;
  }

  append(src: VectorSource, sel: Int32Array | null, start: number, count: number): void {
    const w = this.width;
    const out = this.reserve(count);
    const data = src.data(w);
    if (sel === null) {
      out.set(data.subarray(start * w, (start + count) * w), this.length * w);
    } else {
      gather(data, out, this.length * w, w, sel, count);
    }
    this.validity.append(src.validity(), sel, start, count, this.length);
    this.length += count;
  }

  appendNulls(count: number): void {
    this.reserve(count).fill(0, this.length * this.width, (this.length + count) * this.width);
    this.validity.appendNulls(this.length, count);
    this.length += count;
  }

  /** The batch's buffers as makeData props, without a type (a dictionary puts its own). */
  finishParts(): { length: number; data: Uint8Array; nullBitmap?: Uint8Array; nullCount: number } {
    const length = this.length;
    const data = trimmed(this.bytes, length * this.width);
    this.bytes = new Uint8Array(0);
    this.length = 0;
    return { length, data, ...this.validity.finish(length) };
  }

  finish(): Data {
    return makeArrowData({ type: this.type, ...this.finishParts() });
  }

  byteSize(): number {
    return this.length * this.width;
  }

  estimatedRowBytes(): number {
    return this.width;
  }
}

/** Copies `count` values of `w` bytes from rows `sel` of `data` to `out` at byte `at`. */
function gather(
  data: Uint8Array,
  out: Uint8Array,
  at: number,
  w: number,
  sel: Int32Array,
  count: number,
): void {
  if (w % 4 === 0) {
    const words = w >> 2;
    const s = new Uint32Array(data.buffer, data.byteOffset, data.byteLength >> 2);
    const d = new Uint32Array(out.buffer, out.byteOffset + at, count * words);
    for (let k = 0; k < count; k++) {
      const r = sel[k] * words;
      for (let j = 0; j < words; j++) d[k * words + j] = s[r + j];
    }
  } else if (w === 2) {
    const s = new Uint16Array(data.buffer, data.byteOffset, data.byteLength >> 1);
    const d = new Uint16Array(out.buffer, out.byteOffset + at, count);
    for (let k = 0; k < count; k++) d[k] = s[sel[k]];
  } else {
    for (let k = 0; k < count; k++) out[at + k] = data[sel[k]];
  }
}

/**
 * Fixed-width output computed row by row from a fixed-width source of another width or
 * layout: narrow decimals, enum indexes, TIME_TZ, INTERVAL.
 */
export class RowConvertingBuilder extends FixedWidthBuilder {
  constructor(
    type: DataType,
    outWidth: number,
    private readonly srcWidth: number,
    private readonly convert: RowConverter,
  ) {
    super(type, outWidth);
  }

  override append(src: VectorSource, sel: Int32Array | null, start: number, count: number): void {
    const out = this.reserve(count);
    const data = src.data(this.srcWidth);
    const at = this.length;
    const convert = this.convert;
    if (sel === null) {
      for (let k = 0; k < count; k++) convert(data, start + k, out, at + k);
    } else {
      for (let k = 0; k < count; k++) convert(data, sel[k], out, at + k);
    }
    this.validity.append(src.validity(), sel, start, count, at);
    this.length += count;
  }
}

/** BOOLEAN: DuckDB's one byte per value -> Arrow bits. */
export class BoolBuilder extends ColumnBuilder {
  private bits = new Uint8Array(0);

  private reserve(count: number): Uint8Array {
    const need = (this.length + count + 7) >> 3;
    // Zeroed: bits are OR-ed in.
    if (this.bits.length < need)
      this.bits = growZeroed(this.bits, Math.max(need, (this.expectedRows + 7) >> 3));
    return this.bits;
  }

  append(src: VectorSource, sel: Int32Array | null, start: number, count: number): void {
    const out = this.reserve(count);
    const data = src.data(1);
    const at = this.length;
    for (let k = 0; k < count; k++) {
      if (data[sel === null ? start + k : sel[k]] !== 0) out[(at + k) >> 3] |= 1 << ((at + k) & 7);
    }
    this.validity.append(src.validity(), sel, start, count, at);
    this.length += count;
  }

  appendNulls(count: number): void {
    this.reserve(count);
    this.validity.appendNulls(this.length, count);
    this.length += count;
  }

  finish(): Data {
    const length = this.length;
    const data = trimmed(this.bits, (length + 7) >> 3);
    this.bits = new Uint8Array(0);
    this.length = 0;
    return makeArrowData({ type: this.type, length, data, ...this.validity.finish(length) });
  }

  byteSize(): number {
    return this.length >> 3;
  }

  estimatedRowBytes(): number {
    return 1 / 8;
  }
}

/** SQLNULL -> Arrow Null: only a length. */
export class NullBuilder extends ColumnBuilder {
  append(_src: VectorSource, _sel: Int32Array | null, _start: number, count: number): void {
    this.length += count;
  }

  appendNulls(count: number): void {
    this.length += count;
  }

  finish(): Data {
    const length = this.length;
    this.length = 0;
    return makeArrowData({ type: this.type, length });
  }

  byteSize(): number {
    return 0;
  }

  estimatedRowBytes(): number {
    return 0;
  }
}
