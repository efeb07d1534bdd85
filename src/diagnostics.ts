/**
 * Tracing on Node's `diagnostics_channel`, with no dependency: three TracingChannels
 * (`flightsql:query`, `flightsql:connection`, `flightsql:write`) and the helpers the layers
 * publish through. Shared by the layers (like errors.ts), it imports nothing above it.
 *
 * Nothing is built or published unless a channel has subscribers when the traced call starts
 * (the check is one property read). Contexts never carry parameter values, headers or tokens.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import type { TracingChannel } from 'node:diagnostics_channel';

export { subscribeDebugLog } from './diagnosticsLog';

/** What a statement does: `flightsql:query`'s `kind`. */
export type StatementKind = 'query' | 'update' | 'prepare' | 'metadata' | 'ingest';

/** How a statement ended: read to the end, stopped early by its consumer, or failed. */
export type StatementState = 'done' | 'cancelled' | 'failed';

/** The context of a `flightsql:query` trace: one statement. Filled in as the statement runs. */
export interface QueryContext {
  /** What the statement does. */
  readonly kind: StatementKind;
  /** The SQL text; undefined for metadata calls, Substrait plans and ingest. Never the parameters. */
  readonly sql: string | undefined;
  /** The Flight SQL command or action sent, e.g. `CommandStatementQuery`, `CommandGetTables`. */
  readonly command: string;
  /** The server's location URI (`grpc+tcp://host:port`), without credentials. */
  readonly server: string;
  /** The database, when the client names one (the `database` header of InfluxDB 3 and the like). */
  readonly database?: string;
  /** Target table of an ingest. */
  readonly table?: string;
  /** True when the statement runs a prepared statement (its parameters are never published). */
  readonly prepared?: boolean;
  /** Rows received (query, metadata), set at the end. */
  rows?: number;
  /** Bytes received (FlightData header, body and app_metadata of the result streams), set at the end. */
  bytes?: number;
  /** Rows the server reports as affected (update, ingest; -1 when it does not know), set at the end. */
  affectedRows?: number;
  /** How the statement ended, set at the end. */
  state?: StatementState;
  /** The error the statement failed with (a flightsql error), set before the `error` event. */
  error?: unknown;
}

/** What happened to a connection: `flightsql:connection`'s `kind`. */
export type ConnectionKind = 'connect' | 'handshake' | 'close';

/** The context of a `flightsql:connection` trace. */
export interface ConnectionContext {
  /**
   * `connect`: a client's channel was created (grpc-js dials lazily, on the first call, and
   * reconnects by itself); `handshake`: a basic-auth Handshake; `close`: the client was closed.
   */
  readonly kind: ConnectionKind;
  /** The location URI, without credentials. */
  readonly server: string;
  /** Whether the channel uses TLS. */
  readonly tls: boolean;
  /** For `close`: the calls still running, which the close cancels. */
  readonly activeCalls?: number;
  /** The error, set before the `error` event. */
  error?: unknown;
}

/** The context of a `flightsql:write` trace: one HTTP write request (one batch, one attempt). */
export interface WriteContext {
  /** Origin and path of the request, without credentials or query string. */
  readonly url: string;
  /** The database (or bucket) written to. */
  readonly database?: string;
  /** Points (lines) in the batch. */
  readonly points: number;
  /** Bytes of the request body as sent (after compression, if any). */
  readonly bytes: number;
  /** Retry number: 0 for the first try. */
  readonly attempt: number;
  /** HTTP status of the answer, set by the writer when it arrives. */
  status?: number;
  /** The error, set before the `error` event. */
  error?: unknown;
}

/** Name of the statement channel. */
export const QUERY_CHANNEL = 'flightsql:query';
/** Name of the connection channel. */
export const CONNECTION_CHANNEL = 'flightsql:connection';
/** Name of the HTTP write channel. */
export const WRITE_CHANNEL = 'flightsql:write';

/** `flightsql:query`: one trace per statement (query, update, prepare, metadata, ingest). */
export const queryChannel: TracingChannel<unknown, QueryContext> = diagnosticsChannel.tracingChannel<
  unknown,
  QueryContext
>(QUERY_CHANNEL);
/** `flightsql:connection`: connects, handshakes and closes of Flight clients. */
export const connectionChannel: TracingChannel<unknown, ConnectionContext> =
  diagnosticsChannel.tracingChannel<unknown, ConnectionContext>(CONNECTION_CHANNEL);
/** `flightsql:write`: one trace per HTTP write request. */
export const writeChannel: TracingChannel<unknown, WriteContext> = diagnosticsChannel.tracingChannel<
  unknown,
  WriteContext
>(WRITE_CHANNEL);

