/**
 * What a failed call means on this client's channel. The size limit and keepalive are client
 * settings, so their failures say which option is involved; a call the caller's AbortSignal
 * stopped is an AbortError. Everything else goes to `toError` (errors.ts).
 */
import { status as Status } from '@grpc/grpc-js';
import {
  abortError,
  OperationalError,
  ProtocolError,
  toError,
  type AbortError,
  type Error as FlightSQLError,
} from '../errors';
import type { ChannelLimits } from './channelOptions';

/** Maps whatever a call failed with to a flightsql error, naming the client option involved. */
export type CallErrorMapper = (err: unknown, context: string) => FlightSQLError;

// grpc-js's own words when the declared length (or the inflated size) passes the limit.
const tooLarge = /^Received message larger than max \((\d+) vs (\d+)\)$/;
const inflatedTooLarge = /^Received message that decompresses to a size larger than (\d+)$/;

/**
 * The error of a call (`context`, e.g. `DoGet`) that the caller's AbortSignal stopped: an
 * AbortError whose cause is the signal's `reason`, with the gRPC CANCELLED code of the call.
 */
export function callAbortedError(context: string, reason: unknown): AbortError {
  return abortError(reason, context, { grpcCode: Status.CANCELLED });
}

/** The error mapper of a channel with `limits`. */
export function callErrorMapper(limits: ChannelLimits): CallErrorMapper {
  return (err, context) => {
    const status = statusOf(err);
    if (status?.code === Status.RESOURCE_EXHAUSTED) {
      const limited = messageLimitError(status.details, limits, context);
      if (limited) return limited;
    }
    if (status?.code === Status.UNAVAILABLE && status.details === 'Connection dropped') {
      return connectionDropped(limits, context, err);
    }
    return toError(err, context);
  };
}

/**
 * A message above our own limit is a ProtocolError, as DESIGN.md says of every size limit on
 * untrusted input. It is not an OperationalError: the server did what it meant to do, so a
 * retry fails the same way. Only raising the limit helps. The server's own RESOURCE_EXHAUSTED
 * (for example, its receive limit on our upload) names its limit, not ours, and is mapped
 * as usual.
 */
function messageLimitError(
  details: string,
  limits: ChannelLimits,
  context: string,
): ProtocolError | undefined {
  const limit = limits.maxReceiveMessageBytes;
  let size: string;
  const declared = tooLarge.exec(details);
  if (declared && Number(declared[2]) === limit) size = `a message of ${declared[1]} bytes`;
  else if (inflatedTooLarge.exec(details)?.[1] === String(limit)) size = 'a compressed message that inflates';
  else return undefined;
  return new ProtocolError(
    `${context}: the server sent ${size}, more than maxReceiveMessageBytes allows (${limit} bytes); the call ` +
      `was stopped before the message was buffered. Raise maxReceiveMessageBytes (or -1 for no limit) ` +
      `if this server is meant to send such messages [RESOURCE_EXHAUSTED]`,
    { code: 'ERR_FLIGHTSQL_MESSAGE_TOO_LARGE', grpcCode: Status.RESOURCE_EXHAUSTED, serverMessage: details },
  );
}

/**
 * grpc-js says only "Connection dropped" when the socket closed, failed, or a keepalive ping
 * went unanswered. Keepalive is the likely cause when the server freezes while the network
 * stays up, so the message names it and its settings.
 */
function connectionDropped(limits: ChannelLimits, context: string, cause: unknown): OperationalError {
  const keepalive =
    limits.keepaliveTimeMs > 0
      ? `, or did not answer an HTTP/2 keepalive ping within keepaliveTimeoutMs (${limits.keepaliveTimeoutMs} ms; ` +
        `pings every keepaliveTimeMs = ${limits.keepaliveTimeMs} ms)`
      : ' (keepalive is off: keepaliveTimeMs = -1)';
  return new OperationalError(
    `${context}: the connection dropped: the server closed it${keepalive} [UNAVAILABLE]`,
    { grpcCode: Status.UNAVAILABLE, serverMessage: 'Connection dropped', cause },
  );
}

function statusOf(err: unknown): { code: number; details: string } | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, details } = err as { code?: unknown; details?: unknown };
  return typeof code === 'number' && typeof details === 'string' ? { code, details } : undefined;
}
