/**
 * `startServer()`: the embedded Flight SQL server (DuckDB inside), listening on 127.0.0.1 and
 * a free port by default. That one port serves Flight SQL (gRPC) and the InfluxDB HTTP write
 * API, as InfluxDB 3 does (listener.ts).
 */
import { randomUUID } from 'node:crypto';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { callGuard, DEFAULT_MAX_PUT_MESSAGE_BYTES, DEFAULT_MAX_REQUEST_BYTES } from './callGuard';
import { DuckDBEngine } from './DuckDBEngine';
import { checkToken, flightServiceDefinition, flightSqlService, requiredTokenOf } from './FlightSqlService';
import { createHttpHandler, startHttpListener, type HttpListener } from './http/httpListener';
import { listenShared, type SharedPort } from './listener';

/** TLS for the server: PEM certificate chain and key, and optionally a CA to require client certificates. */
export interface ServerTlsOptions {
  /** PEM certificate chain of the server. */
  readonly cert: string | Uint8Array;
  /** PEM private key of `cert`. */
  readonly key: string | Uint8Array;
  /** With `ca`, clients must present a certificate signed by it (mutual TLS). */
  readonly ca?: string | Uint8Array;
}

/** Options of `startServer`. */
export interface ServerOptions {
  /** Interface to listen on (default 127.0.0.1). */
  readonly host?: string;
  /** Port of Flight SQL and of the HTTP write API alike; 0 (default) picks a free one. */
  readonly port?: number;
  /** DuckDB database: `:memory:` (default) or a file path. */
  readonly database?: string;
  /**
   * Directories whose files clients may read and write through SQL (`read_csv`, `read_parquet`,
   * `COPY ... TO`, `ATTACH`...). By default clients reach no file, no network address and no
   * setting of the server: see docs/server.md, "Security".
   */
  readonly allowedDirectories?: readonly string[];
  /**
   * For trusted local use only: clients may read and write any file the server's process can,
   * reach the network, install and load DuckDB extensions, and change settings for everyone.
   */
  readonly fullAccess?: boolean;
  /** When set, every call must carry `authorization: Bearer <token>`. */
  readonly token?: string;
  /** Credentials for the basic-auth Handshake, which answers with `token`. */
  readonly username?: string;
  /** Password of `username`. */
  readonly password?: string;
  /** Serve TLS instead of plaintext. */
  readonly tls?: ServerTlsOptions;
  /**
   * Split every statement result over this many endpoints (default 1), so that clients that
   * read several endpoints get exercised. Each share runs the whole query.
   */
  readonly partitions?: number;
  /** With `partitions`: also listen on a second port and point the odd shares' locations there. */
  readonly secondLocation?: boolean;
  /**
   * Offer Flight SQL transactions (default true). False makes the server answer like one
   * without them (InfluxDB 3, for one): SqlInfo says so and BeginTransaction is UNIMPLEMENTED.
   */
  readonly transactions?: boolean;
  /** Offer prepared statements (default true); false answers like a server that cannot bind parameters. */
  readonly preparedStatements?: boolean;
  /**
   * Also take InfluxDB line protocol writes on this second port, plain HTTP (0 picks a free
   * one). `port` takes them anyway: `/api/v3/write_lp`, `/api/v2/write` and `/write`.
   */
  readonly httpPort?: number;
  /** Interface of the `httpPort` listener (default: `host`). */
  readonly httpHost?: string;
  /** Largest HTTP write body after decompression, in bytes (default 10 MB); larger ones get 413. */
  readonly httpMaxBodyBytes?: number;
  /**
   * Largest message of a unary or server-streaming call (GetFlightInfo, DoAction, DoGet's
   * ticket...) and of Handshake, in bytes (default 4 MiB); larger ones are RESOURCE_EXHAUSTED.
   */
  readonly maxRequestBytes?: number;
  /** Largest DoPut/DoExchange message (one record batch), in bytes (default 256 MiB). */
  readonly maxPutMessageBytes?: number;
}

