/**
 * The Flight SQL connection flags of `flightsql query` and `flightsql shell`, turned into
 * FlightSQLClient options. Locations, URLs and TLS are parsed by the library's one options
 * module (`parseLocation`, `parseConnectionUrl`); what is decided here is only the CLI's
 * default: plaintext on the loopback, where `flightsql serve` listens.
 */
import { readFileSync } from 'node:fs';
import { InterfaceError, registerSecret } from '../errors';
import { parseConnectionUrl, parseLocation, locationUri, type TlsOptions } from '../flight';
import { env } from '../flight/options';
import type { FlightSQLClientOptions } from '../index';
import { UsageError, secondsOf } from './args';
import { cannotRead } from './files';

/** The port the CLI assumes for a plaintext server: the one the README's `serve` examples use. */
export const DEFAULT_PORT = 31337;
/** Where query and shell connect without `--host` or FLIGHTSQL_HOST. */
export const DEFAULT_HOST = `grpc+tcp://127.0.0.1:${DEFAULT_PORT}`;

/** The connection flags, for `parseFlags` tables. */
export const CONNECTION_FLAGS = {
  host: { type: 'string' },
  tls: { type: 'boolean' },
  plaintext: { type: 'boolean' },
  ca: { type: 'string' },
  token: { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  database: { type: 'string', short: 'd' },
  header: { type: 'string', multiple: true },
  timeout: { type: 'string' },
} as const;

/** The connection flags as usage text. */
export const CONNECTION_USAGE = `connection:
  --host LOCATION      the server (default FLIGHTSQL_HOST, else ${DEFAULT_HOST}, where
                       \`flightsql serve --port ${DEFAULT_PORT}\` listens): grpc+tcp:// or grpc:// (plaintext),
                       grpc+tls:// (TLS), a flightsql://host:port?useEncryption=... URL, or a bare
                       host[:port]: plaintext on localhost and loopback addresses, TLS elsewhere
                       (port ${DEFAULT_PORT} plaintext, 443 with TLS, when none is given)
  --tls, --plaintext   force TLS or plaintext for a bare host[:port]
  --ca FILE            PEM root certificate(s) to trust instead of the system roots
  --token T            bearer token (default FLIGHTSQL_TOKEN, else INFLUX_TOKEN)
  --username U         basic-auth handshake user; --password P or FLIGHTSQL_PASSWORD
  --database DB, -d DB the \`database\` header (InfluxDB 3; default INFLUX_DATABASE)
  --header NAME=VALUE  a header sent with every call (repeat)
  --timeout SECONDS    deadline of each call (a statement's GetFlightInfo or DoPut, each stream
                       of its result, whole); default none`;

/** The parsed connection flags. */
export interface ConnectionValues {
  host?: string;
  tls?: boolean;
  plaintext?: boolean;
  ca?: string;
  token?: string;
  username?: string;
  password?: string;
  database?: string;
  header?: string[];
  timeout?: string;
}

/** The PEM of `--ca FILE`. */
function readCa(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw cannotRead(file, err);
  }
}

/** True for hosts that never leave the machine: there plaintext is the CLI's default. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    bare === 'localhost' || bare.endsWith('.localhost') || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare)
  );
}

/** The FlightSQLClient options of `command`'s connection flags and the environment. */
export function clientOptions(command: string, values: ConnectionValues): FlightSQLClientOptions {
  const usage = (message: string): never => {
    throw new UsageError(`flightsql ${command}: ${message}`);
  };
  if (values.tls && values.plaintext) usage('--tls and --plaintext exclude each other');
  if (values.password !== undefined && values.username === undefined) usage('--password needs --username');
  const headers: Record<string, string> = {};
  for (const header of values.header ?? []) {
    const eq = header.indexOf('=');
    if (eq <= 0) usage(`--header must be NAME=VALUE, got '${header}'`);
    headers[header.slice(0, eq).trim().toLowerCase()] = header.slice(eq + 1);
  }
  if (values.database !== undefined) headers['database'] = values.database;
  const timeoutMs = values.timeout === undefined ? undefined : secondsOf('timeout', values.timeout, command);

  const text = values.host ?? env('FLIGHTSQL_HOST') ?? DEFAULT_HOST;
  let base: FlightSQLClientOptions;
  try {
    base = /^(flightsql|jdbc:arrow-flight-sql):\/\//i.test(text)
      ? parseConnectionUrl(text)
      : locationOf(text, values);
  } catch (err) {
    if (err instanceof InterfaceError) usage(`--host: ${err.message}`);
    throw err;
  }
  const uriTls = parseLocation(base.host!).tls;
  if (values.host !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    if (values.tls && !uriTls) usage(`--tls contradicts the plaintext location '${text}'`);
    if (values.plaintext && uriTls) usage(`--plaintext contradicts the TLS location '${text}'`);
  }
  let tls: boolean | TlsOptions = base.tls ?? uriTls;
  if (values.ca !== undefined) {
    if (!uriTls) usage('--ca needs a TLS location');
    tls = { ...(typeof tls === 'object' ? tls : {}), ca: readCa(values.ca) };
  }
  const password = values.password ?? (values.username !== undefined ? env('FLIGHTSQL_PASSWORD') : undefined);
  const token =
    values.token ?? base.token ?? (values.username === undefined ? env('FLIGHTSQL_TOKEN') : undefined);
  registerSecret(token);
  registerSecret(password);
  return {
    ...base,
    tls,
    token,
    username: values.username ?? base.username,
    password: password ?? base.password,
    metadata: { ...base.metadata, ...headers },
    timeoutMs,
  };
}

/** A location URI as it is, or a bare host[:port] made a URI by the loopback rule and flags. */
function locationOf(text: string, values: ConnectionValues): FlightSQLClientOptions {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    // Without a port: 443 for TLS schemes (parseLocation's default), the CLI's own for the rest.
    const tlsScheme = /^(grpc\+tls|https):/i.test(text);
    const parsed = parseLocation(text, false, tlsScheme ? undefined : DEFAULT_PORT);
    return { host: locationUri(parsed), tls: parsed.tls };
  }
  const host = parseLocation(text, false, 1).host;
  const tls = values.tls ? true : values.plaintext ? false : !isLoopback(host);
  const parsed = parseLocation(text, tls, tls ? 443 : DEFAULT_PORT);
  return { host: locationUri(parsed), tls };
}

/** The location the options point at, for messages (no credentials in it). */
export function locationOfOptions(options: FlightSQLClientOptions): string {
  return options.host ?? DEFAULT_HOST;
}
