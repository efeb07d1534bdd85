/**
 * The grpc-js channel settings of a FlightClient: message size limit, HTTP/2 keepalive and
 * flow control, with the defaults in one place and the reasons beside them.
 */
import type { ChannelOptions } from '@grpc/grpc-js';
import { ProgrammingError } from '../errors';
import type { TlsOptions } from './options';

/**
 * Largest message the client accepts by default: 256 MiB. Servers built on arrow-rs (InfluxDB 3,
 * DataFusion) and this package's own server send messages of about 2 MiB. Servers that send
 * record batches whole send much more: arrow-flight-sql-postgresql puts up to 1 Mi rows in one
 * message (72 MB for ten numeric columns), and Doris sends more than the 16 MiB that ADBC accepts
 * by default. 256 MiB holds a 1 Mi-row batch of 256 bytes a row. Because grpc-js checks the declared
 * length before it buffers anything, a server that declares 2 GB is stopped at the first 5 bytes.
 * One open stream holds at most about three messages: one being received, and two waiting for
 * the reader.
 */
export const DEFAULT_MAX_RECEIVE_MESSAGE_BYTES = 256 * 1024 * 1024;

/**
 * Interval of HTTP/2 keepalive pings while calls are running: 5 minutes. gRPC servers in C++
 * (`GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS`), Go (`EnforcementPolicy.MinTime`)
 * and Java (`permitKeepAliveTime`) all accept one ping per 5 minutes by default. They count a
 * strike for each more frequent ping that comes while they send nothing, and after three
 * strikes they close the connection with GOAWAY ENHANCE_YOUR_CALM (`too_many_pings`). A server
 * that spends ten minutes planning a query sends nothing in that time, so a shorter interval
 * would end such calls. Rust servers (tonic/h2, such as InfluxDB 3) and grpc-js servers do not
 * limit pings. If you run your own server with a lower limit, set a lower interval.
 */
export const DEFAULT_KEEPALIVE_TIME_MS = 5 * 60 * 1000;

/** How long a keepalive ping may go unanswered before the connection counts as dead (gRPC's 20 s). */
export const DEFAULT_KEEPALIVE_TIMEOUT_MS = 20_000;

/** HTTP/2 receive window per connection and stream (overridable with `channelOptions`). */
export const DEFAULT_FLOW_CONTROL_WINDOW = 8 * 1024 * 1024;

/** The channel settings a FlightClient takes. */
export interface ChannelSettings {
  /**
   * Largest message accepted from the server, in bytes (default 256 MiB,
   * `DEFAULT_MAX_RECEIVE_MESSAGE_BYTES`); `-1` for no limit. A larger message fails the call
   * with a ProtocolError before it is buffered.
   */
  readonly maxReceiveMessageBytes?: number;
  /**
   * Interval of HTTP/2 keepalive pings while calls run, in milliseconds (default 5 minutes,
   * `DEFAULT_KEEPALIVE_TIME_MS`); `-1` turns keepalive off. No pings are sent on an idle connection.
   */
  readonly keepaliveTimeMs?: number;
  /** How long a ping may go unanswered before the connection is dropped (default 20 s). */
  readonly keepaliveTimeoutMs?: number;
  /** TLS settings (for `serverName`). */
  readonly tls?: boolean | TlsOptions;
  /** Extra grpc-js channel options; they win over everything above. */
  readonly channelOptions?: ChannelOptions;
}

/** The limits in force on a channel, used to explain errors. */
export interface ChannelLimits {
  /** Largest message the channel accepts, in bytes. */
  readonly maxReceiveMessageBytes: number;
  /** HTTP/2 keepalive ping interval, in milliseconds. */
  readonly keepaliveTimeMs: number;
  /** How long a keepalive ping may go unanswered, in milliseconds. */
  readonly keepaliveTimeoutMs: number;
}

/** The grpc-js channel options of a client, and the limits they set. */
export function channelOptionsFor(settings: ChannelSettings): {
  options: ChannelOptions;
  limits: ChannelLimits;
} {
  const maxReceive = sizeSetting('maxReceiveMessageBytes', settings.maxReceiveMessageBytes);
  const keepaliveTime = msSetting(
    'keepaliveTimeMs',
    settings.keepaliveTimeMs,
    DEFAULT_KEEPALIVE_TIME_MS,
    true,
  );
  const keepaliveTimeout = msSetting(
    'keepaliveTimeoutMs',
    settings.keepaliveTimeoutMs,
    DEFAULT_KEEPALIVE_TIMEOUT_MS,
    false,
  );
  const serverName = typeof settings.tls === 'object' ? settings.tls.serverName : undefined;
  const options: ChannelOptions = {
    'grpc.max_receive_message_length': maxReceive,
    // Outgoing batches are split near 2 MiB (encode.ts); the server's own limit decides the rest.
    'grpc.max_send_message_length': -1,
    'grpc.keepalive_time_ms': keepaliveTime,
    'grpc.keepalive_timeout_ms': keepaliveTimeout,
    // Pings only while calls run: servers punish pings on an idle connection (2 h minimum).
    'grpc.keepalive_permit_without_calls': 0,
    // HTTP/2's 64 KiB default window stalls a fast stream on every round trip; a few
    // messages' worth keeps the pipe full while memory stays bounded.
    'grpc-node.flow_control_window': DEFAULT_FLOW_CONTROL_WINDOW,
    ...(serverName
      ? { 'grpc.ssl_target_name_override': serverName, 'grpc.default_authority': serverName }
      : {}),
    ...settings.channelOptions,
  };
  const limits: ChannelLimits = {
    maxReceiveMessageBytes: numberOr(options['grpc.max_receive_message_length'], maxReceive),
    keepaliveTimeMs: numberOr(options['grpc.keepalive_time_ms'], keepaliveTime),
    keepaliveTimeoutMs: numberOr(options['grpc.keepalive_timeout_ms'], keepaliveTimeout),
  };
  return { options, limits };
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

function sizeSetting(name: string, value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_RECEIVE_MESSAGE_BYTES;
  if (value === -1 || (Number.isInteger(value) && value > 0 && value <= 0xffffffff)) return value;
  throw new ProgrammingError(
    `${name} must be a positive whole number of bytes, or -1 for no limit, not ${value}`,
  );
}

function msSetting(name: string, value: number | undefined, fallback: number, canDisable: boolean): number {
  if (value === undefined) return fallback;
  if (canDisable && value === -1) return -1;
  if (Number.isInteger(value) && value > 0 && value <= 0x7fffffff) return value;
  throw new ProgrammingError(
    `${name} must be a positive whole number of milliseconds${canDisable ? ', or -1 for none' : ''}, not ${value}`,
  );
}

/** Checks an idle timeout option (`idleTimeoutMs`): undefined or a positive number of milliseconds. */
export function checkIdleTimeout(value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (Number.isFinite(value) && value > 0 && value <= 0x7fffffff) return value;
  throw new ProgrammingError(`idleTimeoutMs must be a positive number of milliseconds, not ${value}`);
}
