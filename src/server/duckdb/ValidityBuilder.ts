import { allSet, copyBits, popcount, setBits } from './bits';
import { growZeroed, trimmed } from './buffers';

/**
 * The validity bitmap of one column of the batch being assembled. It stays null (every row
 * valid, no buffer) until a null arrives, so columns without nulls never allocate one.
 */
export class ValidityBuilder {
  private bits: Uint8Array | null = null;
  /** Rows to allocate room for when the bitmap is created. */
  expectedRows = 0;

  private ensure(at: number, count: number): Uint8Array {
    const need = (at + count + 7) >> 3;
    if (this.bits === null) {
      this.bits = new Uint8Array(Math.max(need, (this.expectedRows + 7) >> 3));
      setBits(this.bits, 0, at);
    } else if (this.bits.length < need) {
      this.bits = growZeroed(this.bits, need);
    }
    return this.bits;
  }

  /**
   * Appends the validity of rows `sel[0..count)` of `src` (rows `[start, start + count)` when
   * `sel` is null) at bit `at`; `src` null means all valid.
   */
  append(src: Uint8Array | null, sel: Int32Array | null, start: number, count: number, at: number): void {
    // DuckDB may hand out a mask whose rows are all valid: that needs no bitmap either.
    if (src !== null && this.bits === null && sel === null && allSet(src, start, count)) src = null;
    if (src === null) {
      if (this.bits !== null) setBits(this.ensure(at, count), at, count);
      return;
    }
    const bits = this.ensure(at, count);
    if (sel === null) {
      copyBits(src, start, bits, at, count);
    } else {
      for (let k = 0; k < count; k++) {
        const r = sel[k];
        if ((src[r >> 3] >> (r & 7)) & 1) bits[(at + k) >> 3] |= 1 << ((at + k) & 7);
      }
    }
  }

  /** Appends `count` null rows at bit `at`. */
  appendNulls(at: number, count: number): void {
    this.ensure(at, count);
  }

  /** Marks row `row` null, `length` rows having been appended. */
  clear(row: number, length: number): void {
    const bits = this.bits ?? this.ensure(length, 0);
    bits[row >> 3] &= ~(1 << (row & 7));
  }

  /** The bitmap and null count of the first `length` rows, for makeData; starts a new batch. */
  finish(length: number): { nullBitmap?: Uint8Array; nullCount: number } {
    const bits = this.bits;
    this.bits = null;
    if (bits === null) return { nullCount: 0 };
    const nullCount = length - popcount(bits, length);
    return nullCount === 0 ? { nullCount: 0 } : { nullBitmap: trimmed(bits, (length + 7) >> 3), nullCount };
  }
}
