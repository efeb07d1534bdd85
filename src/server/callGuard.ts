/**
 * The gRPC call guard of the embedded server: a grpc-js server interceptor that refuses a call
 * without a valid token as soon as its headers arrive, before any of its message is read, and
 * gives each method its own receive limit.
 *
 * grpc-js reads a call's messages only once the handler asks (after the headers are through the
 * interceptors), and its decoder checks each message's declared length (the 5-byte gRPC prefix)
 * before buffering it. So a 300 MB GetFlightInfo without a token costs the server one HTTP/2 flow
 * control window (64 KiB), not 300 MB; with a token, a message over its method's limit is
 * RESOURCE_EXHAUSTED as soon as its prefix is read.
 */
import {
  Metadata,
  ServerInterceptingCall,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
} from '@grpc/grpc-js';
import { toStatus } from './statusErrors';

/** Largest message of a unary or server-streaming call, and of Handshake: 4 MiB (gRPC's default). */
export const DEFAULT_MAX_REQUEST_BYTES = 4 * 1024 * 1024;

/**
 * Largest message of DoPut and DoExchange (one Arrow record batch each): 256 MiB, what our
 * client accepts per message by default (`maxReceiveMessageBytes`).
 */
export const DEFAULT_MAX_PUT_MESSAGE_BYTES = 256 * 1024 * 1024;

/** Methods whose messages are record batches, with the larger limit. */
const BATCH_METHODS = new Set([
  '/arrow.flight.protocol.FlightService/DoPut',
  '/arrow.flight.protocol.FlightService/DoExchange',
]);

/** The one method a client may call without a token: it is how a client gets one. */
const HANDSHAKE = '/arrow.flight.protocol.FlightService/Handshake';

/** What the guard enforces. */
export interface CallGuardOptions {
  /** Throws (a StatusError) when the call's headers carry no valid token. */
  readonly checkAuth: (metadata: Metadata) => void;
  /** Whether calls need a token at all (without one, headers pass unchecked). */
  readonly authRequired: boolean;
  readonly maxRequestBytes: number;
  readonly maxPutMessageBytes: number;
}

/**
 * The receive state of grpc-js's base call (1.14): `decoder.maxReadMessageLength` is checked
 * against each message's declared length, `maxReceiveMessageSize` after decompression. Both are
 * private, hence this narrow view; when a grpc-js release renames them, the server-wide limit
 * (`grpc.max_receive_message_length`, the larger one) still applies, and the limit tests fail.
 */
interface BaseCallLimits {
  maxReceiveMessageSize?: unknown;
  decoder?: { maxReadMessageLength?: unknown };
}

/** Lowers the receive limit of `call` (the base call: the guard is the first interceptor). */
function limitCall(call: ServerInterceptingCallInterface, limit: number): void {
  const base = call as unknown as BaseCallLimits;
  if (
    typeof base.decoder?.maxReadMessageLength === 'number' &&
    typeof base.maxReceiveMessageSize === 'number'
  ) {
    base.decoder.maxReadMessageLength = limit;
    base.maxReceiveMessageSize = limit;
  }
}

/** The interceptor; the server's `grpc.max_receive_message_length` must be `maxPutMessageBytes`. */
export function callGuard(options: CallGuardOptions): ServerInterceptor {
  return (method, call) => {
    if (!BATCH_METHODS.has(method.path)) limitCall(call, options.maxRequestBytes);
    if (!options.authRequired || method.path === HANDSHAKE) return new ServerInterceptingCall(call);
    const guarded: ServerInterceptingCall = new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, pass) => {
            try {
              options.checkAuth(metadata);
            } catch (err) {
              // The handler never starts, so the message is never read.
              guarded.sendStatus({ ...toStatus(err), metadata: new Metadata() });
              return;
            }
            pass(metadata);
          },
        }),
    });
    return guarded;
  };
}
