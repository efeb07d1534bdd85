/**
 * grpc-js channel credentials for plaintext or TLS, made so that a closed client never dials
 * again.
 *
 * grpc-js (1.14) keeps a subchannel's reconnect scheduled after the last channel using it
 * has closed: a client closed while its server was down (the subchannel waiting out its
 * reconnect backoff) connects once the backoff ends, to whatever listens on that port by
 * then, and holds that connection for the life of the process. grpc-js destroys a
 * subchannel's secure connector when nothing references the subchannel any more (the
 * channel closed and its subchannel pool let go), so the connector made here refuses to
 * connect from then on.
 */
import { credentials as grpcCredentials, type ChannelCredentials } from '@grpc/grpc-js';
import type { TlsOptions } from './options';

type SecureConnector = ReturnType<ChannelCredentials['_createSecureConnector']>;

/** grpc-js channel credentials for plaintext or TLS. */
export function channelCredentials(tls: boolean, options: TlsOptions): ChannelCredentials {
  if (!tls) return closable(grpcCredentials.createInsecure());
  const bytes = (value: string | Uint8Array | undefined) => (value === undefined ? null : Buffer.from(value));
  return closable(
    grpcCredentials.createSsl(
      bytes(options.ca),
      bytes(options.key),
      bytes(options.cert),
      options.disableCertificateVerification
        ? { rejectUnauthorized: false, checkServerIdentity: () => undefined }
        : undefined,
    ),
  );
}

/**
 * `credentials`, whose connectors stop connecting once destroyed. The result inherits from
 * `credentials`, so grpc-js still finds it equal to credentials like it (and shares
 * subchannels between clients as before).
 */
function closable(credentials: ChannelCredentials): ChannelCredentials {
  const wrapped: ChannelCredentials = Object.create(credentials);
  wrapped._createSecureConnector = (...args) =>
    closableConnector(credentials._createSecureConnector(...args));
  return wrapped;
}

function closableConnector(connector: SecureConnector): SecureConnector {
  let destroyed = false;
  const refuse = () => Promise.reject(new Error('the subchannel was released: not reconnecting'));
  return {
    // Called before the TCP connection is opened: a released subchannel opens none.
    waitForReady: () => (destroyed ? refuse() : connector.waitForReady()),
    connect: (socket) => {
      if (!destroyed) return connector.connect(socket);
      socket.destroy();
      return refuse();
    },
    getCallCredentials: () => connector.getCallCredentials(),
    destroy: () => {
      destroyed = true;
      connector.destroy();
    },
  };
}
