/** Builders of nested columns (list, fixed-size list, struct, union) and of dictionaries. */
import { Vector, type Data, type DataType, type Dictionary } from 'apache-arrow';
import { makeArrowData, utf8Data } from './arrowData';
import { isRowValid } from './bits';
import { growUninitialized, trimmed } from './buffers';
import { ColumnBuilder } from './ColumnBuilder';
import type { FixedWidthBuilder } from './fixedBuilders';
import { TWO_32, type VectorSource } from './VectorSource';

/** LIST and MAP: DuckDB's (offset, length) uint64 entries -> int32 offsets plus one child. */
export class ListBuilder extends ColumnBuilder {
  private offsets = new Int32Array(0);
  /** Whether the child has been sized from a batch yet (until then, one element per row). */
  private childMeasured = false;

  constructor(
    type: DataType,
    private readonly child: ColumnBuilder,
  ) {
    super(type);
  }

  private reserve(count: number): Int32Array {
    const need = this.length + count + 1;
    if (this.offsets.length < need) {
      this.offsets = growUninitialized(this.offsets, Math.max(need, this.expectedRows + 1));
    }
    if (this.length === 0) this.offsets[0] = 0;
    return this.offsets;
  }

  append(src: VectorSource, sel: Int32Array | null, start: number, count: number): void {
    const valid = src.validity();
    const raw = src.data(16);
    const e = new Uint32Array(raw.buffer, raw.byteOffset, raw.byteLength >> 2);
    const offsets = this.reserve(count);
    const at = this.length;
    let pos = offsets[at];
    // Contiguous entries (the usual case) become one range of the child; anything else
    // (filtered or shared children) a selection.
    let contiguous = true;
    let first = -1;
    let expect = 0;
    for (let k = 0; k < count; k++) {
      const r = sel === null ? start + k : sel[k];
      if (isRowValid(valid, r)) {
        const len = e[r * 4 + 2] + e[r * 4 + 3] * TWO_32;
        if (len > 0) {
          const off = e[r * 4] + e[r * 4 + 1] * TWO_32;
          if (first < 0) first = expect = off;
          else if (off !== expect) contiguous = false;
          expect = off + len;
          pos += len;
        }
      }
      offsets[at + k + 1] = pos;
    }
    if (pos > 0x7fffffff) throw new Error('batch exceeds 2^31 list elements; lower batchRows');
    const total = pos - offsets[at];
    if (total > 0) {
      const child = src.listChild();
      if (contiguous) {
        this.child.append(child, null, first, total);
      } else {
        const childSel = new Int32Array(total);
        let n = 0;
        for (let k = 0; k < count; k++) {
          const r = sel === null ? start + k : sel[k];
          const len = offsets[at + k + 1] - offsets[at + k];
          const off = e[r * 4] + e[r * 4 + 1] * TWO_32;
          for (let j = 0; j < len; j++) childSel[n++] = off + j;
        }
        this.child.append(child, childSel, 0, total);
      }
    }
    this.validity.append(valid, sel, start, count, at);
    this.length += count;
  }

  appendNulls(count: number): void {
    const offsets = this.reserve(count);
    offsets.fill(offsets[this.length], this.length + 1, this.length + count + 1);
    this.validity.appendNulls(this.length, count);
    this.length += count;
  }

  finish(): Data {
    const length = this.length;
    const valueOffsets = trimmed(this.offsets, length + 1);
    const elements = valueOffsets[length];
    // The next batch's elements are sized from this one's, a sixteenth more.
    this.child.expectRows(elements + (elements >> 4) + 64);
    this.childMeasured = true;
    const child = this.child.finish();
    this.offsets = new Int32Array(0);
    this.length = 0;
    return makeArrowData({ type: this.type, length, valueOffsets, child, ...this.validity.finish(length) });
  }

  override expectRows(rows: number): void {
    super.expectRows(rows);
    if (!this.childMeasured) this.child.expectRows(rows);
  }

  byteSize(): number {
    return this.length * 4 + this.child.byteSize();
  }

  estimatedRowBytes(): number {
    return 4 + this.child.estimatedRowBytes();
  }
}

/** ARRAY -> FixedSizeList: `size` child slots per row; null rows get null children. */
export class FixedSizeListBuilder extends ColumnBuilder {
  constructor(
    type: DataType,
    private readonly size: number,
    private readonly child: ColumnBuilder,
  ) {
    super(type);
  }

  append(src: VectorSource, sel: Int32Array | null, start: number, count: number): void {
    const valid = src.validity();
    const n = this.size;
    const child = src.arrayChild(n);
    if (valid === null && sel === null) {
      this.child.append(child, null, start * n, count * n);
    } else {
      // Runs of valid rows are appended from the child; null rows as null children, so
      // that nothing is read from the child slots of a null row.
      let runFrom = 0;
      const flushRun = (to: number) => {
        if (to <= runFrom) return;
        if (sel === null) {
          this.child.append(child, null, (start + runFrom) * n, (to - runFrom) * n);
        } else {
          const childSel = new Int32Array((to - runFrom) * n);
          for (let k = runFrom, i = 0; k < to; k++)
            for (let j = 0; j < n; j++) childSel[i++] = sel[k] * n + j;
          this.child.append(child, childSel, 0, childSel.length);
        }
      };
      for (let k = 0; k < count; k++) {
        if (!isRowValid(valid, sel === null ? start + k : sel[k])) {
          flushRun(k);
          this.child.appendNulls(n);
          runFrom = k + 1;
        }
      }
      flushRun(count);
    }
    this.validity.append(valid, sel, start, count, this.length);
    this.length += count;
  }

