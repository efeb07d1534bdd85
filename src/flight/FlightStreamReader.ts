/**
 * The reader of one Flight stream (DoGet, DoExchange): batches straight off the gRPC call,
 * pulled only when the consumer asks, so a slow consumer pauses the stream.
 */
import { status as Status, type Metadata, type StatusObject } from '@grpc/grpc-js';
import { RecordBatch, Schema, Table } from 'apache-arrow';
import {
  AbortError,
  Error as FlightSQLError,
  OperationalError,
  messageOf,
  metadataToObject,
  protocolError,
  toError,
} from '../errors';
import { PolarsBuilder, type PolarsDataFrame } from '../dataframe';
import { RowConverter, type Row, type ValueOptions } from '../values';
import { FlightDataDecoder } from './decode';
import type { RawFlightData } from './flightData';

/** One message of a stream: a batch and the application metadata sent with it. */
export interface FlightStreamChunk {
  /** The batch; null when the message carried only `app_metadata`. */
  readonly data: RecordBatch | null;
  /** `app_metadata` of the message, if any was sent. */
  readonly appMetadata: Uint8Array | undefined;
}

/** The part of a grpc-js call the reader needs (a ClientReadableStream or ClientDuplexStream). */
export interface ReadableCall extends AsyncIterable<RawFlightData> {
  cancel(): void;
  on(event: 'metadata', listener: (metadata: Metadata) => void): this;
  on(event: 'status', listener: (status: StatusObject) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
}

/** Where a reader stands: see {@link FlightStreamReader.state}. */
type State = 'open' | 'done' | 'cancelled' | 'failed';

/** How a reader waits and reports failures (FlightClient passes its own). */
export interface FlightStreamReaderOptions {
  /**
   * Longest wait for the next message, in milliseconds: when the server sends nothing for this
   * long while the consumer waits, the call is cancelled with an OperationalError
   * (DEADLINE_EXCEEDED). A slow consumer does not count. Default none.
   */
  readonly idleTimeoutMs?: number;
  /** Runs once when the stream ends, fails or is cancelled (releases listeners and timers). */
  readonly onFinish?: () => void;
  /** Maps what the call failed with to a flightsql error (default `toError`). */
  readonly mapError?: (err: unknown, context: string) => FlightSQLError;
  /**
   * The stream must start with a Schema message (DoGet): one that ends without it (a message cut
   * short, which grpc-js drops before ending with OK) is a ProtocolError, not an empty result.
   */
  readonly requireSchema?: boolean;
}

/**
 * Reads one Flight stream. Obtain it from `FlightClient.doGet()` (the schema has arrived by
 * then). Iterate it for RecordBatches, or use `readChunk()`, `readAll()`, `rows()`.
 * Leaving a `for await` early, `cancel()`, an AbortSignal or a timeout all cancel the call.
 */
export class FlightStreamReader implements AsyncIterable<RecordBatch>, AsyncDisposable {
  readonly #call: ReadableCall;
  readonly #messages: AsyncIterator<RawFlightData>;
  readonly #decoder = new FlightDataDecoder();
  readonly #context: string;
  #state: State = 'open';
  #error: FlightSQLError | undefined;
  #headers: Record<string, string | string[]> = {};
  #trailers: Record<string, string | string[]> | undefined;
  #pending: FlightStreamChunk[] = [];
  #onFinish: (() => void) | undefined;
  #onEnd: ((state: Exclude<State, 'open'>, error: unknown) => void)[] | undefined;
  #rows = 0;
  #bytes = 0;
  readonly #idleTimeoutMs: number | undefined;
  readonly #mapError: (err: unknown, context: string) => FlightSQLError;

