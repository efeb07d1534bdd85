/**
 * DuckDB result -> Arrow RecordBatches, column-wise from DuckDB's raw vector memory.
 *
 * Every column is appended chunk by chunk into a builder that owns the Arrow buffers of the
 * batch being assembled; fixed-width values and validity masks are copied as bytes (DuckDB's
 * validity mask has Arrow's bit layout), strings are copied from `duckdb_string_t` into one
 * offsets buffer and one data buffer. Batches are cut at `batchRows` rows or `batchBytes`
 * bytes, whichever comes first, so memory stays bounded whatever the result size.
 *
 * `vector_get_data` / `vector_get_validity` / `get_data_from_pointer` of @duckdb/node-bindings
 * return copies (fresh Node Buffers), not views of DuckDB memory: nothing here outlives the
 * chunk it came from. The pointers inside a copied `duckdb_string_t` still point into the
 * chunk's string heap, so each chunk is kept referenced until its columns are appended.
 *
 * DuckDB is an optional dependency: only its types are imported at the top level; the
 * runtime modules are loaded with `import()` on first use.
 */
import type { DuckDBDataChunk, DuckDBResult, DuckDBType } from '@duckdb/node-api';
import type { Vector as RawVector } from '@duckdb/node-bindings';
import {
  Field,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Vector,
  type Data,
  type DataType,
  type Dictionary,
} from 'apache-arrow';
import { arrowFieldFor, decimalStorageWidth, enumStorageWidth, TypeId } from './duckdbTypes';

type Bindings = typeof import('@duckdb/node-bindings');
type NodeApi = typeof import('@duckdb/node-api');

/** Arrow schema for a DuckDB result (column names, types, nullable=true). */
export function arrowSchemaFor(result: DuckDBResult): Schema {
  const fields: Field[] = [];
  for (let i = 0; i < result.columnCount; i++) {
    fields.push(arrowFieldFor(result.columnName(i), result.columnType(i)));
  }
  return new Schema(fields);
}

export interface RecordBatchesOptions {
  /** Stop (without error) once this aborts; checked between chunks and while waiting for one. */
  signal?: AbortSignal;
  /** Target rows per batch; DuckDB chunks (2048 rows) are coalesced up to it. Default 65,536. */
  batchRows?: number;
  /**
   * Also cut a batch once its buffers reach this many bytes (checked after each chunk, so a
   * batch can exceed it by one chunk). Default 2 MiB: well below gRPC's 4 MiB default
   * message limit once encoded.
   */
  batchBytes?: number;
}

export const DEFAULT_BATCH_ROWS = 65_536;
export const DEFAULT_BATCH_BYTES = 2 * 1024 * 1024;

/**
 * Yields one RecordBatch per `batchRows` rows (coalescing DuckDB's chunks, never splitting one)
 * as they are fetched from DuckDB, stopping early when `signal` aborts. `schema` must be
 * `arrowSchemaFor(result)` (its field types, dictionary ids included, are used as-is).
 * The next chunk is fetched while the current one is converted.
 */