  appendNulls(count: number): void {
    this.child.appendNulls(count * this.size);
    this.validity.appendNulls(this.length, count);
    this.length += count;
  }

  finish(): Data {
    const length = this.length;
    const child = this.child.finish();
    this.length = 0;
    return makeArrowData({ type: this.type, length, child, ...this.validity.finish(length) });
  }

  override expectRows(rows: number): void {
    super.expectRows(rows);
    this.child.expectRows(rows * this.size);
  }

  byteSize(): number {
    return this.child.byteSize();
  }

  estimatedRowBytes(): number {
    return this.size * this.child.estimatedRowBytes();
  }
}

/** STRUCT: one builder per member, all fed the same rows. */
export class StructBuilder extends ColumnBuilder {
  constructor(
    type: DataType,
    private readonly children: ColumnBuilder[],
  ) {
    super(type);
  }

  append(src: VectorSource, sel: Int32Array | null, start: number, count: number): void {
    this.children.forEach((c, i) => c.append(src.structChild(i), sel, start, count));
    this.validity.append(src.validity(), sel, start, count, this.length);
    this.length += count;
  }

  appendNulls(count: number): void {
    for (const c of this.children) c.appendNulls(count);
    this.validity.appendNulls(this.length, count);
    this.length += count;
  }

  finish(): Data {
    const length = this.length;
    const children = this.children.map((c) => c.finish());
    this.length = 0;
    return makeArrowData({ type: this.type, length, children, ...this.validity.finish(length) });
  }

  override expectRows(rows: number): void {
    super.expectRows(rows);
    for (const c of this.children) c.expectRows(rows);
  }

  byteSize(): number {
    return this.children.reduce((n, c) => n + c.byteSize(), 0);
  }

  estimatedRowBytes(): number {
    return this.children.reduce((n, c) => n + c.estimatedRowBytes(), 0);
  }
}

/**
 * UNION -> SparseUnion. DuckDB's union is a struct (tag, member...) whose inactive members are
 * NULL, which is exactly a sparse union's children; a NULL union row becomes type id 0 with
 * (DuckDB guarantees) a NULL first member.
 */
export class UnionBuilder extends ColumnBuilder {
  private typeIds = new Int8Array(0);

  constructor(
    type: DataType,
    private readonly members: ColumnBuilder[],
  ) {
    super(type);
  }

  private reserve(count: number): Int8Array {
    const need = this.length + count;
    if (this.typeIds.length < need) {
      this.typeIds = growUninitialized(this.typeIds, Math.max(need, this.expectedRows));
    }
    return this.typeIds;
  }

  append(src: VectorSource, sel: Int32Array | null, start: number, count: number): void {
    const ids = this.reserve(count);
    const valid = src.validity();
    const tagSource = src.structChild(0);
    const tags = tagSource.data(1);
    const tagValid = tagSource.validity();
    for (let k = 0; k < count; k++) {
      const r = sel === null ? start + k : sel[k];
      ids[this.length + k] = isRowValid(valid, r) && isRowValid(tagValid, r) ? tags[r] : 0;
    }
    this.members.forEach((m, i) => m.append(src.structChild(i + 1), sel, start, count));
    this.length += count;
  }

  appendNulls(count: number): void {
    this.reserve(count).fill(0, this.length, this.length + count);
    for (const m of this.members) m.appendNulls(count);
    this.length += count;
  }

  finish(): Data {
    const length = this.length;
    const typeIds = trimmed(this.typeIds, length);
    const children = this.members.map((m) => m.finish());
    this.typeIds = new Int8Array(0);
    this.length = 0;
    return makeArrowData({ type: this.type, length, nullCount: 0, typeIds, children });
  }

  override expectRows(rows: number): void {
    super.expectRows(rows);
    for (const m of this.members) m.expectRows(rows);
  }

  byteSize(): number {
    return this.length + this.members.reduce((n, m) => n + m.byteSize(), 0);
  }

  estimatedRowBytes(): number {
    return 1 + this.members.reduce((n, m) => n + m.estimatedRowBytes(), 0);
  }
}

/** ENUM -> Dictionary: the indexes, with one dictionary vector (the enum's members) per result. */
export class DictionaryBuilder extends ColumnBuilder {
  private readonly dictionary: Vector;

  constructor(
    type: Dictionary,
    private readonly indices: FixedWidthBuilder,
    values: readonly string[],
  ) {
    super(type);
    this.dictionary = new Vector([utf8Data(type.dictionary, values)]);
  }

  append(src: VectorSource, sel: Int32Array | null, start: number, count: number): void {
    this.indices.append(src, sel, start, count);
    this.length += count;
  }

  appendNulls(count: number): void {
    this.indices.appendNulls(count);
    this.length += count;
  }

  finish(): Data {
    this.length = 0;
    return makeArrowData({ type: this.type, ...this.indices.finishParts(), dictionary: this.dictionary });
  }

  override expectRows(rows: number): void {
    super.expectRows(rows);
    this.indices.expectRows(rows);
  }

  byteSize(): number {
    return this.indices.byteSize();
  }

  estimatedRowBytes(): number {
    return this.indices.estimatedRowBytes();
  }
}
