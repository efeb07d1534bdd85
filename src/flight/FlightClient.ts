/**
 * Arrow Flight over @grpc/grpc-js: one method per FlightService RPC, and one private `#setup`
 * that merges headers, auth, cookies, deadline and AbortSignal into a CallContext.
 */
import { Client, Metadata, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import type { Schema } from 'apache-arrow';
import { traceConnect, traceConnection, traceDoGet, type ConnectionKind } from '../diagnostics';
import { closedError, InterfaceError, messageOf, registerSecret, toError } from '../errors';
import * as pb from '../proto/Flight';
import { CallContext } from './CallContext';
import { callAbortedError, callErrorMapper, type CallErrorMapper } from './callErrors';
import { channelOptionsFor, checkIdleTimeout, type ChannelLimits } from './channelOptions';
import { CookieJar } from './cookies';
import {
  ALIGN_BODY_HEADER,
  decodeFlightData,
  encodeFlightData,
  type OutgoingFlightData,
  type RawFlightData,
} from './flightData';
import type { FlightStreamReader } from './FlightStreamReader';
import type { ActionType, CallOptions, FlightClientOptions } from './clientOptions';
import { channelCredentials } from './credentials';
import { locationUri, parseLocation, type Endpoint } from './options';
import {
  decodeSchema,
  descriptorToProto,
  flightInfoFromProto,
  pollInfoFromProto,
  type FlightDescriptor,
  type FlightInfo,
  type PollInfo,
  type Ticket,
} from './types';
import { writeBatches, WriteStopped, type BatchSource } from './writeBatches';

export type { BatchSource } from './writeBatches';
export {
  DEFAULT_FLOW_CONTROL_WINDOW,
  DEFAULT_KEEPALIVE_TIME_MS,
  DEFAULT_KEEPALIVE_TIMEOUT_MS,
  DEFAULT_MAX_RECEIVE_MESSAGE_BYTES,
} from './channelOptions';

export type { ActionType, CallOptions, FlightClientOptions } from './clientOptions';

const FLIGHT_SERVICE = pb.FlightServiceService;

type AuthState =
  | { kind: 'none' }
  | { kind: 'bearer'; token: string }
  | { kind: 'token-bin'; token: Uint8Array }
  | { kind: 'basic'; username: string; password: string };

/** An Arrow Flight client for one location. */
export class FlightClient implements AsyncDisposable {
  readonly #endpoint: Endpoint;
  readonly #client: Client;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #timeoutMs: number | undefined;
  readonly #idleTimeoutMs: number | undefined;
  readonly #limits: ChannelLimits;
  readonly #mapError: CallErrorMapper;
  readonly #cookies: CookieJar | undefined;
  #auth: AuthState;
  #handshake: Promise<void> | undefined;
  /** Calls in flight, cancelled by close(). */
  readonly #active = new Set<{ cancel(): void }>();
  #closed = false;

  constructor(location: string, options: FlightClientOptions = {}) {
    const parsed = parseLocation(location, options.tls !== undefined && options.tls !== false);
    const tls = options.tls === undefined ? parsed.tls : options.tls !== false;
    this.#endpoint = { ...parsed, tls };
    const tlsOptions = typeof options.tls === 'object' ? options.tls : {};
    const channel = channelOptionsFor(options);
    this.#limits = channel.limits;
    this.#mapError = callErrorMapper(channel.limits);
    this.#idleTimeoutMs = checkIdleTimeout(options.idleTimeoutMs);
    this.#client = traceConnect(this.#traceContext('connect'), () => {
      return new Client(this.#endpoint.address, channelCredentials(tls, tlsOptions), channel.options);
    });
    this.#headers = { ...options.headers };
    this.#timeoutMs = options.timeoutMs;
    this.#cookies = options.cookies === false ? undefined : new CookieJar();
    registerSecret(options.token);
    registerSecret(options.password);
    if (options.token) this.#auth = { kind: 'bearer', token: options.token };
    else if (options.username !== undefined && options.password !== undefined) {
      this.#auth = { kind: 'basic', username: options.username, password: options.password };
    } else this.#auth = { kind: 'none' };
  }

  /** The location this client talks to, as a URI. */
  get location(): string {
    return locationUri(this.#endpoint);
  }

  /** The message size limit and keepalive settings in force on this client's channel. */
  get limits(): ChannelLimits {
    return this.#limits;
  }

  /**
   * Basic-auth Handshake: sends the credentials (as an `authorization: Basic` header and as a
   * BasicAuth payload) and keeps the token the server returns: an `authorization: Bearer`
   * response header or, in the older convention, the HandshakeResponse payload (then sent back
   * as `auth-token-bin`).
   */
  async authenticateBasicToken(username: string, password: string, options: CallOptions = {}): Promise<void> {
    registerSecret(password);
    await traceConnection(this.#traceContext('handshake'), () =>
      this.#basicAuth(username, password, options),
    );
  }

  async #basicAuth(username: string, password: string, options: CallOptions): Promise<void> {
    const basic = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    const payload = Buffer.from(pb.BasicAuth.encode({ username, password }).finish());
    const { responses, bearer } = await this.#handshakeCall([{ protocolVersion: 0n, payload }], options, {
      authorization: basic,
    });
    const tokenBytes = responses.findLast((r) => r.payload.byteLength > 0)?.payload;
    if (bearer) {
      registerSecret(bearer);
      this.#auth = { kind: 'bearer', token: bearer };
    } else if (tokenBytes) {
      registerSecret(Buffer.from(tokenBytes).toString());
      this.#auth = { kind: 'token-bin', token: tokenBytes };
    } else {
      this.#auth = { kind: 'none' };
    }
  }

  /** Sends a Handshake with custom requests and returns the server's responses. */
  async handshake(
    requests: readonly pb.HandshakeRequest[],
    options: CallOptions = {},
  ): Promise<pb.HandshakeResponse[]> {
    if (!Array.isArray(requests)) {
      throw new InterfaceError('handshake(requests): requests must be an array of HandshakeRequest');
    }
    await this.#ready(options);
    return (await this.#handshakeCall(requests, options)).responses;
  }

  async #handshakeCall(
    requests: readonly pb.HandshakeRequest[],
    options: CallOptions,
    headers?: Record<string, string>,
  ): Promise<{ responses: pb.HandshakeResponse[]; bearer?: string }> {
    // Serialized before the call starts: a request grpc-js fails to serialize mid-call leaves
    // its HTTP/2 stream open, and the process could not exit.
    let payloads: Buffer[];
    try {
      payloads = requests.map((request) => Buffer.from(pb.HandshakeRequest.encode(request).finish()));
    } catch (err) {
      throw new InterfaceError(`Handshake: a request cannot be serialized: ${messageOf(err)}`, {
        cause: err,
      });
    }
    const setup = this.#setup('Handshake', options, headers);
    const call = this.#client.makeBidiStreamRequest(
      FLIGHT_SERVICE.handshake.path,
      (payload: Buffer) => payload,
      FLIGHT_SERVICE.handshake.responseDeserialize,
      setup.metadata,
      setup.callOptions,
    ) as ClientDuplexStream<Buffer, pb.HandshakeResponse>;
    setup.attach(call);
    let bearer: string | undefined;
    call.on('metadata', (md: Metadata) => {
      const value = md.get('authorization')[0];
      if (typeof value === 'string' && /^bearer /i.test(value)) bearer = value.slice(7).trim();
    });
    for (const payload of payloads) call.write(payload);
    call.end();
    const responses: pb.HandshakeResponse[] = [];
    try {
      for await (const response of call as AsyncIterable<pb.HandshakeResponse>) responses.push(response);
    } catch (err) {
      throw setup.error(err);
    } finally {
      setup.done();
    }
    return { responses, bearer };
  }

  /** ListFlights: the flights the server offers, filtered by opaque `criteria`. */
  async *listFlights(
    criteria: Uint8Array = new Uint8Array(0),
    options: CallOptions = {},
  ): AsyncGenerator<FlightInfo> {
    for await (const info of this.#serverStream(
      'listFlights',
      { expression: Buffer.from(criteria) },
      options,
    )) {
      yield flightInfoFromProto(info as pb.FlightInfo);
    }
  }

  /** GetFlightInfo: how to fetch the result of `descriptor`. */
  async getFlightInfo(descriptor: FlightDescriptor, options: CallOptions = {}): Promise<FlightInfo> {
    const info = await this.#unary<pb.FlightInfo>('getFlightInfo', descriptorToProto(descriptor), options);
    return flightInfoFromProto(info);
  }

  /** PollFlightInfo: starts or continues a long-running query. */
  async pollFlightInfo(descriptor: FlightDescriptor, options: CallOptions = {}): Promise<PollInfo> {
    const poll = await this.#unary<pb.PollInfo>('pollFlightInfo', descriptorToProto(descriptor), options);
    return pollInfoFromProto(poll);
  }

  /** GetSchema: the schema of the result of `descriptor`, without running it. */
  async getSchema(descriptor: FlightDescriptor, options: CallOptions = {}): Promise<Schema> {
    const result = await this.#unary<pb.SchemaResult>('getSchema', descriptorToProto(descriptor), options);
    return decodeSchema(result.schema);
  }

  /** DoGet: opens the stream of `ticket`; resolves once its schema has arrived. */
  async doGet(ticket: Ticket, options: CallOptions = {}): Promise<FlightStreamReader> {
    await this.#ready(options);
    const setup = this.#setup('DoGet', options, undefined, true);
    const call = this.#client.makeServerStreamRequest(
      FLIGHT_SERVICE.doGet.path,
      FLIGHT_SERVICE.doGet.requestSerialize,
      decodeFlightData,
      { ticket: Buffer.from(ticket.ticket) },
      setup.metadata,
      setup.callOptions,
    );
    // A DoGet stream is an IPC stream: it starts with a Schema (DoExchange may carry only metadata).
    return traceDoGet(ticket, setup.openReader(call, { requireSchema: true }));
  }

  /**
   * DoPut: uploads `batches` for `descriptor` and returns the app_metadata of each PutResult.
   * Writes wait for the transport (backpressure). If reading `batches` throws, the call is
   * cancelled and that error wins over the server's.
   */
  async doPut(
    descriptor: FlightDescriptor,
    batches: BatchSource,
    options: CallOptions & { schema?: Schema } = {},
  ): Promise<Uint8Array[]> {
    await this.#ready(options);
    const setup = this.#setup('DoPut', options);
    const call = this.#client.makeBidiStreamRequest(
      FLIGHT_SERVICE.doPut.path,
      encodeFlightData,
      FLIGHT_SERVICE.doPut.responseDeserialize,
      setup.metadata,
      setup.callOptions,
    ) as ClientDuplexStream<OutgoingFlightData, pb.PutResult>;
    setup.attach(call);
    const results: Uint8Array[] = [];
    const responses = (async () => {
      for await (const result of call as AsyncIterable<pb.PutResult>) results.push(result.appMetadata);
    })();
    responses.catch(() => undefined);
    try {
      await writeBatches(call, descriptorToProto(descriptor), batches, options.schema);
    } catch (err) {
      if (err instanceof WriteStopped) {
        // The server ended the call while we wrote: its status is the error to report.
      } else {
        call.cancel();
        setup.done();
        throw toError(err, 'DoPut');
      }
    }
    try {
      await responses;
    } catch (err) {
      throw setup.error(err);
    } finally {
      setup.done();
    }
    return results;
  }

  /**
   * DoExchange: sends `batches` and reads the server's stream at the same time. Resolves to the
   * reader once the server's schema arrived (servers that answer only after the upload must
   * still send their schema first, per the Flight spec's DoExchange example).
   */
  async doExchange(
    descriptor: FlightDescriptor,
    batches: BatchSource,
    options: CallOptions & { schema?: Schema } = {},
  ): Promise<FlightStreamReader> {
    await this.#ready(options);
    const setup = this.#setup('DoExchange', options);
    const call = this.#client.makeBidiStreamRequest(
      FLIGHT_SERVICE.doExchange.path,
      encodeFlightData,
      decodeFlightData,
      setup.metadata,
      setup.callOptions,
    ) as ClientDuplexStream<OutgoingFlightData, RawFlightData>;
    writeBatches(call, descriptorToProto(descriptor), batches, options.schema).catch((err: unknown) => {
      // The caller's input error wins over the cancellation it causes.
      if (!(err instanceof WriteStopped)) setup.fail(err);
    });
    return setup.openReader(call);
  }

  /** DoAction: runs `type` with `body` and yields the body of each Result. */
  async *doAction(
    type: string,
    body: Uint8Array = new Uint8Array(0),
    options: CallOptions = {},
  ): AsyncGenerator<Uint8Array> {
    for await (const result of this.#serverStream('doAction', { type, body: Buffer.from(body) }, options)) {
      yield (result as pb.Result).body;
    }
  }

  /** ListActions: the actions the server supports. */
  async listActions(options: CallOptions = {}): Promise<ActionType[]> {
    const out: ActionType[] = [];
    for await (const action of this.#serverStream('listActions', {}, options)) {
      const { type, description } = action as pb.ActionType;
      out.push({ type, description });
    }
    return out;
  }

  /** Closes the channel. Calls in flight are cancelled. A second close is a no-op. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await traceConnection(this.#traceContext('close'), async () => {
      // grpc-js's close() leaves started calls running: cancel them (their readers then fail).
      for (const call of this.#active) call.cancel();
      this.#client.close();
    });
  }

  /** What `flightsql:connection` publishes: the location, never the credentials. */
  #traceContext(kind: ConnectionKind) {
    return () => ({
      kind,
      server: this.location,
      tls: this.#endpoint.tls,
      ...(kind === 'close' && { activeCalls: this.#active.size }),
    });
  }

  /** Closes the client: `await using client = new FlightClient(…)` closes it at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #ready(options: CallOptions): Promise<void> {
    if (this.#closed) throw closedError('FlightClient');
    if (this.#auth.kind !== 'basic') return;
    const { username, password } = this.#auth;
    // One Handshake shared by every waiting call, so it runs with the client's own settings;
    // each caller still stops waiting when its own signal aborts.
    if (!this.#handshake) {
      this.#handshake = this.authenticateBasicToken(username, password).catch((err: unknown) => {
        this.#handshake = undefined;
        throw err;
      });
      // Every waiter sees the failure; a Handshake nobody waits for any more must not leave an
      // unhandled rejection behind.
      this.#handshake.catch(() => undefined);
    }
    await abortable(this.#handshake, options.signal, 'Handshake');
  }

  async #unary<T>(
    method: 'getFlightInfo' | 'pollFlightInfo' | 'getSchema',
    request: unknown,
    options: CallOptions,
  ): Promise<T> {
    await this.#ready(options);
    const def = FLIGHT_SERVICE[method];
    const setup = this.#setup(def.path.slice(def.path.lastIndexOf('/') + 1), options);
    return new Promise<T>((resolve, reject) => {
      const call = this.#client.makeUnaryRequest(
        def.path,
        def.requestSerialize as (value: unknown) => Buffer,
        def.responseDeserialize,
        request,
        setup.metadata,
        setup.callOptions,
        (err: ServiceError | null, value?: unknown) => {
          setup.done();
          if (err) reject(setup.error(err));
          else resolve(value as T);
        },
      );
      setup.attach(call);
    });
  }

  async *#serverStream(
    method: 'listFlights' | 'doAction' | 'listActions',
    request: unknown,
    options: CallOptions,
  ): AsyncGenerator<unknown> {
    await this.#ready(options);
    const def = FLIGHT_SERVICE[method];
    const setup = this.#setup(def.path.slice(def.path.lastIndexOf('/') + 1), options);
    const call = this.#client.makeServerStreamRequest(
      def.path,
      def.requestSerialize as (value: unknown) => Buffer,
      def.responseDeserialize as (value: Buffer) => unknown,
      request,
      setup.metadata,
      setup.callOptions,
    );
    setup.attach(call);
    let finished = false;
    try {
      for await (const message of call) yield message;
      finished = true;
    } catch (err) {
      finished = true;
      throw setup.error(err);
    } finally {
      if (!finished) call.cancel();
      setup.done();
    }
  }

  /** Everything a call needs: headers (auth, cookies), deadline, abort wiring, error mapping. */
  #setup(
    context: string,
    options: CallOptions,
    extraHeaders?: Record<string, string>,
    alignBody = false,
  ): CallContext {
    const metadata = new Metadata();
    try {
      for (const [key, value] of Object.entries(this.#headers)) metadata.set(key.toLowerCase(), value);
      for (const [key, value] of Object.entries(options.headers ?? {}))
        metadata.set(key.toLowerCase(), value);
      if (extraHeaders) for (const [key, value] of Object.entries(extraHeaders)) metadata.set(key, value);
      else if (this.#auth.kind === 'bearer') metadata.set('authorization', `Bearer ${this.#auth.token}`);
      else if (this.#auth.kind === 'token-bin') metadata.set('auth-token-bin', Buffer.from(this.#auth.token));
      const cookie = this.#cookies?.header();
      if (cookie) metadata.set('cookie', cookie);
      // grpc-js hands us each message in an 8-aligned frame: ask for bodies that land aligned.
      if (alignBody) metadata.set(ALIGN_BODY_HEADER, '1');
    } catch (err) {
      // e.g. a header value with a character HTTP/2 refuses: never let the raw text (a token) out.
      throw toError(err, context);
    }
    return new CallContext(context, this.location, metadata, options, {
      defaultTimeoutMs: this.#timeoutMs,
      defaultIdleTimeoutMs: this.#idleTimeoutMs,
      cookies: this.#cookies,
      active: this.#active,
      mapError: this.#mapError,
    });
  }
}

/** Waits for `promise`, or rejects with an AbortError as soon as `signal` aborts. */
async function abortable<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  context: string,
): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) throw callAbortedError(context, signal.reason);
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(callAbortedError(context, signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