export async function* recordBatchesFrom(
  result: DuckDBResult,
  schema: Schema,
  options: RecordBatchesOptions = {},
): AsyncGenerator<RecordBatch> {
  const { signal } = options;
  const batchRows = Math.max(1, Math.floor(options.batchRows ?? DEFAULT_BATCH_ROWS));
  const batchBytes = Math.max(1, options.batchBytes ?? DEFAULT_BATCH_BYTES);
  if (signal?.aborted) return;
  const ctx = await loadRuntime();
  const columnCount = result.columnCount;
  if (schema.fields.length !== columnCount) {
    throw new Error(`schema has ${schema.fields.length} fields, the result ${columnCount} columns`);
  }
  const vectorSize = ctx.b.vector_size();
  // Buffers are sized for the rows a batch is expected to hold: a guess for the first batch
  // (they grow as needed), then the size of the previous one (batchBytes may cut them short).
  const firstHint = Math.min(batchRows, 16_384) + vectorSize;
  const builders: Builder[] = [];
  for (let c = 0; c < columnCount; c++) {
    builders.push(makeBuilder(result.columnType(c), schema.fields[c].type, ctx, firstHint));
  }
  const structType = new Struct(schema.fields);
  const flush = (length: number): RecordBatch => {
    const children = builders.map((b) => b.finish());
    for (const b of builders) b.setHint(length + vectorSize);
    return new RecordBatch(schema, makeData({ type: structType, length, nullCount: 0, children }));
  };

  let rows = 0;
  let pending: Promise<DuckDBDataChunk | null> | undefined = result.fetchChunk();
  try {
    for (;;) {
      const chunk = await untilAborted(pending, signal);
      if (chunk === ABORTED) return;
      pending = undefined;
      const n = chunk?.rowCount ?? 0;
      if (!chunk || n === 0) break;
      pending = result.fetchChunk();
      if (rows > 0 && rows + n > batchRows) {
        yield flush(rows);
        rows = 0;
        if (signal?.aborted) return;
      }
      let bytes = 0;
      for (let c = 0; c < columnCount; c++) {
        const src = new Src(ctx, ctx.b.data_chunk_get_vector(chunk.chunk, c), n);
        builders[c].append(src, null, 0, n);
        bytes += builders[c].byteSize();
      }
      rows += n;
      if (rows >= batchRows || bytes >= batchBytes) {
        yield flush(rows);
        rows = 0;
        if (signal?.aborted) return;
      }
    }
    if (rows > 0) yield flush(rows);
  } finally {
    // A prefetch still in flight when the consumer stops early must not reject unobserved.
    pending?.catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// Runtime

interface Ctx {
  readonly b: Bindings;
  readonly api: NodeApi;
  /** Scratch for `get_data_from_pointer`: holds the address to read from. */
  readonly ptr: Uint32Array;
}

let runtime: Promise<Ctx> | undefined;

function loadRuntime(): Promise<Ctx> {
  runtime ??= (async () => {
    const [bindingsModule, apiModule] = await Promise.all([
      import('@duckdb/node-bindings'),
      import('@duckdb/node-api'),
    ]);
    const b = ((bindingsModule as { default?: Bindings }).default ?? bindingsModule) as Bindings;
    const api = (
      (apiModule as Partial<NodeApi>).DuckDBVector ? apiModule : (apiModule as { default?: unknown }).default
    ) as NodeApi;
    if (b.sizeof_bool !== 1) throw new Error(`unsupported DuckDB bool size ${b.sizeof_bool}`);
    return { b, api, ptr: new Uint32Array(2) };
  })();
  runtime.catch(() => (runtime = undefined));
  return runtime;
}

const ABORTED = Symbol('aborted');

function untilAborted<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T | typeof ABORTED> {
  if (!signal) return p;
  if (signal.aborted) return Promise.resolve(ABORTED);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Aligned (8-byte) copy-on-need, so typed-array views of any width can be made on it. */
function aligned(u8: Uint8Array): Uint8Array {
  return (u8.byteOffset & 7) === 0 ? u8 : u8.slice();
}

/** One DuckDB vector of one chunk, with its data and validity fetched at most once. */
class Src {
  private d: Uint8Array | undefined;
  private v: Uint8Array | null | undefined;
  private kids: Src[] | undefined;
  /** node-api vector, for the text fallback. */
  apiVector: { getItem(i: number): unknown } | undefined;

  constructor(
    readonly ctx: Ctx,
    readonly vec: RawVector,
    readonly size: number,
  ) {}

  data(width: number): Uint8Array {
    if (this.d === undefined) {
      this.d =
        this.size === 0
          ? new Uint8Array(0)
          : aligned(this.ctx.b.vector_get_data(this.vec, this.size * width));
    }
    return this.d;
  }

  /** Arrow-layout validity bitmap, or null when every row is valid. */
  validity(): Uint8Array | null {
    if (this.v === undefined) {
      this.v =
        this.size === 0
          ? null
          : (this.ctx.b.vector_get_validity(this.vec, ((this.size + 63) >> 6) * 8) ?? null);
    }
    return this.v;
  }

  listChild(): Src {
    this.kids ??= [
      new Src(
        this.ctx,
        this.ctx.b.list_vector_get_child(this.vec),
        this.ctx.b.list_vector_get_size(this.vec),
      ),
    ];
    return this.kids[0];
  }

  arrayChild(n: number): Src {
    this.kids ??= [new Src(this.ctx, this.ctx.b.array_vector_get_child(this.vec), this.size * n)];
    return this.kids[0];
  }

  structChild(i: number): Src {
    this.kids ??= [];
    return (this.kids[i] ??= new Src(this.ctx, this.ctx.b.struct_vector_get_child(this.vec, i), this.size));
  }
}

// ---------------------------------------------------------------------------------------------
// Bitmaps

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1];

function popcount(bits: Uint8Array, n: number): number {
  let count = 0;
  const full = n >> 3;
  for (let i = 0; i < full; i++) count += POPCOUNT[bits[i]];
  if (n & 7) count += POPCOUNT[bits[full] & ((1 << (n & 7)) - 1)];
  return count;
}

/** Sets bits [at, at + n) of `dst`. */
function setOnes(dst: Uint8Array, at: number, n: number): void {
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
function copyBits(src: Uint8Array, from: number, dst: Uint8Array, at: number, n: number): void {
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

/** `buf` with room for `need` elements: zero-filled beyond the old contents. */
function grow<T extends Uint8Array | Int32Array>(buf: T, need: number): T {
  if (buf.length >= need) return buf;
  const next = new (buf.constructor as new (n: number) => T)(Math.max(need, buf.length * 2, 64));
  next.set(buf);
  return next;
}

/**
 * `grow` without zero-filling, for buffers whose every element up to the builder's length is
 * written (values of null rows included), so no stale memory can reach a batch.
 */
function growRaw<T extends Uint8Array | Int32Array | Int8Array>(buf: T, need: number): T {
  if (buf.length >= need) return buf;
  const Ctor = buf.constructor as {
    new (b: ArrayBuffer, o: number, n: number): T;
    BYTES_PER_ELEMENT: number;
  };
  const length = Math.max(need, buf.length * 2, 64);
  const raw = Buffer.allocUnsafeSlow(length * Ctor.BYTES_PER_ELEMENT);
  const next = new Ctor(raw.buffer as ArrayBuffer, raw.byteOffset, length);
  next.set(buf);
  return next;
}

/** Validity of one builder: null until the first null value arrives (all valid so far). */
class Validity {
  bits: Uint8Array | null = null;
  constructor(private readonly hintBits: number) {}

  private ensure(at: number, count: number): Uint8Array {
    const need = (at + count + 7) >> 3;
    if (this.bits === null) {
      this.bits = new Uint8Array(Math.max(need, (this.hintBits + 7) >> 3));
      setOnes(this.bits, 0, at);
    } else if (this.bits.length < need) {
      this.bits = grow(this.bits, need);
    }
    return this.bits;
  }

  append(src: Uint8Array | null, sel: Int32Array | null, start: number, count: number, at: number): void {
    if (src === null) {
      if (this.bits !== null) setOnes(this.ensure(at, count), at, count);
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

  nulls(at: number, count: number): void {
    this.ensure(at, count);
  }

  /** Marks bit `i` null, `length` bits having been appended. */
  clear(i: number, length: number): void {
    const bits = this.bits ?? this.ensure(length, 0);
    bits[i >> 3] &= ~(1 << (i & 7));
  }

  finish(length: number): { nullBitmap?: Uint8Array; nullCount: number } {
    const bits = this.bits;
    this.bits = null;
    if (bits === null) return { nullCount: 0 };
    const nullCount = length - popcount(bits, length);
    return nullCount === 0 ? { nullCount: 0 } : { nullBitmap: fit(bits, (length + 7) >> 3), nullCount };
  }
}

/** `buf[0, used)`, copied out when that frees more than half of a large buffer. */
function fit<T extends Uint8Array | Int32Array | Int8Array>(buf: T, used: number): T {
  return buf.length > 4096 && used < buf.length >> 1
    ? (buf.slice(0, used) as T)
    : (buf.subarray(0, used) as T);
}

const mk = makeData as unknown as (props: Record<string, unknown>) => Data;

const isValid = (v: Uint8Array | null, r: number): boolean =>
  v === null || ((v[r >> 3] >> (r & 7)) & 1) === 1;

// ---------------------------------------------------------------------------------------------
// Builders

/** Accumulates the rows of one column (or nested member) for the batch being assembled. */
abstract class Builder {
  length = 0;
  protected readonly valid: Validity;
  constructor(
    readonly type: DataType,
    /** Rows to allocate room for when a batch starts. */
    public hint: number,
  ) {
    this.valid = new Validity(hint);
  }
  /** Appends rows `sel[0..count)` of `src`, or rows `[start, start + count)` when `sel` is null. */
  abstract append(src: Src, sel: Int32Array | null, start: number, count: number): void;
  /** Appends `count` null rows. */
  abstract appendNulls(count: number): void;
  /** The Data of the rows appended since the last call; the builder starts a new batch. */
  abstract finish(): Data;
  /** Approximate bytes held for the current batch. */
  abstract byteSize(): number;
  /** Sets the rows to allocate room for (and that of nested builders fed the same rows). */
  setHint(rows: number): void {
    this.hint = rows;
  }
}

/** Fixed-width values copied byte for byte (ints, floats, dates, times, timestamps, ...). */
class FixedBuilder extends Builder {
  private buf: Uint8Array;
  constructor(
    type: DataType,
    hint: number,
    private readonly width: number,
  ) {
    super(type, hint);
    this.buf = new Uint8Array(0);
  }

  protected reserve(count: number): Uint8Array {
    const need = (this.length + count) * this.width;
    if (this.buf.length < need) {
      this.buf = growRaw(this.buf, Math.max(need, this.hint * this.width));
    }
    return this.buf;
  }

  append(src: Src, sel: Int32Array | null, start: number, count: number): void {
    const w = this.width;
    const out = this.reserve(count);
    const data = src.data(w);
    if (sel === null) {
      out.set(data.subarray(start * w, (start + count) * w), this.length * w);
    } else {
      gather(data, out, this.length * w, w, sel, count);
    }
    this.valid.append(src.validity(), sel, start, count, this.length);
    this.length += count;
  }

  appendNulls(count: number): void {
    this.reserve(count).fill(0, this.length * this.width, (this.length + count) * this.width);
    this.valid.nulls(this.length, count);
    this.length += count;
  }

  finishParts(): { length: number; data: Uint8Array; nullBitmap?: Uint8Array; nullCount: number } {
    const length = this.length;
    const data = fit(this.buf, length * this.width);
    this.buf = new Uint8Array(0);
    this.length = 0;
    return { length, data, ...this.valid.finish(length) };
  }

  finish(): Data {
    return mk({ type: this.type, ...this.finishParts() });
  }

  byteSize(): number {
    return this.length * this.width;
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
 * Fixed-width output computed row by row from a fixed-width source: booleans (bytes -> bits),
 * narrow decimals (sign-extended to 128 bits), enum indexes (widened), TIME_TZ, INTERVAL.
 */
class MappedBuilder extends FixedBuilder {
  constructor(
    type: DataType,
    hint: number,
    outWidth: number,
    private readonly srcWidth: number,
    /** Writes row `r` of `data` as output row `k` (a fresh zeroed slot). */
    private readonly convert: (data: Uint8Array, r: number, out: Uint8Array, k: number) => void,
  ) {
    super(type, hint, outWidth);
  }

  override append(src: Src, sel: Int32Array | null, start: number, count: number): void {
    const out = this.reserve(count);
    const data = src.data(this.srcWidth);
    const at = this.length;
    const convert = this.convert;
    if (sel === null) {
      for (let k = 0; k < count; k++) convert(data, start + k, out, at + k);
    } else {
      for (let k = 0; k < count; k++) convert(data, sel[k], out, at + k);
    }
    this.valid.append(src.validity(), sel, start, count, at);
    this.length += count;
  }
}

/** Booleans: DuckDB's one byte per value -> Arrow bits (output width counted in bytes/8). */
class BoolBuilder extends Builder {
  private bits = new Uint8Array(0);
  append(src: Src, sel: Int32Array | null, start: number, count: number): void {
    const out = this.reserve(count);
    const data = src.data(1);
    const at = this.length;
    for (let k = 0; k < count; k++) {
      if (data[sel === null ? start + k : sel[k]] !== 0) out[(at + k) >> 3] |= 1 << ((at + k) & 7);
    }
    this.valid.append(src.validity(), sel, start, count, at);
    this.length += count;
  }
  private reserve(count: number): Uint8Array {
    const need = (this.length + count + 7) >> 3;
    if (this.bits.length < need) this.bits = grow(this.bits, Math.max(need, (this.hint + 7) >> 3));
    return this.bits;
  }
  appendNulls(count: number): void {
    this.reserve(count);
    this.valid.nulls(this.length, count);
    this.length += count;
  }
  finish(): Data {
    const length = this.length;
    const data = fit(this.bits, (length + 7) >> 3);
    this.bits = new Uint8Array(0);
    this.length = 0;
    return mk({ type: this.type, length, data, ...this.valid.finish(length) });
  }
  byteSize(): number {
    return this.length >> 3;
  }
}

/** Variable-length output (Utf8 / Binary): int32 offsets plus one data buffer. */
abstract class VarBuilder extends Builder {
  protected offsets = new Int32Array(0);
  protected bytes = new Uint8Array(0);

  protected reserveRows(count: number): Int32Array {
    const need = this.length + count + 1;
    if (this.offsets.length < need) this.offsets = growRaw(this.offsets, Math.max(need, this.hint + 1));
    if (this.length === 0) this.offsets[0] = 0;
    return this.offsets;
  }

  protected reserveBytes(total: number): Uint8Array {
    if (this.bytes.length < total) {
      if (total > 0x7fffffff) throw new Error('batch exceeds 2 GiB of string data; lower batchRows');
      this.bytes = growRaw(this.bytes, Math.max(total, this.hint * 8));
    }
    return this.bytes;
  }

  appendNulls(count: number): void {
    const offsets = this.reserveRows(count);
    const end = offsets[this.length];
    offsets.fill(end, this.length + 1, this.length + count + 1);
    this.valid.nulls(this.length, count);
    this.length += count;
  }

  finish(): Data {
    const length = this.length;
    const valueOffsets = fit(this.offsets, length + 1);
    const data = fit(this.bytes, valueOffsets[length]);
    this.offsets = new Int32Array(0);
    this.bytes = new Uint8Array(0);
    this.length = 0;
    return mk({ type: this.type, length, valueOffsets, data, ...this.valid.finish(length) });
  }

  byteSize(): number {
    return this.length * 4 + this.offsets[this.length];
  }
}

const TWO_32 = 4294967296;
/** Strings closer than this in memory are fetched with one call (see `StringBuilder`). */
const PAGE = 4096;
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
 */
class StringBuilder extends VarBuilder {
  /** Out-of-line strings waiting for their span: address, length, destination offset. */
  private pendingAddr = new Float64Array(256);
  private pendingLen = new Int32Array(256);
  private pendingDst = new Int32Array(256);
  private view: DataView | undefined;

  append(src: Src, sel: Int32Array | null, start: number, count: number): void {
    const valid = src.validity();
    const raw = src.data(16);
    const u32 = new Uint32Array(raw.buffer, raw.byteOffset, raw.byteLength >> 2);
    const offsets = this.reserveRows(count);
    const at = this.length;
    let pos = offsets[at];
    // Inline strings are written as three little-endian words: up to 12 bytes past a string's
    // end land on the strings that follow, which are all written later (the loop moves
    // forward; out-of-line strings are copied when their span is fetched). Hence the slack.
    let out = this.reserveBytes(pos + count * 4 + 16);
    let limit = out.length - 16;
    let view = this.viewOf(out);
    if (this.pendingAddr.length < count) this.growPending(count);
    const pAddr = this.pendingAddr;
    const pLen = this.pendingLen;
    const pDst = this.pendingDst;
    let n = 0;
    let lo = 0;
    let hi = 0;
    for (let k = 0; k < count; k++) {
      const w = (sel === null ? start + k : sel[k]) << 2;
      const len = valid === null || isValid(valid, w >> 2) ? u32[w] : 0;
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
      const addr = u32[w + 2] + u32[w + 3] * TWO_32;
      const end = addr + len;
      if (
        n > 0 &&
        addr - hi < PAGE &&
        lo - end < PAGE &&
        Math.max(hi, end) - Math.min(lo, addr) <= MAX_SPAN
      ) {
        if (addr < lo) lo = addr;
        if (end > hi) hi = end;
      } else {
        if (n > 0) this.copySpan(src.ctx, lo, hi, n, out);
        n = 0;
        lo = addr;
        hi = end;
      }
      pAddr[n] = addr;
      pLen[n] = len;
      pDst[n++] = dst;
    }
    if (n > 0) this.copySpan(src.ctx, lo, hi, n, out);
    this.valid.append(valid, sel, start, count, at);
    this.length += count;
  }

  private viewOf(out: Uint8Array): DataView {
    if (this.view === undefined || this.view.buffer !== out.buffer) {
      this.view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    }
    return this.view;
  }

  private growPending(count: number): void {
    this.pendingAddr = new Float64Array(count);
    this.pendingLen = new Int32Array(count);
    this.pendingDst = new Int32Array(count);
  }

  /** Fetches [lo, hi) with one native call and copies the `n` pending strings out of it. */
  private copySpan(ctx: Ctx, lo: number, hi: number, n: number, out: Uint8Array): void {
    ctx.ptr[0] = lo % TWO_32;
    ctx.ptr[1] = Math.floor(lo / TWO_32);
    const span = ctx.b.get_data_from_pointer(ctx.ptr.buffer as ArrayBuffer, 0, hi - lo);
    const pAddr = this.pendingAddr;
    const pLen = this.pendingLen;
    const pDst = this.pendingDst;
    // Strings adjacent both in DuckDB's heap and in the output (the usual layout) are
    // copied as one block.
    let i = 0;
    while (i < n) {
      const from = pAddr[i] - lo;
      const dst = pDst[i];
      let len = pLen[i];
      for (i++; i < n && pAddr[i] - lo === from + len && pDst[i] === dst + len; i++) len += pLen[i];
      if (len < 48) {
        for (let j = 0; j < len; j++) out[dst + j] = span[from + j];
      } else {
        out.set(span.subarray(from, from + len), dst);
      }
    }
  }
}

/** Bytes of row `r` of a string vector (valid rows only). */
function stringBytes(src: Src, r: number): Uint8Array {
  const raw = src.data(16);
  const len = raw[r * 16] | (raw[r * 16 + 1] << 8) | (raw[r * 16 + 2] << 16) | (raw[r * 16 + 3] << 24);
  if (len <= 12) return raw.subarray(r * 16 + 4, r * 16 + 4 + len);
  return src.ctx.b.get_data_from_pointer(raw.buffer as ArrayBuffer, raw.byteOffset + r * 16 + 8, len);
}

const encoder = new TextEncoder();

/** Utf8 computed per row as text: UUID, UHUGEINT, BIT, BIGNUM and the generic fallback. */
class TextBuilder extends VarBuilder {
  constructor(
    type: DataType,
    hint: number,
    /** The text of (valid) row `r`, or null for SQL NULL. */
    private readonly text: (src: Src, r: number) => string | null,
  ) {
    super(type, hint);
  }

  append(src: Src, sel: Int32Array | null, start: number, count: number): void {
    const valid = src.validity();
    const offsets = this.reserveRows(count);
    const at = this.length;
    let nulls: number[] | undefined;
    for (let k = 0; k < count; k++) {
      const r = sel === null ? start + k : sel[k];
      let pos = offsets[at + k];
      if (isValid(valid, r)) {
        const s = this.text(src, r);
        if (s === null) {
          (nulls ??= []).push(at + k);
        } else {
          const out = this.reserveBytes(pos + s.length * 3);
          pos += encoder.encodeInto(s, out.subarray(pos)).written;
        }
      }
      offsets[at + k + 1] = pos;
    }
    this.valid.append(valid, sel, start, count, at);
    this.length += count;
    // Rows the converter found NULL although the vector marked them valid.
    if (nulls) for (const i of nulls) this.valid.clear(i, this.length);
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** DuckDB stores a UUID as a hugeint with the top bit flipped; the text is big-endian hex. */
function uuidText(src: Src, r: number): string {
  const d = src.data(16);
  const o = r * 16;
  let s = '';
  for (let j = 15; j >= 0; j--) {
    s += HEX[j === 15 ? d[o + j] ^ 0x80 : d[o + j]];
    if (j === 12 || j === 10 || j === 8 || j === 6) s += '-';
  }
  return s;
}

function uhugeintText(src: Src, r: number): string {
  const d = src.data(16);
  const v = new BigUint64Array(d.buffer, d.byteOffset + r * 16, 2);
  return ((v[1] << 64n) | v[0]).toString();
}

/** BIT: first byte = padding bits, then the bits MSB first. */
function bitText(src: Src, r: number): string {
  const bytes = stringBytes(src, r);
  const padding = bytes[0];
  const n = (bytes.length - 1) * 8 - padding;
  let s = '';
  for (let i = 0; i < n; i++) {
    const bit = i + padding;
    s += (bytes[1 + (bit >> 3)] >> (7 - (bit & 7))) & 1 ? '1' : '0';
  }
  return s;
}

/** BIGNUM: 3-byte header (top bit set = non-negative), then big-endian magnitude (inverted if negative). */
function bignumText(src: Src, r: number): string {
  const bytes = stringBytes(src, r);
  const positive = (bytes[0] & 0x80) !== 0;
  let hex = '0x0';
  for (let i = 3; i < bytes.length; i++) hex += HEX[positive ? bytes[i] : bytes[i] ^ 0xff];
  const v = BigInt(hex);
  return (positive ? v : -v).toString();
}

/** Anything else: the node-api value's text form (NULL where node-api cannot read the type). */
function fallbackText(type: DuckDBType): (src: Src, r: number) => string | null {
  const unreadable = { getItem: () => null };
  return (src, r) => {
    if (src.apiVector === undefined) {
      try {
        src.apiVector = src.ctx.api.DuckDBVector.create(src.vec, src.size, type);
      } catch {
        src.apiVector = unreadable;
      }
    }
    const v = src.apiVector.getItem(r);
    return v === null || v === undefined ? null : String(v);
  };
}

/** Arrow Null type: only a length. */
class NullBuilder extends Builder {
  append(_src: Src, _sel: Int32Array | null, _start: number, count: number): void {
    this.length += count;
  }
  appendNulls(count: number): void {
    this.length += count;
  }
  finish(): Data {
    const length = this.length;
    this.length = 0;
    return mk({ type: this.type, length });
  }
  byteSize(): number {
    return 0;
  }
}

/** ENUM -> Dictionary: the indexes, with one dictionary vector (the enum's members) per result. */
class DictionaryBuilder extends Builder {
  private readonly dictionary: Vector;
  constructor(
    type: Dictionary,
    hint: number,
    private readonly indices: FixedBuilder,
    values: readonly string[],
  ) {
    super(type, hint);
    this.dictionary = new Vector([utf8Data(type.dictionary, values)]);
  }
  append(src: Src, sel: Int32Array | null, start: number, count: number): void {
    this.indices.append(src, sel, start, count);
    this.length += count;
  }
  appendNulls(count: number): void {
    this.indices.appendNulls(count);
    this.length += count;
  }
  finish(): Data {
    this.length = 0;
    return mk({ type: this.type, ...this.indices.finishParts(), dictionary: this.dictionary });
  }
  override setHint(rows: number): void {
    super.setHint(rows);
    this.indices.setHint(rows);
  }
  byteSize(): number {
    return this.indices.byteSize();
  }
}

function utf8Data(type: DataType, values: readonly string[]): Data {
  const parts = values.map((v) => encoder.encode(v));
  const valueOffsets = new Int32Array(values.length + 1);
  for (let i = 0; i < parts.length; i++) valueOffsets[i + 1] = valueOffsets[i] + parts[i].length;
  const data = new Uint8Array(valueOffsets[values.length]);
  parts.forEach((p, i) => data.set(p, valueOffsets[i]));
  return mk({ type, length: values.length, nullCount: 0, valueOffsets, data });
}

/** LIST and MAP: DuckDB's (offset, length) uint64 entries -> int32 offsets plus one child. */
class ListBuilder extends Builder {
  private offsets = new Int32Array(0);
  constructor(
    type: DataType,
    hint: number,
    private readonly child: Builder,
  ) {
    super(type, hint);
  }

  private reserve(count: number): Int32Array {
    const need = this.length + count + 1;
    if (this.offsets.length < need) this.offsets = growRaw(this.offsets, Math.max(need, this.hint + 1));
    if (this.length === 0) this.offsets[0] = 0;
    return this.offsets;
  }

  append(src: Src, sel: Int32Array | null, start: number, count: number): void {
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
      if (isValid(valid, r)) {
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
        const csel = new Int32Array(total);
        let n = 0;
        for (let k = 0; k < count; k++) {
          const r = sel === null ? start + k : sel[k];
          const len = offsets[at + k + 1] - offsets[at + k];
          const off = e[r * 4] + e[r * 4 + 1] * TWO_32;
          for (let j = 0; j < len; j++) csel[n++] = off + j;
        }
        this.child.append(child, csel, 0, total);
      }
    }
    this.valid.append(valid, sel, start, count, at);
    this.length += count;
  }

  appendNulls(count: number): void {
    const offsets = this.reserve(count);
    offsets.fill(offsets[this.length], this.length + 1, this.length + count + 1);
    this.valid.nulls(this.length, count);
    this.length += count;
  }

  finish(): Data {
    const length = this.length;
    const valueOffsets = fit(this.offsets, length + 1);
    this.child.setHint(valueOffsets[length] + (valueOffsets[length] >> 4) + 64);
    const child = this.child.finish();
    this.offsets = new Int32Array(0);
    this.length = 0;
    return mk({ type: this.type, length, valueOffsets, child, ...this.valid.finish(length) });
  }

  byteSize(): number {
    return this.length * 4 + this.child.byteSize();
  }
}

/** ARRAY -> FixedSizeList: `size` child slots per row; null rows get null children. */
class FixedSizeListBuilder extends Builder {
  constructor(
    type: DataType,
    hint: number,
    private readonly size: number,
    private readonly child: Builder,
  ) {
    super(type, hint);
  }

  append(src: Src, sel: Int32Array | null, start: number, count: number): void {
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
          const csel = new Int32Array((to - runFrom) * n);
          for (let k = runFrom, i = 0; k < to; k++) for (let j = 0; j < n; j++) csel[i++] = sel[k] * n + j;
          this.child.append(child, csel, 0, csel.length);
        }
      };
      for (let k = 0; k < count; k++) {
        if (!isValid(valid, sel === null ? start + k : sel[k])) {
          flushRun(k);
          this.child.appendNulls(n);
          runFrom = k + 1;
        }
      }
      flushRun(count);
    }
    this.valid.append(valid, sel, start, count, this.length);
    this.length += count;
  }

  appendNulls(count: number): void {
    this.child.appendNulls(count * this.size);
    this.valid.nulls(this.length, count);
    this.length += count;
  }

  finish(): Data {
    const length = this.length;
    const child = this.child.finish();
    this.length = 0;
    return mk({ type: this.type, length, child, ...this.valid.finish(length) });
  }

  override setHint(rows: number): void {
    super.setHint(rows);
    this.child.setHint(rows * this.size);
  }
  byteSize(): number {
    return this.child.byteSize();
  }
}

/** STRUCT: one builder per member, all fed the same rows. */
class StructBuilder extends Builder {
  constructor(
    type: DataType,
    hint: number,
    private readonly children: Builder[],
  ) {
    super(type, hint);
  }

  append(src: Src, sel: Int32Array | null, start: number, count: number): void {
    this.children.forEach((c, i) => c.append(src.structChild(i), sel, start, count));
    this.valid.append(src.validity(), sel, start, count, this.length);
    this.length += count;
  }

  appendNulls(count: number): void {
    for (const c of this.children) c.appendNulls(count);
    this.valid.nulls(this.length, count);
    this.length += count;
  }

  finish(): Data {
    const length = this.length;
    const children = this.children.map((c) => c.finish());
    this.length = 0;
    return mk({ type: this.type, length, children, ...this.valid.finish(length) });
  }

  override setHint(rows: number): void {
    super.setHint(rows);
    for (const c of this.children) c.setHint(rows);
  }
  byteSize(): number {
    return this.children.reduce((n, c) => n + c.byteSize(), 0);
  }
}

/**
 * UNION -> SparseUnion. DuckDB's union is a struct (tag, member...) whose inactive members are
 * NULL, which is exactly a sparse union's children; a NULL union row becomes type id 0 with
 * (DuckDB guarantees) a NULL first member.
 */
class UnionBuilder extends Builder {
  private typeIds = new Int8Array(0);
  constructor(
    type: DataType,
    hint: number,
    private readonly members: Builder[],
  ) {
    super(type, hint);
  }

  private reserve(count: number): Int8Array {
    const need = this.length + count;
    if (this.typeIds.length < need) this.typeIds = growRaw(this.typeIds, Math.max(need, this.hint));
    return this.typeIds;
  }

  append(src: Src, sel: Int32Array | null, start: number, count: number): void {
    const ids = this.reserve(count);
    const valid = src.validity();
    const tagSrc = src.structChild(0);
    const tags = tagSrc.data(1);
    const tagValid = tagSrc.validity();
    for (let k = 0; k < count; k++) {
      const r = sel === null ? start + k : sel[k];
      ids[this.length + k] = isValid(valid, r) && isValid(tagValid, r) ? tags[r] : 0;
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
    const typeIds = fit(this.typeIds, length);
    const children = this.members.map((m) => m.finish());
    this.typeIds = new Int8Array(0);
    this.length = 0;
    return mk({ type: this.type, length, nullCount: 0, typeIds, children });
  }

  override setHint(rows: number): void {
    super.setHint(rows);
    for (const m of this.members) m.setHint(rows);
  }
  byteSize(): number {
    return this.length + this.members.reduce((n, m) => n + m.byteSize(), 0);
  }
}

// Row converters for MappedBuilder. `out` slots start zeroed; all views are 8-byte aligned.

const i32 = (u: Uint8Array) => new Int32Array(u.buffer, u.byteOffset, u.byteLength >> 2);

function decimalWiden(srcWidth: 2 | 4 | 8): (d: Uint8Array, r: number, out: Uint8Array, k: number) => void {
  let srcView: Uint8Array | undefined;
  let s: Int16Array | Int32Array = new Int32Array(0);
  let outView: Uint8Array | undefined;
  let o: Int32Array = new Int32Array(0);
  return (d, r, out, k) => {
    if (d !== srcView) {
      srcView = d;
      s = srcWidth === 2 ? new Int16Array(d.buffer, d.byteOffset, d.byteLength >> 1) : i32(d);
    }
    if (out !== outView) {
      outView = out;
      o = i32(out);
    }
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
function widenIndex(
  srcWidth: 1 | 2 | 4,
  outWidth: 2 | 4,
): (d: Uint8Array, r: number, out: Uint8Array, k: number) => void {
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
/** dtime_tz_t: micros << 24 | (57599 - offset seconds); output: UTC micros in [0, 24h). */
function timeTzToUtc(d: Uint8Array, r: number, out: Uint8Array, k: number): void {
  const v = new Uint32Array(d.buffer, d.byteOffset + r * 8, 2);
  const lo = v[0];
  const micros = v[1] * 256 + (lo >>> 24);
  const offset = 57599 - (lo & 0xffffff);
  let utc = (micros - offset * 1_000_000) % MICROS_PER_DAY;
  if (utc < 0) utc += MICROS_PER_DAY;
  const o = new Uint32Array(out.buffer, out.byteOffset + k * 8, 2);
  o[0] = utc % TWO_32;
  o[1] = Math.floor(utc / TWO_32);
}

/** interval_t {int32 months, int32 days, int64 micros} -> {months, days, int64 nanos}. */
function intervalToMonthDayNano(d: Uint8Array, r: number, out: Uint8Array, k: number): void {
  const s = new Int32Array(d.buffer, d.byteOffset + r * 16, 2);
  const o = new Int32Array(out.buffer, out.byteOffset + k * 16, 2);
  o[0] = s[0];
  o[1] = s[1];
  const micros = new BigInt64Array(d.buffer, d.byteOffset + r * 16 + 8, 1)[0];
  new BigInt64Array(out.buffer, out.byteOffset + k * 16 + 8, 1)[0] = BigInt.asIntN(64, micros * 1000n);
}

// ---------------------------------------------------------------------------------------------
// Plan

const FIXED_WIDTH: Partial<Record<number, number>> = {
  [TypeId.TINYINT]: 1,
  [TypeId.UTINYINT]: 1,
  [TypeId.SMALLINT]: 2,
  [TypeId.USMALLINT]: 2,
  [TypeId.INTEGER]: 4,
  [TypeId.UINTEGER]: 4,
  [TypeId.FLOAT]: 4,
  [TypeId.DATE]: 4,
  [TypeId.BIGINT]: 8,
  [TypeId.UBIGINT]: 8,
  [TypeId.DOUBLE]: 8,
  [TypeId.TIME]: 8,
  [TypeId.TIME_NS]: 8,
  [TypeId.TIMESTAMP]: 8,
  [TypeId.TIMESTAMP_S]: 8,
  [TypeId.TIMESTAMP_MS]: 8,
  [TypeId.TIMESTAMP_NS]: 8,
  [TypeId.TIMESTAMP_TZ]: 8,
  [TypeId.HUGEINT]: 16,
};

function makeBuilder(t: DuckDBType, at: DataType, ctx: Ctx, hint: number): Builder {
  const fixed = FIXED_WIDTH[t.typeId];
  if (fixed !== undefined) return new FixedBuilder(at, hint, fixed);
  switch (t.typeId) {
    case TypeId.BOOLEAN:
      return new BoolBuilder(at, hint);
    case TypeId.DECIMAL: {
      const w = decimalStorageWidth(t.width);
      return w === 16 ? new FixedBuilder(at, hint, 16) : new MappedBuilder(at, hint, 16, w, decimalWiden(w));
    }
    case TypeId.TIME_TZ:
      return new MappedBuilder(at, hint, 8, 8, timeTzToUtc);
    case TypeId.INTERVAL:
      return new MappedBuilder(at, hint, 16, 16, intervalToMonthDayNano);
    case TypeId.VARCHAR:
    case TypeId.BLOB:
    case TypeId.GEOMETRY:
      return new StringBuilder(at, hint);
    case TypeId.UUID:
      return new TextBuilder(at, hint, uuidText);
    case TypeId.UHUGEINT:
      return new TextBuilder(at, hint, uhugeintText);
    case TypeId.BIT:
      return new TextBuilder(at, hint, bitText);
    case TypeId.BIGNUM:
      return new TextBuilder(at, hint, bignumText);
    case TypeId.SQLNULL:
      return new NullBuilder(at, hint);
    case TypeId.ENUM: {
      const type = at as Dictionary;
      const srcWidth = enumStorageWidth(t.internalTypeId, t.values.length);
      const outWidth = type.indices.bitWidth / 8;
      const indices =
        srcWidth === outWidth
          ? new FixedBuilder(type.indices, hint, outWidth)
          : new MappedBuilder(
              type.indices,
              hint,
              outWidth,
              srcWidth,
              widenIndex(srcWidth, outWidth as 2 | 4),
            );
      return new DictionaryBuilder(type, hint, indices, t.values);
    }
    case TypeId.LIST:
      return new ListBuilder(at, hint, makeBuilder(t.valueType, at.children[0].type, ctx, hint));
    case TypeId.MAP: {
      const entries = at.children[0].type as DataType;
      const kv = [
        makeBuilder(t.keyType, entries.children[0].type, ctx, hint),
        makeBuilder(t.valueType, entries.children[1].type, ctx, hint),
      ];
      return new ListBuilder(at, hint, new StructBuilder(entries, hint, kv));
    }
    case TypeId.ARRAY:
      return new FixedSizeListBuilder(
        at,
        hint,
        t.length,
        makeBuilder(t.valueType, at.children[0].type, ctx, Math.min(hint * t.length, 1 << 20)),
      );
    case TypeId.STRUCT:
      return new StructBuilder(
        at,
        hint,
        t.entryTypes.map((et, i) => makeBuilder(et, at.children[i].type, ctx, hint)),
      );
    case TypeId.UNION:
      return new UnionBuilder(
        at,
        hint,
        t.memberTypes.map((mt, i) => makeBuilder(mt, at.children[i].type, ctx, hint)),
      );
    default:
      return new TextBuilder(at, hint, fallbackText(t));
  }
}