  private constructor(call: ReadableCall, context: string, options: FlightStreamReaderOptions) {
    this.#call = call;
    this.#context = context;
    this.#onFinish = options.onFinish;
    this.#idleTimeoutMs = options.idleTimeoutMs;
    this.#mapError = options.mapError ?? toError;
    // Whatever happens to the call, its 'error' event has a listener for its whole life: the
    // async iterator below listens only while it is in use (DESIGN: no unhandled errors).
    call.on('error', ignore);
    call.on('metadata', (metadata) => (this.#headers = metadataToObject(metadata)));
    call.on('status', (status) => (this.#trailers = metadataToObject(status.metadata)));
    limitBuffering(call, 'readable');
    this.#messages = call[Symbol.asyncIterator]();
  }

  /**
   * Wraps a started call and reads up to the Schema message (the idle timeout applies to that
   * wait too). `options.onFinish` runs once when the stream ends, fails or is cancelled.
   */
  static async open(
    call: ReadableCall,
    context: string,
    options: FlightStreamReaderOptions = {},
  ): Promise<FlightStreamReader> {
    const reader = new FlightStreamReader(call, context, options);
    while (!reader.#decoder.schema) {
      const chunk = await reader.#next();
      if (chunk === null) {
        if (options.requireSchema && !reader.#decoder.schema)
          throw protocolError(`${context}: the stream ended without a Schema message (cut short?)`);
        break;
      }
      if (chunk.appMetadata || chunk.data) reader.#pending.push(chunk);
    }
    return reader;
  }

  /** The stream's schema (empty if the server ended the stream without sending one). */
  get schema(): Schema {
    return this.#decoder.schema ?? new Schema([]);
  }

  /** Response headers of the call. */
  get headers(): Readonly<Record<string, string | string[]>> {
    return this.#headers;
  }

  /** Trailing metadata; undefined until the stream has ended. */
  get trailers(): Readonly<Record<string, string | string[]>> | undefined {
    return this.#trailers;
  }

  /** `'open'`, `'done'` (read to the end), `'cancelled'` or `'failed'`. */
  get state(): State {
    return this.#state;
  }

  /** How many buffers had to be copied because the wire left them misaligned for their type. */
  get alignmentCopies(): number {
    return this.#decoder.alignmentCopies;
  }

  /** Rows of the batches received so far (including any the consumer has not taken yet). */
  get rowsReceived(): number {
    return this.#rows;
  }

  /** Bytes received so far: the header, body and app_metadata of every FlightData message. */
  get bytesReceived(): number {
    return this.#bytes;
  }

  /** @internal Calls `listener` once when the stream ends, fails or is cancelled (at once if it has). */
  onEnd(listener: (state: Exclude<State, 'open'>, error: unknown) => void): void {
    if (this.#state === 'open') (this.#onEnd ??= []).push(listener);
    else listener(this.#state, this.#error);
  }

  /** Reads the next message that carries a batch or app metadata; null at the end. */
  async readChunk(): Promise<FlightStreamChunk | null> {
    const pending = this.#pending.shift();
    if (pending) return pending;
    return this.#next();
  }

  async #next(): Promise<FlightStreamChunk | null> {
    if (this.#state !== 'open') {
      if (this.#error) throw this.#error;
      return null;
    }
    try {
      for (;;) {
        const result = await this.#receive();
        // cancel() may have come while we waited: a batch that arrives after it is not delivered.
        if (this.#state !== 'open') throw this.#error ?? cancelledError(this.#context);
        if (result.done) {
          this.#finish('done');
          return null;
        }
        const message = result.value;
        this.#bytes += message.header.byteLength + message.body.byteLength + message.appMetadata.byteLength;
        const payload = this.#decoder.decode(message);
        const appMetadata = message.appMetadata.byteLength > 0 ? message.appMetadata : undefined;
        if (payload.kind === 'batch') {
          this.#rows += payload.batch.numRows;
          return { data: payload.batch, appMetadata };
        }
        if (appMetadata) return { data: null, appMetadata };
      }
    } catch (err) {
      throw this.#fail(err);
    }
  }

  /** The next message off the call, within the idle timeout when there is one. */
  #receive(): Promise<IteratorResult<RawFlightData>> {
    const idleMs = this.#idleTimeoutMs;
    if (idleMs === undefined) return this.#messages.next();
    const next = this.#messages.next();
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // The read we stop waiting for settles later (CANCELLED): nobody may be left unhandled.
        next.catch(ignore);
        reject(this.#idleTimeout(idleMs));
      }, idleMs);
    });
    return Promise.race([next, idle]).finally(() => clearTimeout(timer));
  }

  /** Ends the stream because the server sent nothing for `idleMs`. */
  #idleTimeout(idleMs: number): OperationalError {
    const error = new OperationalError(
      `${this.#context}: no message from the server for ${idleMs} ms (idleTimeoutMs); the stream was cancelled [DEADLINE_EXCEEDED]`,
      { grpcCode: Status.DEADLINE_EXCEEDED },
    );
    if (this.#state === 'open') {
      this.#error = error;
      this.#pending = [];
      this.#finish('failed');
      this.#call.cancel();
    }
    return error;
  }

  #fail(err: unknown): FlightSQLError {
    if (this.#state !== 'open' && this.#error) return this.#error;
    const error = this.#mapError(err, this.#context);
    this.#error = error;
    if (this.#state === 'open') {
      this.#finish('failed');
      this.#call.cancel();
    }
    return error;
  }

  #finish(state: Exclude<State, 'open'>): void {
    if (this.#state !== 'open') return;
    this.#state = state;
    const onFinish = this.#onFinish;
    this.#onFinish = undefined;
    onFinish?.();
    const onEnd = this.#onEnd;
    this.#onEnd = undefined;
    if (onEnd) for (const listener of onEnd) listener(state, this.#error);
  }

  /** Reads every remaining batch into one Table (the one method that buffers a whole result). */
  async readAll(): Promise<Table> {
    const batches: RecordBatch[] = [];
    for await (const batch of this) batches.push(batch);
    return batches.length ? new Table(batches) : new Table(this.schema);
  }

  /**
   * Reads every remaining batch into a nodejs-polars DataFrame (pyarrow's `read_pandas()`):
   * every column, types kept, built from the Arrow batches as they arrive, never from rows.
   * nodejs-polars is an optional peer dependency: without it this throws an InterfaceError
   * that says what to install.
   */
  async readPolars(): Promise<PolarsDataFrame> {
    let builder: PolarsBuilder;
    try {
      builder = new PolarsBuilder();
    } catch (err) {
      // Without nodejs-polars nothing will read this result: its call must not stay open.
      this.cancel();
      throw err;
    }
    for await (const batch of this) builder.add(batch);
    return builder.finish(this.schema);
  }

  /** Iterates the remaining RecordBatches; leaving the loop early cancels the call. */
  async *[Symbol.asyncIterator](): AsyncGenerator<RecordBatch> {
    let finished = false;
    try {
      for (;;) {
        const chunk = await this.readChunk();
        if (chunk === null) {
          finished = true;
          return;
        }
        if (chunk.data) yield chunk.data;
      }
    } finally {
      if (!finished && this.#state === 'open') this.cancel('the consumer stopped reading');
    }
  }

  /** Rows of each remaining batch, one array of rows per batch (the fast way to get rows). */
  async *rowChunks(options?: ValueOptions): AsyncGenerator<Row[]> {
    const converter = new RowConverter(this.schema, options);
    for await (const batch of this) yield converter.rows(batch);
  }

  /** Every remaining row, converted per `options` (arrays by default, objects with `rowMode: 'object'`). */
  async *rows(options?: ValueOptions): AsyncGenerator<Row> {
    for await (const chunk of this.rowChunks(options)) yield* chunk;
  }

  /**
   * Cancels the call. Reads after this, and reads in progress, fail with an OperationalError
   * (gRPC CANCELLED) whose cause is `reason`, or with `reason` itself when it is an AbortError.
   * A no-op once the stream has ended.
   */
  cancel(reason?: unknown): void {
    if (this.#state !== 'open') return;
    this.#error = reason instanceof AbortError ? reason : cancelledError(this.#context, reason);
    this.#pending = [];
    this.#finish('cancelled');
    this.#call.cancel();
  }

  /** Cancels the stream if it is still open. */
  async close(): Promise<void> {
    this.cancel('closed');
  }

  /** Closes the reader: `await using reader = …` cancels it at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function ignore(): void {}

/** How many messages a stream may hold ahead of its consumer (grpc-js's own default is 16). */
export const STREAM_BUFFER_MESSAGES = 2;

/**
 * grpc-js creates its streams in object mode with Node's default of 16 messages ahead. Flight
 * messages are batches of up to a few MiB, so we lower the mark to keep memory bounded by a
 * few batches: the stream then pauses the HTTP/2 flow sooner (backpressure).
 */
export function limitBuffering(stream: object, side: 'readable' | 'writable'): void {
  const state = (stream as Record<string, { highWaterMark?: number } | undefined>)[`_${side}State`];
  if (state && typeof state.highWaterMark === 'number') state.highWaterMark = STREAM_BUFFER_MESSAGES;
}

/** The error of a call the client cancelled (an AbortSignal, `cancel()`, `break`). */
export function cancelledError(context: string, reason?: unknown): OperationalError {
  const why = reason === undefined ? 'cancelled' : messageOf(reason);
  return new OperationalError(`${context} cancelled by the client: ${why}`, {
    grpcCode: Status.CANCELLED,
    cause: reason,
  });
}
