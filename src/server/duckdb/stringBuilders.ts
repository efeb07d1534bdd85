/** Builders of variable-width columns (Utf8 / Binary): from DuckDB strings, or from text per row. */
import type { Data, DataType } from 'apache-arrow';
import { makeArrowData } from './arrowData';
import { isRowValid } from './bits';
import { growUninitialized, trimmed } from './buffers';
import { ColumnBuilder } from './ColumnBuilder';
import type { DuckDBRuntime } from './runtime';
import { TWO_32, type VectorSource } from './VectorSource';

/** Data bytes per row assumed before a batch has been seen. */
const FIRST_BYTES_PER_ROW = 8;

/** Variable-width output: int32 offsets plus one data buffer. */
export abstract class VariableWidthBuilder extends ColumnBuilder {
  protected offsets = new Int32Array(0);
  protected bytes = new Uint8Array(0);
  /** Data bytes per row of the last batch: the next one is sized from it. */
  private bytesPerRow = FIRST_BYTES_PER_ROW;

  /** The offsets buffer, with room for `count` more rows. */
  protected reserveRows(count: number): Int32Array {
    const need = this.length + count + 1;
    if (this.offsets.length < need) {
      this.offsets = growUninitialized(this.offsets, Math.max(need, this.expectedRows + 1));
    }
    if (this.length === 0) this.offsets[0] = 0;
    return this.offsets;
  }

  /** The data buffer, with room for `total` bytes in all. */
  protected reserveBytes(total: number): Uint8Array {
    if (this.bytes.length < total) {
      if (total > 0x7fffffff) throw new Error('batch exceeds 2 GiB of string data; lower batchRows');
      // An eighth more than the last batch's bytes per row, so that a batch a little
      // heavier than the last does not have to grow (that would copy the whole buffer).
      const expected = Math.ceil(this.expectedRows * this.bytesPerRow * 1.125) + 16;
      this.bytes = growUninitialized(this.bytes, Math.max(total, expected));
    }
    return this.bytes;
  }

  appendNulls(count: number): void {
    const offsets = this.reserveRows(count);
    const end = offsets[this.length];
    offsets.fill(end, this.length + 1, this.length + count + 1);
    this.validity.appendNulls(this.length, count);
    this.length += count;
  }

  finish(): Data {
    const length = this.length;
    const valueOffsets = trimmed(this.offsets, length + 1);
    const data = trimmed(this.bytes, valueOffsets[length]);
    if (length > 0) this.bytesPerRow = valueOffsets[length] / length;
    this.offsets = new Int32Array(0);
    this.bytes = new Uint8Array(0);
    this.length = 0;
    return makeArrowData({ type: this.type, length, valueOffsets, data, ...this.validity.finish(length) });
  }

  byteSize(): number {
    return this.length * 4 + this.offsets[this.length];
  }

  estimatedRowBytes(): number {
    return 4 + FIRST_BYTES_PER_ROW;
  }
}

/** Strings closer than this in memory are fetched with one call (see `StringBuilder`). */
const PAGE = 4096;
/** Largest span fetched with one call. */
const MAX_SPAN = 1 << 20;

/**
 * VARCHAR / BLOB / GEOMETRY from `duckdb_string_t` (16 bytes: uint32 length, then up to 12
 * inline bytes, or a 4-byte prefix and a pointer into the chunk's string heap).
 *
 * Inline strings are copied in JS. Out-of-line ones need a native call each
 * (`get_data_from_pointer`, ~1 µs), so rows whose bytes lie close together in memory (as
 * DuckDB's string heaps and storage blocks lay them out) are fetched as one span: a span only
 * ever grows by a string that starts or ends less than a page away from it, so every page it
 * covers holds bytes of some string of the chunk and is mapped, and spans are capped at 1 MiB.
 * The pointers are only valid while the chunk is alive, which the caller guarantees.
 */
export class StringBuilder extends VariableWidthBuilder {
  /** Out-of-line strings waiting for their span: address, length, destination offset. */
  private pendingAddress = new Float64Array(256);
  private pendingLength = new Int32Array(256);
  private pendingOffset = new Int32Array(256);
  private view: DataView | undefined;

