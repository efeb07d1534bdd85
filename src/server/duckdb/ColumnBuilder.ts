import type { Data, DataType } from 'apache-arrow';
import { ValidityBuilder } from './ValidityBuilder';
import type { VectorSource } from './VectorSource';

/**
 * Accumulates the rows of one column (or nested member) for the batch being assembled, into
 * buffers allocated once per batch at the size the batch is expected to reach.
 */
export abstract class ColumnBuilder {
  /** Rows appended to the current batch. */
  length = 0;
  /** Rows the current batch is expected to reach: what buffers are allocated for. */
  protected expectedRows = 0;
  protected readonly validity = new ValidityBuilder();

  constructor(readonly type: DataType) {}

  /** Appends rows `sel[0..count)` of `src`, or rows `[start, start + count)` when `sel` is null. */
  abstract append(src: VectorSource, sel: Int32Array | null, start: number, count: number): void;
  /** Appends `count` null rows. */
  abstract appendNulls(count: number): void;
  /** The Data of the rows appended since the last call; the builder starts a new batch. */
  abstract finish(): Data;
  /** Approximate bytes held for the current batch (what `batchBytes` is compared with). */
  abstract byteSize(): number;
  /** Bytes a row is guessed to take before any batch was seen, to size the first batch. */
  abstract estimatedRowBytes(): number;

  /** Sets the rows the next batch is expected to reach (and so that of members fed the same rows). */
  expectRows(rows: number): void {
    this.expectedRows = rows;
    this.validity.expectedRows = rows;
  }
}
