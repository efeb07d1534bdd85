/**
 * The options of a FlightClient and of its calls, and what listActions returns: the types
 * the client's users write, apart from the client's code.
 */
import type { ChannelOptions } from '@grpc/grpc-js';
import type { TlsOptions } from './options';

/** Options of one call. */
export interface CallOptions {
  /**
   * Aborting cancels the call; the pending promise or read rejects with an AbortError (an
   * OperationalError named 'AbortError', code `ABORT_ERR`) whose cause is the signal's reason.
   */
  readonly signal?: AbortSignal;
  /** Deadline of the call in milliseconds (the whole stream, for streaming calls). */
  readonly timeoutMs?: number;
  /**
   * For DoGet and DoExchange streams: the longest wait for the next message, in milliseconds.
   * Unlike `timeoutMs`, a long stream that keeps sending never hits it. Default: the client's.
   */
  readonly idleTimeoutMs?: number;
  /** Extra headers for this call (override the client's). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Receives the response headers. */
  readonly onHeaders?: (headers: Record<string, string | string[]>) => void;
  /** Receives the trailing metadata when the call ends. */
  readonly onTrailers?: (trailers: Record<string, string | string[]>) => void;
}

/** How a FlightClient connects and authenticates. */
export interface FlightClientOptions {
  /**
   * TLS: `true` for system roots, an object for a custom CA / client certificate, `false` for
   * plaintext. Defaults to what the location's scheme says.
   */
  readonly tls?: boolean | TlsOptions;
  /** Bearer token sent as `authorization: Bearer <token>`. */
  readonly token?: string;
  /** With `password`: basic-auth Handshake on first use; the token the server returns is kept. */
  readonly username?: string;
  /** Password of `username` (never printed, logged or put in error messages). */
  readonly password?: string;
  /** Headers sent with every call (e.g. `database`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Default deadline of each call in milliseconds (none by default). */
  readonly timeoutMs?: number;
  /**
   * Default longest wait for the next message of a DoGet or DoExchange stream, in milliseconds
   * (none by default; keepalive still catches a dead connection).
   */
  readonly idleTimeoutMs?: number;
  /**
   * Largest message accepted from the server, in bytes: 256 MiB by default
   * (`DEFAULT_MAX_RECEIVE_MESSAGE_BYTES`), `-1` for no limit. A larger message fails the call
   * with a ProtocolError before it is buffered.
   */
  readonly maxReceiveMessageBytes?: number;
  /**
   * HTTP/2 keepalive ping interval while calls run, in milliseconds: 5 minutes by default
   * (`DEFAULT_KEEPALIVE_TIME_MS`, what gRPC servers accept by default), `-1` for none.
   */
  readonly keepaliveTimeMs?: number;
  /** How long a keepalive ping may go unanswered before the connection is dropped (default 20 s). */
  readonly keepaliveTimeoutMs?: number;
  /** Keep cookies the server sets and send them back (default true; Flight SQL sessions need it). */
  readonly cookies?: boolean;
  /** Extra grpc-js channel options (they win over the settings above). */
  readonly channelOptions?: ChannelOptions;
}

/** An action the server supports. */
export interface ActionType {
  /** The action's name, as `doAction` takes it. */
  readonly type: string;
  /** What the action does, in the server's words. */
  readonly description: string;
}