/** A running embedded server. */
export interface RunningServer extends AsyncDisposable {
  /** Location URI for clients, e.g. `grpc+tcp://127.0.0.1:41234`. */
  readonly location: string;
  /** The address the server listens on. */
  readonly host: string;
  /** The port it listens on (the one the system chose when `port` was 0). */
  readonly port: number;
  /** The DuckDB engine (to load data directly). */
  readonly engine: DuckDBEngine;
  /**
   * Base URL for HTTP writes: `http://HOST:PORT` (`https://` with TLS) on `port`, or the
   * `httpPort` listener's URL when there is one.
   */
  readonly httpUrl: string;
  /** Stops accepting calls and HTTP requests, cancels running ones, and closes DuckDB. */
  close(): Promise<void>;
}

/** Starts the embedded Flight SQL server; resolves once it listens. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const engine = await DuckDBEngine.create(options.database ?? ':memory:', {
    allowedDirectories: options.allowedDirectories,
    fullAccess: options.fullAccess,
  });
  const grantedToken = randomUUID();
  const auth = { token: options.token, username: options.username, password: options.password, grantedToken };
  const requiredToken = requiredTokenOf(auth, grantedToken);
  const maxPutMessageBytes = options.maxPutMessageBytes ?? DEFAULT_MAX_PUT_MESSAGE_BYTES;
  const server = new Server({
    // The server-wide limit is DoPut's; the guard lowers it for every other method.
    'grpc.max_receive_message_length': maxPutMessageBytes,
    'grpc.max_send_message_length': -1,
    interceptors: [
      callGuard({
        checkAuth: (metadata) => checkToken(metadata, requiredToken),
        authRequired: requiredToken !== undefined,
        maxRequestBytes: options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES,
        maxPutMessageBytes,
      }),
    ],
  });
  let second: string | undefined;
  server.addService(
    flightServiceDefinition,
    flightSqlService(
      engine,
      auth,
      { partitions: options.partitions, secondLocation: () => second },
      { transactions: options.transactions, preparedStatements: options.preparedStatements },
    ),
  );
  const httpOptions = {
    engine,
    token: options.token,
    username: options.username,
    password: options.password,
    maxBodyBytes: options.httpMaxBodyBytes,
  };
  const httpHandler = createHttpHandler(httpOptions);
  const address = host.includes(':') ? `[${host}]` : host;
  const scheme = options.tls ? 'grpc+tls' : 'grpc+tcp';
  let shared: SharedPort | undefined;
  let http: HttpListener | undefined;
  try {
    shared = await listenShared({
      host,
      port: options.port ?? 0,
      grpc: server,
      http: httpHandler.server,
      tls: options.tls,
    });
    // The same service on a second port (gRPC only): the location of the odd shares of a split result.
    if (options.secondLocation)
      second = `${scheme}://${address}:${await bindGrpc(server, address, options.tls)}`;
    if (options.httpPort !== undefined) {
      http = await startHttpListener({
        ...httpOptions,
        host: options.httpHost ?? host,
        port: options.httpPort,
      });
    }
  } catch (err) {
    server.forceShutdown();
    await Promise.all([shared?.close(), httpHandler.close()]);
    await engine.close();
    throw err;
  }
  const port = shared.port;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= Promise.all([
      http?.close(),
      httpHandler.close(),
      shared.close(),
      new Promise<void>((resolve) => {
        // Give calls in flight a moment, then cut them.
        const timer = setTimeout(() => server.forceShutdown(), 1000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
    ]).then(() => engine.close()));
  return {
    location: `${scheme}://${address}:${port}`,
    host,
    port,
    engine,
    httpUrl: http?.url ?? `${options.tls ? 'https' : 'http'}://${address}:${port}`,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Binds `server` (gRPC only) on a free port of `address`; resolves with the port. */
function bindGrpc(server: Server, address: string, tls: ServerTlsOptions | undefined): Promise<number> {
  const credentials = tls
    ? ServerCredentials.createSsl(
        tls.ca ? Buffer.from(tls.ca) : null,
        [{ cert_chain: Buffer.from(tls.cert), private_key: Buffer.from(tls.key) }],
        tls.ca !== undefined,
      )
    : ServerCredentials.createInsecure();
  return new Promise<number>((resolve, reject) =>
    server.bindAsync(`${address}:0`, credentials, (err, bound) => (err ? reject(err) : resolve(bound))),
  );
}