/**
 * Runs `fn` as one trace on `channel`: start, end (after the synchronous part), then error (on
 * failure), asyncStart and asyncEnd when its promise settles. Like `tracePromise`, except that
 * the result is never put on the context (it may hold what must not be published). Without
 * subscribers it is just `fn()`.
 */
function traceCall<C extends { error?: unknown }, T>(
  channel: TracingChannel<unknown, C>,
  context: C,
  fn: () => Promise<T>,
): Promise<T> {
  if (!channel.hasSubscribers) return fn();
  return begin(channel, context, fn).then(
    (value) => {
      settle(channel, context);
      return value;
    },
    (err: unknown) => {
      settle(channel, context, err);
      throw err;
    },
  );
}

/** Publishes start, runs `fn` in the start channel's stores, publishes end. Never throws. */
function begin<C extends object, T>(channel: TracingChannel<unknown, C>, context: C, fn: () => Promise<T>) {
  return channel.start.runStores(context, () => {
    try {
      return fn();
    } catch (err) {
      return Promise.reject(err);
    } finally {
      channel.end.publish(context);
    }
  });
}

function settle<C extends { error?: unknown }>(
  channel: TracingChannel<unknown, C>,
  context: C,
  ...failure: [unknown?]
): void {
  if (failure.length > 0) {
    context.error = failure[0];
    channel.error.publish(context);
  }
  channel.asyncStart.publish(context);
  channel.asyncEnd.publish(context);
}

/** Traces one HTTP write request on `flightsql:write` when it has subscribers; else just `fn()`. */
export function traceWrite<T>(context: WriteContext, fn: () => Promise<T>): Promise<T> {
  return traceCall(writeChannel, context, fn);
}

/** Traces an asynchronous connection event (`handshake`, `close`); else just `fn()`. */
export function traceConnection<T>(context: () => ConnectionContext, fn: () => Promise<T>): Promise<T> {
  return connectionChannel.hasSubscribers ? traceCall(connectionChannel, context(), fn) : fn();
}

/**
 * Traces the creation of a client's channel (`connect`), which is synchronous: start, end (and
 * error). Not `traceSync`, which would publish the grpc-js Client as the context's `result`.
 */
export function traceConnect<T>(context: () => ConnectionContext, fn: () => T): T {
  if (!connectionChannel.hasSubscribers) return fn();
  const published = context();
  const { start, end, error } = connectionChannel;
  return start.runStores(published, () => {
    try {
      return fn();
    } catch (err) {
      published.error = err;
      error.publish(published);
      throw err;
    } finally {
      end.publish(published);
    }
  });
}

/** What a trace needs of a result stream (FlightStreamReader): its counters and its end. */
export interface TracedStream {
  readonly rowsReceived: number;
  readonly bytesReceived: number;
  /** Calls `listener` once when the stream ends (at once if it has ended). */
  onEnd(listener: (state: StatementState, error: unknown) => void): void;
}

/** The part of a FlightInfo a trace follows: the tickets of its endpoints. */
interface InfoLike {
  readonly endpoints: readonly { readonly ticket: object }[];
}

/** Traces whose result is still to be read, by FlightInfo and by Ticket object. */
const byInfo = new WeakMap<object, StatementTrace>();
const byTicket = new WeakMap<object, StatementTrace>();

/**
 * One statement being traced on `flightsql:query`. A query's trace stays open after its call
 * returns, until its result has been read: by a FlightInfoReader (which then owns the trace and
 * ends it when it stops), or by DoGets of its tickets (the trace ends when every expected stream
 * is done, or as soon as one fails or is cancelled).
 */
export class StatementTrace {
  /** The published context. */
  readonly context: QueryContext;
  #streams: TracedStream[] = [];
  #keys: object[] = [];
  #expected = 0;
  #done = 0;
  #owned = false;
  #ended = false;

  /** @internal Use `traceStatement`. */
  constructor(context: QueryContext) {
    this.context = context;
  }

  /** Keeps the trace open until `info` is read (through a FlightInfoReader or DoGets of its tickets). */
  expectInfo(info: InfoLike): void {
    if (info.endpoints.length === 0) return;
    byInfo.set(info, this);
    this.#keys.push(info);
    this.expectTickets(info.endpoints.map((endpoint) => endpoint.ticket));
  }

  /** Keeps the trace open until the streams of `tickets` have been read. */
  expectTickets(tickets: readonly object[]): void {
    for (const ticket of tickets) {
      byTicket.set(ticket, this);
      this.#keys.push(ticket);
    }
    this.#expected += tickets.length;
  }

  /** Whether the trace waits for result streams. */
  get waiting(): boolean {
    return this.#expected > 0 || this.#owned;
  }

