/**
 * Arrow RecordBatches as DuckDB data chunks: for the appender (ingest), and for parameters,
 * whose values are read back from the chunk as typed DuckDB values. Each column keeps the DuckDB
 * type that holds its Arrow values exactly (see arrowVectors.ts); where the target differs,
 * DuckDB casts it as it casts any value of that type.
 */
import type { DuckDBAppender, DuckDBDataChunk, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { status as Status } from '@grpc/grpc-js';
import type { RecordBatch, Schema } from 'apache-arrow';
import { StatusError } from '../statusErrors';
import { columnWriterFor, type ColumnWriter } from './arrowVectors';
import { loadRuntime, type DuckDBRuntime } from './runtime';

/** Rows of a DuckDB data chunk (STANDARD_VECTOR_SIZE). */
const CHUNK_ROWS = 2048;
/** Chunks appended between two turns of the event loop, so a long ingest does not starve the others. */
const CHUNKS_PER_TURN = 32;

/** The DuckDB side of an Arrow schema: one exact type and writer per field. */
export class ArrowChunks {
  private constructor(
    private readonly rt: DuckDBRuntime,
    private readonly columns: readonly ColumnWriter[],
  ) {}

  /** The chunk layout for `schema`; UNIMPLEMENTED when a field's type has no exact DuckDB type. */
  static async for(schema: Schema): Promise<ArrowChunks> {
    const rt = await loadRuntime();
    const columns = schema.fields.map((field) => {
      try {
        return columnWriterFor(rt, field.type);
      } catch (err) {
        if (err instanceof StatusError)
          throw new StatusError(err.code, `column "${field.name}": ${err.message}`);
        throw err;
      }
    });
    return new ArrowChunks(rt, columns);
  }

  /** The DuckDB type of each column. */
  get types(): DuckDBType[] {
    return this.columns.map((c) => c.type);
  }

  /** The rows of `batch`, a chunk of up to 2,048 at a time (each chunk is fresh: no stale validity). */
  *chunksOf(batch: RecordBatch): Generator<DuckDBDataChunk> {
    const { api, bindings } = this.rt;
    const columns = batch.data.children;
    if (columns.length !== this.columns.length)
      throw new StatusError(Status.INVALID_ARGUMENT, 'a batch does not have the schema of the stream');
    for (let start = 0; start < batch.numRows; start += CHUNK_ROWS) {
      const count = Math.min(CHUNK_ROWS, batch.numRows - start);
      const chunk = api.DuckDBDataChunk.create(this.types, count);
      this.columns.forEach((column, c) =>
        column.write(bindings.data_chunk_get_vector(chunk.chunk, c), columns[c]!, start, count),
      );
      yield chunk;
    }
  }

  /** The rows of `batches` as DuckDB values (null for NULL), each with its column's type. */
  rows(batches: readonly RecordBatch[]): { values: DuckDBValue[]; types: DuckDBType[] }[] {
    const types = this.types;
    const rows: { values: DuckDBValue[]; types: DuckDBType[] }[] = [];
    for (const batch of batches) {
      for (const chunk of this.chunksOf(batch)) {
        for (let r = 0; r < chunk.rowCount; r++) rows.push({ values: chunk.getRowValues(r), types });
      }
    }
    return rows;
  }

  /**
   * Appends `batches` through `appender` as they come (an upload streams them: only the batch
   * being appended is held), checking `signal` between chunks; the rows of a failed call may be
   * partly appended (the caller's transaction undoes them). The number of rows.
   */
  async append(
    appender: DuckDBAppender,
    batches: Iterable<RecordBatch> | AsyncIterable<RecordBatch>,
    signal?: AbortSignal,
  ): Promise<number> {
    let rows = 0;
    let chunks = 0;
    for await (const batch of batches) {
      for (const chunk of this.chunksOf(batch)) {
        appender.appendDataChunk(chunk);
        rows += chunk.rowCount;
        if (++chunks % CHUNKS_PER_TURN === 0) {
          await new Promise((resolve) => setImmediate(resolve));
          if (signal?.aborted) throw new StatusError(Status.CANCELLED, 'the call was cancelled');
        }
      }
    }
    return rows;
  }

  /**
   * `append`, then closes `appender`, which flushes: constraint violations surface there. On a
   * failure the unflushed rows are dropped and the appender closed, and the failure that came first
   * is the one thrown. The number of rows.
   */
  async appendAndClose(
    appender: DuckDBAppender,
    batches: Iterable<RecordBatch> | AsyncIterable<RecordBatch>,
    signal?: AbortSignal,
  ): Promise<number> {
    let rows: number;
    try {
      rows = await this.append(appender, batches, signal);
    } catch (err) {
      try {
        appender.clear();
        appender.closeSync();
      } catch {
        // The append's failure is the one to report.
      }
      throw err;
    }
    appender.closeSync();
    return rows;
  }
}
