/**
 * PEP 249 module interface: `connect()` and the module constants.
 */
import { NotSupportedError, ProgrammingError, ProtocolError } from '../errors';
import { parseConnectionUrl } from '../flight';
import { FlightSQLClient, type FlightSQLClientOptions } from '../sql';
import type { Row } from '../values';
import {
  CONNECTION_SQL_INFO,
  Connection,
  serverInfoFrom,
  type ConnectionOptions,
  type ServerInfo,
} from './Connection';

/** PEP 249 API level. */
export const apilevel = '2.0';
/**
 * PEP 249 thread safety 2: connections may be shared. Concurrent async tasks can use one
 * connection (gRPC multiplexes its calls); a cursor runs one operation at a time.
 */
export const threadsafety = 2;
/** PEP 249 parameter style: `?` placeholders with positional parameters. */
export const paramstyle = 'qmark';

/** Options of `connect()`: the FlightSQLClient's, the connection's and the row options. */
export interface ConnectOptions extends FlightSQLClientOptions, ConnectionOptions {
  /** The `database` header (InfluxDB 3's database). Default: INFLUX_DATABASE. */
  readonly database?: string;
}

const URL_SCHEME = /^(flightsql|jdbc:arrow-flight-sql):\/\//i;

/**
 * Opens a connection and reads the server's name and transaction support (GetSqlInfo), so that
 * a wrong address or bad credentials fail here. `target` is a `flightsql://` URL (the JDBC
 * driver's form), a location (`grpc://host:port`, `host:port`), or the options themselves;
 * `options` override what the URL says.
 */
export async function connect(
  target: ConnectOptions & { readonly rowMode: 'object' },
): Promise<Connection<Record<string, unknown>>>;
export async function connect(
  target: string | ConnectOptions | undefined,
  options: ConnectOptions & { readonly rowMode: 'object' },
): Promise<Connection<Record<string, unknown>>>;
export async function connect(
  target?: string | ConnectOptions,
  options?: ConnectOptions,
): Promise<Connection>;
export async function connect(
  target?: string | ConnectOptions,
  options: ConnectOptions = {},
): Promise<Connection<Row>> {
  const resolved = resolveConnectOptions(target, options);
  const {
    autocommit,
    arraysize,
    rowMode,
    timestamps,
    int64,
    decimals,
    database: _,
    ...clientOptions
  } = resolved;
  const client = new FlightSQLClient(clientOptions);
  let serverInfo: ServerInfo;
  try {
    serverInfo = serverInfoFrom(
      await client.getSqlInfo(CONNECTION_SQL_INFO, { timeoutMs: resolved.timeoutMs }),
    );
  } catch (err) {
    // A server without GetSqlInfo (or with a broken one) is still a server; one that is
    // unreachable or refuses us is not.
    if (err instanceof NotSupportedError || err instanceof ProgrammingError || err instanceof ProtocolError) {
      serverInfo = { transactions: false, savepoints: false };
    } else {
      await client.close();
      throw err;
    }
  }
  return new Connection(client, serverInfo, { autocommit, arraysize, rowMode, timestamps, int64, decimals });
}

/** Merges a URL or location with explicit options (which win; headers merge). */
export function resolveConnectOptions(
  target?: string | ConnectOptions,
  options: ConnectOptions = {},
): ConnectOptions {
  let base: ConnectOptions = {};
  if (typeof target === 'string') {
    base = URL_SCHEME.test(target.trim()) ? parseConnectionUrl(target) : { host: target };
  } else if (target) {
    base = target;
  }
  const merged: ConnectOptions = { ...base, ...options };
  const metadata: Record<string, string> = { ...base.metadata, ...options.metadata };
  const database = options.database ?? base.database;
  if (database !== undefined) metadata['database'] = database;
  return Object.keys(metadata).length ? { ...merged, metadata } : merged;
}