  /** Counts `stream` in this statement's rows and bytes; follows its end unless a reader owns the trace. */
  attach(stream: TracedStream): void {
    if (this.#ended) return;
    this.#streams.push(stream);
    stream.onEnd((state, error) => {
      if (this.#owned) return;
      // A stream cancelled on purpose (cancel(), break) is no error; an abort reaches the caller.
      if (state === 'cancelled') this.end(state, isAbort(error) ? error : undefined);
      else if (state === 'failed') this.end(state, error);
      else if (++this.#done >= this.#expected) this.end('done');
    });
  }

  /** A DoGet of one of the tickets failed before its stream opened. */
  streamFailed(error: unknown): void {
    if (!this.#owned) this.fail(error);
  }

  /**
   * Ends the trace for the reason a reader stopped: `'done'`, a string (stopped early on
   * purpose: cancelled, no error), or the error its consumer got.
   */
  stop(reason: unknown): void {
    if (reason === 'done') this.end('done');
    else if (typeof reason === 'string') this.end('cancelled');
    else this.fail(reason);
  }

  /** Ends the trace with the error its caller got (`cancelled` for an abort, else `failed`). */
  fail(error: unknown): void {
    this.end(isAbort(error) ? 'cancelled' : 'failed', error);
  }

  /** Ends the trace: rows and bytes of the streams, then error (if any), asyncStart, asyncEnd. Once. */
  end(state: StatementState, error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const key of this.#keys) {
      if (byInfo.get(key) === this) byInfo.delete(key);
      if (byTicket.get(key) === this) byTicket.delete(key);
    }
    const context = this.context;
    if (context.kind === 'query' || context.kind === 'metadata') {
      let rows = 0;
      let bytes = 0;
      for (const stream of this.#streams) {
        rows += stream.rowsReceived;
        bytes += stream.bytesReceived;
      }
      context.rows = rows;
      context.bytes = bytes;
    }
    this.#streams = [];
    context.state = state;
    if (error !== undefined) settle(queryChannel, context, error);
    else settle(queryChannel, context);
  }

  /** @internal A FlightInfoReader takes the trace over: it ends it when it stops. */
  own(): void {
    this.#owned = true;
  }
}

/**
 * Runs one statement: without subscribers just `fn(undefined)`; with them, `fn(trace)` under a
 * `flightsql:query` trace. `fn` may make the trace wait for result streams (`expectInfo`);
 * otherwise the trace ends when `fn` settles, after `onResult` has recorded what it returned.
 */
export function traceStatement<T>(
  context: (() => QueryContext) | undefined,
  fn: (trace: StatementTrace | undefined) => Promise<T>,
  onResult?: (context: QueryContext, value: T) => void,
): Promise<T> {
  if (context === undefined || !queryChannel.hasSubscribers) return fn(undefined);
  const trace = new StatementTrace(context());
  return begin(queryChannel, trace.context, () => fn(trace)).then(
    (value) => {
      onResult?.(trace.context, value);
      if (!trace.waiting) trace.end('done');
      return value;
    },
    (err: unknown) => {
      trace.fail(err);
      throw err;
    },
  );
}

/**
 * Traces a query sent as a DoGet ticket (InfluxDB 3's JSON ticket) until its stream ends: `open`
 * makes the DoGet of `ticket`. `sql` is the query text, never the ticket's parameters.
 */
export function traceTicketQuery<R>(
  sql: string,
  client: { readonly location: string },
  database: string | undefined,
  ticket: object,
  open: () => Promise<R>,
): Promise<R> {
  const context = (): QueryContext => ({
    kind: 'query',
    sql,
    command: 'DoGet',
    server: client.location,
    ...(database !== undefined && { database }),
  });
  return traceStatement(context, (trace) => {
    trace?.expectTickets([ticket]);
    return open();
  });
}

/** The trace waiting for `info` to be read, taken over by the caller (a FlightInfoReader). */
export function adoptTrace(info: object): StatementTrace | undefined {
  const trace = byInfo.get(info);
  if (!trace) return undefined;
  byInfo.delete(info);
  trace.own();
  return trace;
}

/**
 * Follows the DoGet of `ticket` when a statement's trace waits for it: its stream counts in the
 * statement's rows and bytes, and its end (or failure to open) may end the trace.
 */
export function traceDoGet<R extends TracedStream>(ticket: object, opening: Promise<R>): Promise<R> {
  const trace = byTicket.get(ticket);
  if (!trace) return opening;
  return opening.then(
    (reader) => {
      trace.attach(reader);
      return reader;
    },
    (err: unknown) => {
      trace.streamFailed(err);
      throw err;
    },
  );
}

/** An AbortSignal or timeout stopped the call (flightsql's AbortError, or Node's). */
function isAbort(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}
