/**
 * DuckDB result -> Arrow RecordBatches, column-wise from DuckDB's raw vector memory.
 *
 * Every column is appended chunk by chunk into a builder that owns the Arrow buffers of the
 * batch being assembled; fixed-width values and validity masks are copied as bytes (DuckDB's
 * validity mask has Arrow's bit layout), strings are copied from `duckdb_string_t` into one
 * offsets buffer and one data buffer. Batches are cut at `batchRows` rows or `batchBytes`
 * bytes, whichever comes first, so memory stays bounded whatever the result size.
 *
 * Each output buffer is allocated once per batch, at the size the batch is expected to reach
 * (the previous batch's, which the same cut usually repeats): a stream of ArrayBuffers is what
 * keeps V8's garbage collector busy here, not the JS heap. The other ArrayBuffer per column
 * and chunk is the binding's: `vector_get_data` copies a vector into a fresh Buffer, and the
 * binding has no call that copies into a buffer of ours.
 *
 * Those copies are not views of DuckDB memory, so nothing here outlives the chunk it came from,
 * but the pointers inside a copied `duckdb_string_t` still point into the chunk's string heap:
 * each chunk is kept referenced until its columns are appended.
 *
 * A result that fails mid-way ends like one that is done: `duckdb_fetch_chunk` returns no chunk
 * either way and keeps the error on the result, for `duckdb_result_error`, which the Node bindings
 * do not expose (their `fetch_chunk` never rejects). `duckdb_result_return_type` is exposed and
 * answers INVALID once the result holds an error, so the end is checked with it: a result cut
 * short is an error, never a shorter success.
 */
