/**
 * The per-call plumbing of FlightClient: deadline, AbortSignal wiring, header and trailer
 * callbacks, cookies, and the mapping of whatever the call fails with to a flightsql error.
 */
import type { CallOptions as GrpcCallOptions, Metadata } from '@grpc/grpc-js';
import { metadataToObject, toError, type Error as FlightSQLError } from '../errors';
import { callAbortedError, type CallErrorMapper } from './callErrors';
import { checkIdleTimeout } from './channelOptions';
import type { CookieJar } from './cookies';
import type { CallOptions } from './clientOptions';
import { FlightStreamReader, type ReadableCall } from './FlightStreamReader';

/** The part of a grpc-js call that the context wires up. */
interface Call {
  cancel(): void;
  on(event: 'metadata', listener: (metadata: Metadata) => void): unknown;
  on(event: 'status', listener: (status: { metadata: Metadata }) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

/** One call's setup. Create it, start the call with `metadata` and `callOptions`, then `attach` it. */
export class CallContext {
  readonly metadata: Metadata;
  readonly callOptions: GrpcCallOptions;
  readonly #context: string;
  readonly #where: string;
  readonly #options: CallOptions;
  readonly #cookies: CookieJar | undefined;
  readonly #active: Set<{ cancel(): void }> | undefined;
  #call: Call | undefined;
  /** Set once the caller's AbortSignal fired: what the signal gave as its reason. */
  #abort: { reason: unknown } | undefined;
  #inputError: unknown;
  #onAbort: (() => void) | undefined;
  #reader: FlightStreamReader | undefined;
  readonly #idleTimeoutMs: number | undefined;
  readonly #mapError: CallErrorMapper;

  /**
   * `context` names the RPC (e.g. `DoGet`); errors also name `location`. The client passes its
   * default timeouts, its cookie jar, its set of calls in flight (which `close()` cancels) and
   * the error mapper of its channel.
   */
  constructor(
    context: string,
    location: string,
    metadata: Metadata,
    options: CallOptions,
    client: {
      defaultTimeoutMs?: number;
      defaultIdleTimeoutMs?: number;
      cookies?: CookieJar;
      active?: Set<{ cancel(): void }>;
      mapError?: CallErrorMapper;
    } = {},
  ) {
    this.#context = context;
    this.#where = `${context} ${location}`;
    this.metadata = metadata;
    this.#options = options;
    this.#cookies = client.cookies;
    this.#active = client.active;
    const timeoutMs = options.timeoutMs ?? client.defaultTimeoutMs;
    this.callOptions = timeoutMs === undefined ? {} : { deadline: Date.now() + timeoutMs };
    this.#idleTimeoutMs = checkIdleTimeout(options.idleTimeoutMs ?? client.defaultIdleTimeoutMs);
    this.#mapError = client.mapError ?? toError;
  }

  /** Wires a started call: headers, trailers, cookies, and the AbortSignal. */
  attach(call: Call): void {
    const options = this.#options;
    this.#call = call;
    this.#active?.add(call);
    // grpc-js emits 'error' on a streaming call that fails or is cancelled, even when nobody
    // reads it any more (an abandoned Handshake, a call close() cancels, a stream left early):
    // without a listener for the call's whole life, that event would crash the process. The
    // failure itself reaches the caller through the read, the callback or the reader.
    call.on('error', ignore);
    call.on('metadata', (md: Metadata) => {
      this.#cookies?.store(md.get('set-cookie'));
      options.onHeaders?.(metadataToObject(md));
    });
    const onTrailers = options.onTrailers;
    if (onTrailers) call.on('status', (status) => onTrailers(metadataToObject(status.metadata)));
    const signal = options.signal;
    if (!signal) return;
    this.#onAbort = () => {
      this.#abort = { reason: signal.reason };
      // The reader's reads reject with the AbortError itself (FlightStreamReader.cancel).
      if (this.#reader) this.#reader.cancel(callAbortedError(this.#context, signal.reason));
      else call.cancel();
    };
    if (signal.aborted) this.#onAbort();
    else signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** Releases the AbortSignal listener (call once the call has ended). */
  done(): void {
    if (this.#onAbort) this.#options.signal?.removeEventListener('abort', this.#onAbort);
    this.#onAbort = undefined;
    if (this.#call) this.#active?.delete(this.#call);
  }

  /**
   * Ends the call because of the caller's own failure (e.g. the batches it was uploading
   * threw): that error, not the resulting cancellation, is what the call reports.
   */
  fail(err: unknown): void {
    this.#inputError ??= err;
    if (this.#reader) this.#reader.cancel(err);
    else this.#call?.cancel();
  }

  /** The flightsql error for a failure of this call (an AbortError when the signal fired). */
  error(err: unknown): FlightSQLError {
    if (this.#inputError !== undefined) return toError(this.#inputError, this.#where);
    if (this.#abort) return callAbortedError(this.#context, this.#abort.reason);
    return this.#mapError(err, this.#where);
  }

  /** Attaches a streaming call and opens its reader (resolves once the schema has arrived). */
  async openReader(
    call: ReadableCall & Call,
    { requireSchema = false }: { requireSchema?: boolean } = {},
  ): Promise<FlightStreamReader> {
    this.attach(call);
    try {
      this.#reader = await FlightStreamReader.open(call, this.#where, {
        requireSchema,
        onFinish: () => this.done(),
        idleTimeoutMs: this.#idleTimeoutMs,
        mapError: this.#mapError,
      });
      if (this.#abort) this.#reader.cancel(callAbortedError(this.#context, this.#abort.reason));
      return this.#reader;
    } catch (err) {
      this.done();
      throw this.error(err);
    }
  }
}

function ignore(): void {}
