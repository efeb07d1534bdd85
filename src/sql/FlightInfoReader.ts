/**
 * Reads the whole result of a FlightInfo: every endpoint, at whichever of its locations
 * answers, in order when the FlightInfo says `ordered`, a few at a time otherwise. Pull-based:
 * each open endpoint holds at most one batch that the consumer has not taken yet.
 */
import { status as Status } from '@grpc/grpc-js';
import { Table, type RecordBatch, type Schema } from 'apache-arrow';
import { PolarsBuilder, type PolarsDataFrame } from '../dataframe';
import { adoptTrace, type StatementTrace } from '../diagnostics';
import {
  InterfaceError,
  OperationalError,
  ProgrammingError,
  closedError,
  messageOf,
  type Error as FlightSQLError,
} from '../errors';
import {
  carriesCredentials,
  checkCredentialScope,
  FlightClient,
  isOrigin,
  parseLocation,
  REUSE_CONNECTION,
  type CallOptions,
  type CredentialScope,
  type TrustedLocations,
  type FlightClientOptions,
  type FlightEndpoint,
  type FlightInfo,
  type FlightStreamReader,
  type TlsOptions,
} from '../flight';

/** Endpoints read at once when the FlightInfo is not ordered. */
export const DEFAULT_ENDPOINT_CONCURRENCY = 4;

/** How a FlightInfoReader reads: call options of every DoGet, concurrency, connections. */
export interface FlightInfoReaderOptions extends CallOptions {
  /** Max endpoints read at once when the FlightInfo is not ordered (default 4). */
  readonly concurrency?: number;
  /**
   * Opens a client for a location other than the home server (default: a FlightClient with
   * the reader's `connectOptions`, TLS as the location's scheme says). The reader owns the
   * clients it gets this way: one per distinct URI, closed when the reader is done. The
   * credential rule (see `trustedLocations`) covers what the reader adds, `connectOptions` and
   * the call's `headers`; what a custom `connect` adds is its own business.
   */
  readonly connect?: (uri: string) => FlightClient;
  /**
   * Locations other than the origin that may receive the credentials anyway: `true` for all, a
   * list of hosts (`host`, `host:port`) or a function of the location URI. By default, the token,
   * basic-auth credentials and headers (`connectOptions` and the call's `headers`) go only to the
   * home server's origin (scheme, host and port) and to TLS locations with verified certificates.
   * A plaintext location elsewhere, including the origin's own host when the origin uses TLS, fails
   * with an InterfaceError that names it. A client without credentials follows any location.
   */
  readonly trustedLocations?: TrustedLocations;
}

/** The constructor's options: FlightInfoReaderOptions and the default `connect`'s client options. */
export type FlightInfoReaderInit = FlightInfoReaderOptions & {
  /** Options of the clients the default `connect` opens (auth, headers, TLS roots, ...). */
  readonly connectOptions?: FlightClientOptions;
};

/** Where one attempt at an endpoint goes: the home client, or another location's URI. */
interface Target {
  readonly home: boolean;
  readonly uri: string;
}

/** What one read of an endpoint gave: a batch, the end (null), or a failure. */
type Outcome =
  | { readonly slot: Slot; readonly batch: RecordBatch | null }
  | { readonly slot: Slot; readonly error: unknown };

interface Slot {
  readonly index: number;
  reader?: FlightStreamReader;
}

/**
 * The whole result of a FlightInfo as one stream of RecordBatches.
 *
 * - `ordered` FlightInfos are read one endpoint after another, front to back. Otherwise up to
 *   `concurrency` endpoints are read at once: each endpoint's batches stay in order, batches of
 *   different endpoints interleave.
 * - An endpoint with no locations, or with `arrow-flight-reuse-connection://?` (or the home
 *   server's own URI), is read from `home`. Other locations are tried in order; a location
 *   that answers UNAVAILABLE before its first batch gives way to the next.
 * - An endpoint whose `expirationTime` has passed fails with a ProgrammingError, without a call.
 * - Leaving the loop early, a failure, `close()`, the AbortSignal or the timeout of the options
 *   cancel every open stream. The reader reads once; `home` is never closed by it.
 */
