/**
 * One port for gRPC and HTTP/1.1, as InfluxDB 3 serves Flight and its HTTP API on 8181.
 *
 * A plain `net.Server` accepts each connection and sorts it by its first bytes: the HTTP/2
 * connection preface goes to grpc-js (through a connection injector, so grpc-js owns the socket
 * from then on: no extra hop or copy on the gRPC path), anything else to node:http. With TLS, a
 * `tls.Server` ends TLS and sorts by ALPN (`h2` or `http/1.1`), falling back to the first bytes
 * for clients that offer no ALPN; the decrypted socket goes to an injector with insecure
 * credentials (TLS is already done), and client certificates are checked here when `ca` is set.
 */
import { type Server as GrpcServer, ServerCredentials } from '@grpc/grpc-js';
import type { Server as HttpServer } from 'node:http';
import {
  createServer as createNetServer,
  type AddressInfo,
  type Server as NetServer,
  type Socket,
} from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';

/** Every HTTP/2 connection starts with these bytes (RFC 9113, 3.4); no HTTP/1.1 request can. */
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** A connection that has not said which protocol it speaks within this time is closed. */
const SNIFF_TIMEOUT_MS = 10_000;

/**
 * close() cuts connections still open this long after it began: grpc-js and node:http end
 * theirs within their 1 s grace, but a gracefully closed HTTP/2 session only half-closes its
 * socket, and a peer that never closes its side would hold close() and the process.
 */
const CLOSE_CUT_MS = 1500;

/** TLS of the shared port (the server's certificate, and a CA to require client certificates). */
export interface ListenerTls {
  readonly cert: string | Uint8Array;
  readonly key: string | Uint8Array;
  readonly ca?: string | Uint8Array;
}

/** What the shared port serves. */
export interface SharedPortOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Takes the HTTP/2 connections (its services, interceptors and limits apply). */
  readonly grpc: GrpcServer;
  /** Takes the HTTP/1.x connections; it does not listen itself. */
  readonly http: HttpServer;
  readonly tls?: ListenerTls;
}

/** A listening shared port. */
export interface SharedPort {
  readonly port: number;
  /** Stops accepting and drops connections not yet handed over (grpc-js and node:http close theirs). */
  close(): Promise<void>;
}

/** Listens on `host:port` and hands each connection to gRPC or HTTP; resolves once listening. */
export async function listenShared(options: SharedPortOptions): Promise<SharedPort> {
  // TLS (when any) ends here, so grpc-js sees plaintext HTTP/2 on the sockets it is given.
  const injector = options.grpc.createConnectionInjector(ServerCredentials.createInsecure());
  const sniffing = new Set<Socket>();
  const toGrpc = (socket: Socket) => injector.injectConnection(socket);
  const toHttp = (socket: Socket) => {
    options.http.emit('connection', socket);
    // node:http reads by 'data' events (the sniffed bytes wait in the socket's buffer), and a
    // socket paused by the sniffer does not flow again by itself.
    socket.resume();
  };
  const sort = (socket: Socket) => {
    sniffing.add(socket);
    socket.once('close', () => sniffing.delete(socket));
    sniff(socket, (h2) => {
      sniffing.delete(socket);
      (h2 ? toGrpc : toHttp)(socket);
    });
  };
  let server: NetServer;
  if (options.tls) {
    const { cert, key, ca } = options.tls;
    server = createTlsServer(
      {
        cert: Buffer.from(cert),
        key: Buffer.from(key),
        ...(ca ? { ca: Buffer.from(ca), requestCert: true, rejectUnauthorized: true } : {}),
        ALPNProtocols: ['h2', 'http/1.1'],
        noDelay: true,
      },
      (socket: TLSSocket) => {
        guard(socket);
        if (socket.alpnProtocol === 'h2') toGrpc(socket);
        else if (socket.alpnProtocol === 'http/1.1') toHttp(socket);
        else sort(socket);
      },
    );
    // A failed handshake only concerns that client: Node destroys its socket.
    server.on('tlsClientError', () => undefined);
  } else {
    server = createNetServer({ noDelay: true }, (socket) => {
      guard(socket);
      sort(socket);
    });
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  // Errors after listening (EMFILE on accept, say) must not crash the process.
  server.on('error', () => undefined);
  // Every accepted connection (TLS ones as their raw sockets), for close() to cut.
  const open = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        const cut = setTimeout(() => {
          for (const socket of open) socket.destroy();
        }, CLOSE_CUT_MS);
        // The callback waits for every accepted socket to close.
        server.close(() => {
          clearTimeout(cut);
          resolve();
        });
        for (const socket of sniffing) socket.destroy();
        injector.destroy();
      })),
  };
}

/**
 * A socket error (a reset, a TLS alert) only ends that connection: grpc-js and node:http
 * listen for errors on the sockets they own, but not on every path, and never before handover.
 */
function guard(socket: Socket): void {
  socket.on('error', () => socket.destroy());
}

/**
 * Reads until the first bytes tell HTTP/2 (the full preface) from anything else, then puts them
 * back and calls `decide` once. Silent connections are closed after SNIFF_TIMEOUT_MS.
 */
function sniff(socket: Socket, decide: (h2: boolean) => void): void {
  let seen: Buffer = Buffer.alloc(0);
  const finish = (h2: boolean) => {
    socket.removeListener('data', onData);
    socket.setTimeout(0);
    socket.pause();
    socket.unshift(seen);
    decide(h2);
  };
  const onData = (chunk: Buffer) => {
    seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
    const n = Math.min(seen.length, PREFACE.length);
    if (seen.subarray(0, n).equals(PREFACE.subarray(0, n))) {
      if (n === PREFACE.length) finish(true);
    } else {
      finish(false);
    }
  };
  socket.on('data', onData);
  socket.setTimeout(SNIFF_TIMEOUT_MS, () => socket.destroy());
}
