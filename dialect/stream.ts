/**
 * `.stream()`: rows (or RecordBatches) piped into Knex's stream, with backpressure. One
 * AbortController covers the query's whole life (prepare, GetFlightInfo, every DoGet), and it is
 * aborted as soon as Knex's stream closes, whenever that is: before the first batch, mid-stream
 * or after an error, the server's work is cancelled, not left to run to its end.
 *
 * After a failure `streamQuery` settles only once Knex's stream has closed: Knex releases the
 * connection on that 'close' (and again when `_stream` settles, knex#6288, which the dialect's
 * leases make harmless), so the release that counts comes while the pool is still there,
 * whatever the application does once its loop has rejected (`db.destroy()`, for one).
 */
import { once } from 'node:events';
import { Readable, type Duplex } from 'node:stream';
import { OperationalError, type Cursor } from 'flightsql';

/** Options of `.stream(options)` the dialect reads. */
export interface StreamOptions {
  /** Yield Arrow RecordBatches instead of rows. */
  readonly recordBatches?: boolean;
  /** Rows (or batches) the source buffers ahead of the consumer (default 1024). */
  readonly highWaterMark?: number;
}

/**
 * Runs `execute` with a signal that aborts when `stream` closes, then pipes the cursor's rows
 * into `stream`. Resolves when the stream has closed; rejects with the error the stream was
 * destroyed with, once the server's work has been cancelled and the stream has closed.
 */
export async function streamQuery(
  cursor: Cursor<Record<string, unknown>>,
  execute: (signal: AbortSignal) => Promise<void>,
  stream: Duplex,
  options: StreamOptions = {},
): Promise<void> {
  // Destroyed before a connection was even acquired: nothing to run.
  if (stream.destroyed) return;
  const controller = new AbortController();
  const abandon = () => controller.abort(new OperationalError('the stream was closed by its consumer'));
  stream.once('close', abandon);
  let failure: unknown;
  try {
    await execute(controller.signal);
    if (controller.signal.aborted) return;
    const source = Readable.from(options.recordBatches ? cursor.fetchRecordBatches() : cursor, {
      objectMode: true,
      highWaterMark: options.highWaterMark ?? 1024,
    });
    // Knex destroys a piped source when its own stream closes (runner.js, 'pipe').
    await new Promise<void>((resolve, reject) => {
      source.once('error', reject);
      source.once('close', resolve);
      source.pipe(stream);
    });
  } catch (err) {
    // A consumer that left has nobody to tell: its leaving is what cancelled the query.
    if (!controller.signal.aborted) failure = err;
  } finally {
    stream.off('close', abandon);
    // Cancels whatever still runs (a source that ended has nothing left to cancel).
    controller.abort();
    await cursor.close();
  }
  if (failure !== undefined) {
    if (!stream.destroyed) stream.destroy(failure as Error);
    if (!stream.closed) await once(stream, 'close').catch(() => undefined);
    throw failure;
  }
  // Ended: the consumer may still be reading what the stream buffered; the connection is free now.
}