export class FlightInfoReader implements AsyncIterable<RecordBatch>, AsyncDisposable {
  readonly #home: FlightClient;
  readonly #info: FlightInfo;
  #streamSchema: Schema | undefined;
  readonly #concurrency: number;
  readonly #connect: (uri: string) => FlightClient;
  readonly #scope: CredentialScope;
  readonly #callOptions: CallOptions;
  readonly #userSignal: AbortSignal | undefined;
  /** Aborted when the reader stops: cancels every DoGet, including those still opening. */
  readonly #controller = new AbortController();
  /** Clients of other locations, by URI, opened by this reader. */
  readonly #clients = new Map<string, FlightClient>();
  /** Readers of endpoints being read. */
  readonly #readers = new Set<FlightStreamReader>();
  #onUserAbort: (() => void) | undefined;
  #started = false;
  #stopped = false;
  #closing: Promise<void> | undefined;
  /** The `flightsql:query` trace of the statement whose result this is, ended when the reader stops. */
  readonly #trace: StatementTrace | undefined;

  constructor(home: FlightClient, info: FlightInfo, options: FlightInfoReaderInit = {}) {
    const { concurrency, connect, connectOptions, trustedLocations, ...callOptions } = options;
    if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
      throw new ProgrammingError(`concurrency must be a positive integer, not ${String(concurrency)}`);
    }
    this.#home = home;
    this.#info = info;
    this.#concurrency = concurrency ?? DEFAULT_ENDPOINT_CONCURRENCY;
    this.#connect = connect ?? defaultConnect(connectOptions);
    this.#scope = {
      origin: parseLocation(home.location),
      credentialed:
        carriesCredentials({ headers: callOptions.headers }) ||
        (connect === undefined && carriesCredentials(connectOptions ?? {})),
      verifiesTls: connect !== undefined || !skipsVerification(connectOptions?.tls),
      trusted: trustedLocations,
    };
    this.#userSignal = callOptions.signal;
    this.#callOptions = { ...callOptions, signal: this.#controller.signal };
    this.#trace = adoptTrace(info);
  }

  /**
   * The result's schema: the stream's own once an endpoint has been opened, the FlightInfo's
   * before that. A FlightInfo's schema is advisory: servers send another command's schema, or a
   * guess, while the stream carries the real one.
   */
  get schema(): Schema {
    return this.#streamSchema ?? this.#info.schema;
  }

  /** The FlightInfo being read. */
  get info(): FlightInfo {
    return this.#info;
  }

  /** Reads every batch of every endpoint into one Table (empty, with the schema, if none). */
  async readAll(): Promise<Table> {
    const batches: RecordBatch[] = [];
    for await (const batch of this) batches.push(batch);
    return batches.length ? new Table(batches) : new Table(this.schema);
  }

  /**
   * Reads every batch of every endpoint into a nodejs-polars DataFrame (pyarrow's `read_pandas()`):
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
      await this.close();
      throw err;
    }
    for await (const batch of this) builder.add(batch);
    return builder.finish(this.schema);
  }

  /** The batches of every endpoint. Leaving the loop early cancels every open stream. */
  async *[Symbol.asyncIterator](): AsyncGenerator<RecordBatch> {
    if (this.#stopped) throw closedError('FlightInfoReader');
    if (this.#started) throw new InterfaceError('a FlightInfoReader can be read only once');
    this.#started = true;
    this.#linkUserSignal();

    const endpoints = this.#info.endpoints;
    const limit = this.#info.ordered ? 1 : this.#concurrency;
    // Outcomes in the order they arrived; each slot has at most one read in flight or waiting.
    const ready: Outcome[] = [];
    let wake: (() => void) | undefined;
    const settle = (outcome: Outcome) => {
      ready.push(outcome);
      const resume = wake;
      wake = undefined;
      resume?.();
    };
    let next = 0;
    let active = 0;
    const launch = () => {
      const slot: Slot = { index: next++ };
      active++;
      this.#open(slot.index).then(
        ({ reader, first }) => {
          slot.reader = reader;
          settle({ slot, batch: first });
        },
        (error: unknown) => settle({ slot, error }),
      );
    };
    const pull = (slot: Slot) => {
      nextBatch(slot.reader!).then(
        (batch) => settle({ slot, batch }),
        (error: unknown) => settle({ slot, error }),
      );
    };

    let reason: unknown = 'the consumer stopped reading';
    try {
      while (active < limit && next < endpoints.length) launch();
      while (active > 0) {
        if (ready.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        const outcome = ready.shift()!;
        if ('error' in outcome) {
          reason = outcome.error;
          throw outcome.error;
        }
        if (outcome.batch === null) {
          active--;
          if (outcome.slot.reader) this.#readers.delete(outcome.slot.reader);
          if (next < endpoints.length) launch();
          continue;
        }
        yield outcome.batch;
        // The consumer wants more: only now ask this endpoint for its next batch.
        pull(outcome.slot);
      }
      reason = 'done';
    } finally {
      await this.#stop(reason);
    }
  }

  /** Cancels the open streams and closes the clients this reader opened (not `home`). */
  async close(): Promise<void> {
    await this.#stop('closed');
  }

  /** Closes the reader: `await using reader = client.readFlightInfo(info)` closes it at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Opens endpoint `index` at the first location that serves it, up to its first batch. */
  async #open(index: number): Promise<{ reader: FlightStreamReader; first: RecordBatch | null }> {
    const endpoint = this.#info.endpoints[index]!;
    const targets = this.#targets(endpoint);
    const tried: string[] = [];
    // Locations this client may not or cannot use (credential rule, unknown scheme).
    const refused: unknown[] = [];
    let lastError: unknown;
    for (const target of targets) {
      if (this.#stopped) throw closedError('FlightInfoReader');
      checkExpiration(endpoint, index);
      tried.push(target.uri);
      let client: FlightClient;
      try {
        client = target.home ? this.#home : this.#clientFor(target.uri);
      } catch (err) {
        // A location this client cannot use: try the next one.
        if (this.#stopped) throw err;
        refused.push(err);
        lastError = err;
        continue;
      }
      let reader: FlightStreamReader | undefined;
      try {
        reader = await client.doGet(endpoint.ticket, this.#callOptions);
        this.#readers.add(reader);
        this.#streamSchema ??= reader.schema; // DoGet has read up to the stream's Schema
        if (this.#stopped) reader.cancel(this.#controller.signal.reason);
        // Fail over only while nothing has been delivered: wait for the first batch.
        const first = await nextBatch(reader);
        return { reader, first };
      } catch (err) {
        if (reader) this.#readers.delete(reader);
        if (this.#stopped || !isUnavailable(err)) throw err;
        lastError = err;
      }
    }
    if (endpoint.locations.length === 0) throw lastError;
    if (refused.length === tried.length) {
      // No call was made: the error is the client's refusal, not the server's unavailability.
      const reasons = refused.map(messageOf).join('; ');
      throw new InterfaceError(`endpoint ${index}: ${reasons}`, { cause: refused[refused.length - 1] });
    }
    const also = refused.length ? ` (not used: ${refused.map(messageOf).join('; ')})` : '';
    throw new OperationalError(
      `endpoint ${index}: no location could serve it (tried ${tried.join(', ')}): ${messageOf(lastError)}${also}`,
      {
        grpcCode: (lastError as FlightSQLError | undefined)?.grpcCode ?? Status.UNAVAILABLE,
        cause: lastError,
      },
    );
  }

  /** The places to try for an endpoint, in order. */
  #targets(endpoint: FlightEndpoint): Target[] {
    const home: Target = { home: true, uri: this.#home.location };
    if (endpoint.locations.length === 0) return [home];
    return endpoint.locations.map(({ uri }) =>
      isReuseConnection(uri) || this.#isOrigin(uri) ? home : { home: false, uri },
    );
  }

  /** True when `uri` names the home client's own origin (same TLS, host and port). */
  #isOrigin(uri: string): boolean {
    try {
      return isOrigin(this.#scope.origin, parseLocation(uri));
    } catch {
      return false;
    }
  }

  /**
   * The client of a location: opened on first use, then reused for every endpoint there. The
   * credential rule is checked first, so a refused location never sees a connection attempt.
   */
  #clientFor(uri: string): FlightClient {
    if (this.#stopped) throw closedError('FlightInfoReader');
    let client = this.#clients.get(uri);
    if (!client) {
      checkCredentialScope(uri, this.#scope);
      client = this.#connect(uri);
      this.#clients.set(uri, client);
    }
    return client;
  }

  /** The user's AbortSignal stops the reader (and so every DoGet). */
  #linkUserSignal(): void {
    const signal = this.#userSignal;
    if (!signal) return;
    if (signal.aborted) {
      this.#controller.abort(signal.reason);
      return;
    }
    this.#onUserAbort = () => this.#controller.abort(signal.reason);
    signal.addEventListener('abort', this.#onUserAbort, { once: true });
  }

  /** Cancels everything still open and closes the clients this reader opened. Once. */
  #stop(reason: unknown): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#stopped = true;
    if (this.#onUserAbort) this.#userSignal?.removeEventListener('abort', this.#onUserAbort);
    this.#onUserAbort = undefined;
    for (const reader of this.#readers) reader.cancel(reason);
    this.#readers.clear();
    this.#trace?.stop(reason);
    if (!this.#controller.signal.aborted) this.#controller.abort(reason);
    const clients = [...this.#clients.values()];
    this.#clients.clear();
    this.#closing = Promise.all(clients.map((client) => client.close())).then(() => undefined);
    return this.#closing;
  }
}

/** The next batch of a stream (messages with only app_metadata are skipped); null at the end. */
async function nextBatch(reader: FlightStreamReader): Promise<RecordBatch | null> {
  for (;;) {
    const chunk = await reader.readChunk();
    if (chunk === null) return null;
    if (chunk.data) return chunk.data;
  }
}

function checkExpiration(endpoint: FlightEndpoint, index: number): void {
  const expires = endpoint.expirationTime;
  if (expires && expires.getTime() <= Date.now()) {
    throw new ProgrammingError(
      `endpoint ${index} expired at ${expires.toISOString()}: its ticket can no longer be redeemed (get a new FlightInfo)`,
    );
  }
}

function isUnavailable(err: unknown): boolean {
  return err instanceof OperationalError && err.grpcCode === Status.UNAVAILABLE;
}

function isReuseConnection(uri: string): boolean {
  const text = uri.trim();
  return text === REUSE_CONNECTION || /^arrow-flight-reuse-connection:/i.test(text);
}

function skipsVerification(tls: boolean | TlsOptions | undefined): boolean {
  return typeof tls === 'object' && tls.disableCertificateVerification === true;
}

/**
 * The default `connect`: a FlightClient with `options` (auth, headers, timeouts), TLS as the
 * location's scheme says; a TLS location keeps the custom roots and client certificate of
 * `options.tls` but not its `serverName`, which names one host.
 */
function defaultConnect(options: FlightClientOptions = {}): (uri: string) => FlightClient {
  return (uri) => {
    const tls = parseLocation(uri).tls;
    const tlsOptions =
      tls && typeof options.tls === 'object' ? { ...options.tls, serverName: undefined } : tls;
    return new FlightClient(uri, { ...options, tls: tlsOptions });
  };
}