  append(src: VectorSource, sel: Int32Array | null, start: number, count: number): void {
    const valid = src.validity();
    const raw = src.data(16);
    const u32 = new Uint32Array(raw.buffer, raw.byteOffset, raw.byteLength >> 2);
    const offsets = this.reserveRows(count);
    const at = this.length;
    let pos = offsets[at];
    // Inline strings are written as three little-endian words: up to 12 bytes past a string's
    // end land on the strings that follow, which are all written later (the loop moves
    // forward; out-of-line strings are copied when their span is fetched). Hence the slack.
    let out = this.reserveBytes(pos + 16);
    let limit = out.length - 16;
    let view = this.viewOf(out);
    if (this.pendingAddress.length < count) this.growPending(count);
    const pAddress = this.pendingAddress;
    const pLength = this.pendingLength;
    const pOffset = this.pendingOffset;
    let n = 0;
    let lo = 0;
    let hi = 0;
    for (let k = 0; k < count; k++) {
      const w = (sel === null ? start + k : sel[k]) << 2;
      const len = valid === null || isRowValid(valid, w >> 2) ? u32[w] : 0;
      const dst = pos;
      pos += len;
      offsets[at + k + 1] = pos;
      if (len === 0) continue;
      if (pos > limit) {
        out = this.reserveBytes(pos + (count - k) * 4 + 16);
        limit = out.length - 16;
        view = this.viewOf(out);
      }
      if (len <= 12) {
        view.setUint32(dst, u32[w + 1], true);
        view.setUint32(dst + 4, u32[w + 2], true);
        view.setUint32(dst + 8, u32[w + 3], true);
        continue;
      }
      const address = u32[w + 2] + u32[w + 3] * TWO_32;
      const end = address + len;
      if (
        n > 0 &&
        address - hi < PAGE &&
        lo - end < PAGE &&
        Math.max(hi, end) - Math.min(lo, address) <= MAX_SPAN
      ) {
        if (address < lo) lo = address;
        if (end > hi) hi = end;
      } else {
        if (n > 0) this.copySpan(src.runtime, lo, hi, n, out);
        n = 0;
        lo = address;
        hi = end;
      }
      pAddress[n] = address;
      pLength[n] = len;
      pOffset[n++] = dst;
    }
    if (n > 0) this.copySpan(src.runtime, lo, hi, n, out);
    this.validity.append(valid, sel, start, count, at);
    this.length += count;
  }

  private viewOf(out: Uint8Array): DataView {
    if (this.view === undefined || this.view.buffer !== out.buffer) {
      this.view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    }
    return this.view;
  }

  private growPending(count: number): void {
    this.pendingAddress = new Float64Array(count);
    this.pendingLength = new Int32Array(count);
    this.pendingOffset = new Int32Array(count);
  }

  /** Fetches [lo, hi) with one native call and copies the `n` pending strings out of it. */
  private copySpan(runtime: DuckDBRuntime, lo: number, hi: number, n: number, out: Uint8Array): void {
    const address = runtime.addressScratch;
    address[0] = lo % TWO_32;
    address[1] = Math.floor(lo / TWO_32);
    const span = runtime.bindings.get_data_from_pointer(address.buffer as ArrayBuffer, 0, hi - lo);
    const pAddress = this.pendingAddress;
    const pLength = this.pendingLength;
    const pOffset = this.pendingOffset;
    // Strings adjacent both in DuckDB's heap and in the output (the usual layout) are
    // copied as one block.
    let i = 0;
    while (i < n) {
      const from = pAddress[i] - lo;
      const dst = pOffset[i];
      let len = pLength[i];
      for (i++; i < n && pAddress[i] - lo === from + len && pOffset[i] === dst + len; i++) len += pLength[i];
      if (len < 48) {
        for (let j = 0; j < len; j++) out[dst + j] = span[from + j];
      } else {
        out.set(span.subarray(from, from + len), dst);
      }
    }
  }
}

const encoder = new TextEncoder();

/** The text of valid row `row` of `src`, or null to make that row NULL. */
export type RowText = (src: VectorSource, row: number) => string | null;

/** Utf8 computed per row as text: UUID, UHUGEINT, BIT, BIGNUM and the generic fallback. */
export class TextBuilder extends VariableWidthBuilder {
  constructor(
    type: DataType,
    private readonly text: RowText,
  ) {
    super(type);
  }

  append(src: VectorSource, sel: Int32Array | null, start: number, count: number): void {
    const valid = src.validity();
    const offsets = this.reserveRows(count);
    const at = this.length;
    let nulls: number[] | undefined;
    for (let k = 0; k < count; k++) {
      const r = sel === null ? start + k : sel[k];
      let pos = offsets[at + k];
      if (isRowValid(valid, r)) {
        const s = this.text(src, r);
        if (s === null) {
          (nulls ??= []).push(at + k);
        } else {
          // UTF-16 code units take at most 3 bytes each in UTF-8.
          const out = this.reserveBytes(pos + s.length * 3);
          pos += encoder.encodeInto(s, out.subarray(pos)).written;
        }
      }
      offsets[at + k + 1] = pos;
    }
    this.validity.append(valid, sel, start, count, at);
    this.length += count;
    // Rows the converter found NULL although the vector marked them valid.
    if (nulls) for (const i of nulls) this.validity.clear(i, this.length);
  }
}
