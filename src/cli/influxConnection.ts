/**
 * The connection flags `flightsql write` and `flightsql admin` share (--url, --token,
 * --username, --password, --timeout), their INFLUX_* environment defaults, and the InfluxDB 1.x
 * client they make.
 */
import { registerSecret } from '../errors';
import { env } from '../flight/options';
import { InfluxDBClient } from '../influx';
import { UsageError, secondsOf } from './args';

/** Where `--url` points when neither it nor INFLUX_HOST is given: a local InfluxDB 1.x. */
export const DEFAULT_URL = 'http://127.0.0.1:8086';

/** The flags of the connection, for `parseFlags` tables. */
export const CONNECTION_FLAGS = {
  url: { type: 'string' },
  token: { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  timeout: { type: 'string' },
} as const;

/** The connection flags as usage text. */
export const CONNECTION_USAGE = `connection:
  --url URL            the server (default INFLUX_HOST, else ${DEFAULT_URL}); a bare host:port means http://
  --token T            API token (default INFLUX_TOKEN): "Authorization: Token T" on 1.x and 2.x,
                       "Bearer T" on 3
  --username U         InfluxDB 1.x user, HTTP Basic auth (default INFLUX_USERNAME)
  --password P         that user's password (default INFLUX_PASSWORD; the variable keeps it out of
                       the process list)
  --timeout SECONDS    deadline of each HTTP request (default none)`;

/** The connection, resolved from flags and environment. */
export interface Connection {
  readonly url: URL;
  readonly token: string | undefined;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly timeoutMs: number | undefined;
}

/** The connection of `command` from its parsed connection flags and INFLUX_* variables. */
export function connectionOf(
  command: string,
  values: {
    url?: string;
    token?: string;
    username?: string;
    password?: string;
    timeout?: string;
  },
): Connection {
  const text = values.url ?? env('INFLUX_HOST') ?? DEFAULT_URL;
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
  } catch {
    throw new UsageError(`flightsql ${command}: --url must be a URL such as ${DEFAULT_URL}, got '${text}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`flightsql ${command}: --url must be http:// or https://, got '${url.protocol}//'`);
  }
  if (url.search || url.hash) {
    throw new UsageError(`flightsql ${command}: --url takes no query string or fragment`);
  }
  // user:password@ in the URL works, but the flags and variables are where credentials belong.
  const username =
    values.username ?? (url.username ? decodeURIComponent(url.username) : env('INFLUX_USERNAME'));
  const password =
    values.password ?? (url.password ? decodeURIComponent(url.password) : env('INFLUX_PASSWORD'));
  url.username = '';
  url.password = '';
  if (password !== undefined && username === undefined) {
    throw new UsageError(`flightsql ${command}: a password was given without --username`);
  }
  const token = values.token ?? env('INFLUX_TOKEN');
  // Whatever fails later, no message may show them.
  registerSecret(token);
  registerSecret(password);
  return {
    url,
    token,
    username,
    password,
    timeoutMs: values.timeout === undefined ? undefined : secondsOf('timeout', values.timeout, command),
  };
}

/** An InfluxDB 1.x client of `connection` (Basic auth, or the token as `Authorization: Token`). */
export function v1Client(
  connection: Connection,
  options: { readonly gzip?: boolean; readonly retries?: number } = {},
): InfluxDBClient {
  const { url } = connection;
  const ssl = url.protocol === 'https:';
  return new InfluxDBClient({
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : ssl ? 443 : 80,
    ssl,
    path: url.pathname === '/' ? undefined : url.pathname,
    username: connection.username,
    password: connection.password,
    headers: connection.token ? { authorization: `Token ${connection.token}` } : undefined,
    timeout: connection.timeoutMs === undefined ? undefined : connection.timeoutMs / 1000,
    gzip: options.gzip,
    // InfluxDBClient counts attempts, and 0 means "until success".
    retries: options.retries === undefined ? undefined : options.retries + 1,
  });
}