import type { DuckDBDataChunk, DuckDBResult } from '@duckdb/node-api';
import { Field, makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import type { ColumnBuilder } from './ColumnBuilder';
import { makeColumnBuilder } from './makeColumnBuilder';
import { loadRuntime } from './runtime';
import { arrowFieldFor } from './types';
import { VectorSource } from './VectorSource';

/** Arrow schema for a DuckDB result (column names, types, nullable=true). */
export function arrowSchemaFor(result: DuckDBResult): Schema {
  const fields: Field[] = [];
  for (let i = 0; i < result.columnCount; i++) {
    fields.push(arrowFieldFor(result.columnName(i), result.columnType(i)));
  }
  return new Schema(fields);
}

/** Options of `recordBatchesFrom`. */
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

/**
 * DuckDB failed the result after `rows` rows without saying why (see the file comment). Were the
 * bindings to report the error, `fetchChunk` would reject with DuckDB's own error instead.
 */
export class ResultFailedError extends globalThis.Error {
  constructor(readonly rows: number) {
    super(
      `the query failed after ${rows} rows (DuckDB's Node bindings do not report why a streaming result failed)`,
    );
    this.name = 'ResultFailedError';
  }
}

/** Default `batchRows`. */
export const DEFAULT_BATCH_ROWS = 65_536;
/** Default `batchBytes`. */
export const DEFAULT_BATCH_BYTES = 2 * 1024 * 1024;

/**
 * Yields one RecordBatch per `batchRows` rows (coalescing DuckDB's chunks, never splitting one)
 * as they are fetched from DuckDB, stopping early when `signal` aborts. `schema` must be
 * `arrowSchemaFor(result)` (its field types, dictionary ids included, are used as-is).
 * The next chunk is fetched while the current one is converted. Throws `ResultFailedError` when
 * DuckDB ends the result with an error, after yielding every row it produced.
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
  const runtime = await loadRuntime();
  const columnCount = result.columnCount;
  if (schema.fields.length !== columnCount) {
    throw new Error(`schema has ${schema.fields.length} fields, the result ${columnCount} columns`);
  }
  const builders: ColumnBuilder[] = [];
  for (let c = 0; c < columnCount; c++) {
    builders.push(makeColumnBuilder(result.columnType(c), schema.fields[c].type));
  }
  const sizing = new BatchSizing(builders, batchRows, batchBytes, runtime.bindings.vector_size());
  const structType = new Struct(schema.fields);
  const flush = (length: number): RecordBatch => {
    const children = builders.map((b) => b.finish());
    sizing.batchDone(length);
    return new RecordBatch(schema, makeData({ type: structType, length, nullCount: 0, children }));
  };

  let rows = 0;
  let fetched = 0;
  const abort = signal ? new AbortRace(signal) : undefined;
  let pending: Promise<DuckDBDataChunk | null> | undefined = result.fetchChunk();
  try {
    for (;;) {
      const chunk = await (abort ? abort.race(pending) : pending);
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
      sizing.beforeChunk(rows, n);
      let bytes = 0;
      for (let c = 0; c < columnCount; c++) {
        const src = new VectorSource(runtime, runtime.bindings.data_chunk_get_vector(chunk.chunk, c), n);
        builders[c].append(src, null, 0, n);
        bytes += builders[c].byteSize();
      }
      rows += n;
      fetched += n;
      if (rows >= batchRows || bytes >= batchBytes) {
        yield flush(rows);
        rows = 0;
        if (signal?.aborted) return;
      }
    }
    // Asked before any other fetch: fetching past the end marks even a finished result failed.
    const failed = result.returnType === runtime.bindings.ResultType.INVALID;
    if (rows > 0) yield flush(rows);
    if (failed && !signal?.aborted) throw new ResultFailedError(fetched);
  } finally {
    abort?.dispose();
    // A prefetch still in flight when the consumer stops early must not reject unobserved.
    pending?.catch(() => undefined);
  }
}

/** Chunks the first batch has room for while it is unknown whether the result is larger. */
const FIRST_BATCH_START_CHUNKS = 8;
/** Most rows the first batch allocates for up front, whatever the options (more grow as needed). */
const FIRST_BATCH_MAX_ROWS = DEFAULT_BATCH_ROWS;

/**
 * The rows each batch is expected to reach, which the builders allocate their buffers for.
 *
 * A batch after the first is sized from the batch before it, since the same cut (batchRows, or
 * batchBytes after the same number of chunks) usually repeats. When one came out longer than
 * that, its buffers had to grow (a copy of each), so from then on every batch gets one chunk of
 * room to spare.
 *
 * Results are often small, so the first batch starts with room for its first chunk only (when
 * that is not full, it is likely the whole result) or for a few chunks; once past those, it
 * expects the cut its builders' guess of bytes per row predicts, and its buffers grow to that
 * in one step.
 */
class BatchSizing {
  private expected = 0;
  private readonly firstBatchRows: number;
  private spare = 0;
  private batches = 0;

  constructor(
    private readonly builders: readonly ColumnBuilder[],
    batchRows: number,
    batchBytes: number,
    private readonly vectorSize: number,
  ) {
    const rowBytes = builders.reduce((n, b) => n + b.estimatedRowBytes(), 0);
    const chunks = rowBytes > 0 ? Math.max(1, Math.ceil(batchBytes / (rowBytes * vectorSize))) : Infinity;
    this.firstBatchRows = Math.min(batchRows, chunks * vectorSize, FIRST_BATCH_MAX_ROWS);
  }

  /** Called before a chunk of `n` rows is appended to a batch already holding `rows`. */
  beforeChunk(rows: number, n: number): void {
    if (this.batches > 0) return;
    let expected = this.expected;
    if (rows === 0) {
      expected = n < this.vectorSize ? n : Math.min(this.firstBatchRows, FIRST_BATCH_START_CHUNKS * n);
    } else if (rows + n > expected) {
      expected = this.firstBatchRows;
    }
    if (expected !== this.expected) this.expectRows(expected);
  }

  /** Records that a batch of `length` rows was cut and sizes the next one. */
  batchDone(length: number): void {
    if (this.batches > 0 && length > this.expected) this.spare = this.vectorSize;
    this.batches++;
    this.expectRows(length + this.spare);
  }

  private expectRows(rows: number): void {
    this.expected = rows;
    for (const b of this.builders) b.expectRows(rows);
  }
}

const ABORTED = Symbol('aborted');

/**
 * Races fetches against `signal` with one abort listener for the whole result, rather than one
 * added and removed per chunk (a result has thousands of chunks, and EventTarget listeners cost
 * more than the fetch's own promise). Not Promise.race against one long-lived abort promise:
 * every race would leave a reaction on it, holding its chunk, until the result ends.
 */
class AbortRace {
  private wake: ((value: typeof ABORTED) => void) | undefined;
  private readonly onAbort = () => this.wake?.(ABORTED);

  constructor(private readonly signal: AbortSignal) {
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** `p`, or ABORTED as soon as the signal aborts (without waiting for `p`). */
  race<T>(p: Promise<T>): Promise<T | typeof ABORTED> {
    if (this.signal.aborted) return Promise.resolve(ABORTED);
    // A stale `wake` only resolves a settled promise (a no-op) and holds one chunk at most.
    return new Promise<T | typeof ABORTED>((resolve, reject) => {
      this.wake = resolve;
      p.then(resolve, reject);
    });
  }

  dispose(): void {
    this.signal.removeEventListener('abort', this.onAbort);
  }
}
