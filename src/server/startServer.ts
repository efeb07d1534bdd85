/**
 * `startServer()`: the embedded Flight SQL server (DuckDB inside), listening on 127.0.0.1 and
 * a free port by default.
 */
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { DuckDBEngine } from './DuckDBEngine';
import { flightServiceDefinition, flightSqlService } from './FlightSqlService';
import { startHttpListener, type HttpListener } from './http/httpListener';

/** TLS for the server: PEM certificate chain and key, and optionally a CA to require client certificates. */
export interface ServerTlsOptions {
  readonly cert: string | Uint8Array;
  readonly key: string | Uint8Array;
  /** With `ca`, clients must present a certificate signed by it (mutual TLS). */
  readonly ca?: string | Uint8Array;
}

/** Options of `startServer`. */
export interface ServerOptions {
  /** Interface to listen on (default 127.0.0.1). */
  readonly host?: string;
  /** Port; 0 (default) picks a free one. */
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
   * Also listen for InfluxDB line protocol writes over HTTP on this port (0 picks a free one):
   * `/api/v3/write_lp`, `/api/v2/write` and `/write`. Without it there is no HTTP listener.
   */
  readonly httpPort?: number;
  /** Interface of the HTTP listener (default: `host`). */
  readonly httpHost?: string;
  /** Largest HTTP write body after decompression, in bytes (default 10 MB); larger ones get 413. */
  readonly httpMaxBodyBytes?: number;
}

/** A running embedded server. */
export interface RunningServer extends AsyncDisposable {
  /** Location URI for clients, e.g. `grpc+tcp://127.0.0.1:41234`. */
  readonly location: string;
  readonly host: string;
  readonly port: number;
  /** The DuckDB engine (to load data directly). */
  readonly engine: DuckDBEngine;
  /** Base URL of the HTTP write listener, e.g. `http://127.0.0.1:8086`; only with `httpPort`. */
  readonly httpUrl?: string;
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
  const server = new Server({
    'grpc.max_receive_message_length': -1,
    'grpc.max_send_message_length': -1,
  });
  let second: string | undefined;
  server.addService(
    flightServiceDefinition,
    flightSqlService(
      engine,
      { token: options.token, username: options.username, password: options.password },
      { partitions: options.partitions, secondLocation: () => second },
      { transactions: options.transactions, preparedStatements: options.preparedStatements },
    ),
  );
  const credentials = options.tls
    ? ServerCredentials.createSsl(
        options.tls.ca ? Buffer.from(options.tls.ca) : null,
        [{ cert_chain: Buffer.from(options.tls.cert), private_key: Buffer.from(options.tls.key) }],
        options.tls.ca !== undefined,
      )
    : ServerCredentials.createInsecure();
  const address = host.includes(':') ? `[${host}]` : host;
  const scheme = options.tls ? 'grpc+tls' : 'grpc+tcp';
  const bind = (at: number) =>
    new Promise<number>((resolve, reject) =>
      server.bindAsync(`${address}:${at}`, credentials, (err, bound) => (err ? reject(err) : resolve(bound))),
    );
  let port: number;
  let http: HttpListener | undefined;
  try {
    port = await bind(options.port ?? 0);
    // The same service on a second port: the location of the odd shares of a split result.
    if (options.secondLocation) second = `${scheme}://${address}:${await bind(0)}`;
    if (options.httpPort !== undefined) {
      http = await startHttpListener({
        engine,
        host: options.httpHost ?? host,
        port: options.httpPort,
        token: options.token,
        username: options.username,
        password: options.password,
        maxBodyBytes: options.httpMaxBodyBytes,
      });
    }
  } catch (err) {
    server.forceShutdown();
    engine.close();
    throw err;
  }
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= Promise.all([
      http?.close(),
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
    ...(http ? { httpUrl: http.url } : {}),
    close,
    [Symbol.asyncDispose]: close,
  };
}
