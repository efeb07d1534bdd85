/**
 * The one Flight-side module for locations, URIs, TLS and environment defaults.
 */
import { readFileSync } from 'node:fs';
import { InterfaceError, redact, registerSecret } from '../errors';

/** TLS settings. `true` means TLS with the system's root certificates. */
export interface TlsOptions {
  /** PEM root certificate(s) to trust instead of the system roots. */
  readonly ca?: string | Uint8Array;
  /** PEM client certificate chain, for mutual TLS. */
  readonly cert?: string | Uint8Array;
  /** PEM private key of `cert`. */
  readonly key?: string | Uint8Array;
  /** Name to verify the server certificate against (and send as SNI), when it differs from the host. */
  readonly serverName?: string;
  /** Skip verification of the server certificate. Unsafe: for tests and private networks only. */
  readonly disableCertificateVerification?: boolean;
}

/** A parsed location: where to connect and whether with TLS. */
export interface Endpoint {
  /** `host:port` as grpc-js wants it (IPv6 hosts in brackets). */
  readonly address: string;
  /** Host name or IP address, without brackets. */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
  /** Whether the location asks for TLS (`grpc+tls://`, `https://`). */
  readonly tls: boolean;
}

/** The special location that means "the server you are already talking to" (Flight spec). */
export const REUSE_CONNECTION = 'arrow-flight-reuse-connection://?';

const schemes: Readonly<Record<string, boolean>> = {
  'grpc:': false,
  'grpc+tcp:': false,
  'grpc+tls:': true,
  'http:': false,
  'https:': true,
};

/**
 * Parses `grpc://`, `grpc+tcp://`, `grpc+tls://` (and `http(s)://`) location URIs, or a bare
 * `host:port`. A bare address uses `defaultTls`; its port defaults to `defaultPort`.
 */
export function parseLocation(location: string, defaultTls = false, defaultPort?: number): Endpoint {
  const text = location.trim();
  if (!text) throw new InterfaceError('empty location');
  const match = /^([a-z][a-z0-9+.-]*:)\/\//i.exec(text);
  if (match) {
    const scheme = match[1]!.toLowerCase();
    const tls = schemes[scheme];
    if (tls === undefined) {
      throw new InterfaceError(
        `unsupported location scheme '${scheme}' in '${location}': use grpc://, grpc+tcp:// or grpc+tls://`,
      );
    }
    // Everything after the scheme is `host[:port][/...]`; parsed here rather than with URL,
    // which drops a port that is the http(s) default.
    const authority = /^(\[[^\]]+\]|[^:/?#\s]+)(?::(\d+))?(?:[/?#].*)?$/.exec(text.slice(match[0].length));
    if (!authority) throw new InterfaceError(`invalid location '${location}'`);
    const port = authority[2] ? Number(authority[2]) : (defaultPort ?? (tls ? 443 : undefined));
    if (port === undefined) throw new InterfaceError(`location '${location}' has no port`);
    return endpoint(authority[1]!, port, tls);
  }
  const bare = /^(\[[^\]]+\]|[^:/\s]+)(?::(\d+))?$/.exec(text);
  if (!bare) throw new InterfaceError(`invalid location '${location}': expected host:port or a grpc:// URI`);
  const port = bare[2] ? Number(bare[2]) : (defaultPort ?? (defaultTls ? 443 : undefined));
  if (port === undefined) throw new InterfaceError(`location '${location}' has no port`);
  return endpoint(bare[1]!, port, defaultTls);
}

function endpoint(host: string, port: number, tls: boolean): Endpoint {
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new InterfaceError(`invalid port ${port}`);
  const bareHost = host.replace(/^\[|\]$/g, '');
  const address = bareHost.includes(':') ? `[${bareHost}]:${port}` : `${bareHost}:${port}`;
  return { address, host: bareHost, port, tls };
}

/** The location URI of an endpoint, e.g. `grpc+tls://example.com:443`. */
export function locationUri(endpoint: Endpoint): string {
  return `${endpoint.tls ? 'grpc+tls' : 'grpc+tcp'}://${endpoint.address}`;
}

/** Reads an environment variable, treating empty as unset. */
export function env(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** What `resolveSqlClientConfig` reads (the FlightSQLClient options that concern the connection). */
export interface SqlClientConfigInput {
  readonly host?: string;
  readonly port?: number;
  readonly insecure?: boolean;
  readonly token?: string;
  /** With a username, INFLUX_TOKEN is not used: explicit credentials win over the environment. */
  readonly username?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly tls?: boolean | TlsOptions;
  readonly disableServerVerification?: boolean;
}

/** Where and how a FlightSQLClient connects, after defaults and environment. */
export interface SqlClientConfig {
  readonly location: string;
  readonly tls: boolean | TlsOptions;
  readonly token?: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Resolves host, TLS, token and headers the way flightsql-dbapi does: a bare host name means
 * TLS on port 443 (or `port`), `insecure` or `tls: false` means plaintext, a location URI says
 * it all. INFLUX_HOST, INFLUX_TOKEN and INFLUX_DATABASE fill what the options leave out.
 */
export function resolveSqlClientConfig(options: SqlClientConfigInput): SqlClientConfig {
  const host = options.host ?? env('INFLUX_HOST') ?? 'localhost';
  const isUri = /^[a-z][a-z0-9+.-]*:\/\//i.test(host.trim());
  let tls: boolean | TlsOptions;
  let location: string;
  if (isUri) {
    const parsed = parseLocation(host, false, options.port);
    if (options.tls === false && parsed.tls) {
      throw new InterfaceError(`host '${host}' asks for TLS but tls is false`);
    }
    tls = parsed.tls ? (typeof options.tls === 'object' ? options.tls : true) : false;
    location = locationUri(parsed);
  } else {
    const plaintext = options.insecure === true || options.tls === false;
    const parsed = parseLocation(host, !plaintext, options.port ?? 443);
    tls = plaintext ? false : typeof options.tls === 'object' ? options.tls : true;
    location = locationUri(parsed);
  }
  if (options.disableServerVerification && tls !== false) {
    tls = { ...(typeof tls === 'object' ? tls : {}), disableCertificateVerification: true };
  }
  const headers: Record<string, string> = {};
  const database = env('INFLUX_DATABASE');
  if (database && !options.metadata?.database) headers['database'] = database;
  Object.assign(headers, options.metadata);
  const token = options.token ?? (options.username === undefined ? env('INFLUX_TOKEN') : undefined);
  return { location, tls, token, headers };
}

/** What a `flightsql://` URL says: the FlightSQLClient options it sets. */
export interface ConnectionUrlOptions {
  /** The server as a location URI (`grpc+tls://host:port` or `grpc+tcp://host:port`). */
  readonly host: string;
  /** Bearer token from the `token` parameter. */
  readonly token?: string;
  /** User name from the URL's user info or the `user`/`username` parameter. */
  readonly username?: string;
  /** Password from the URL's user info or the `password` parameter. */
  readonly password?: string;
  /** TLS settings: off with `useEncryption=false`, with files from `tlsRootCerts`, `clientCertificate`, `clientKey`. */
  readonly tls: boolean | TlsOptions;
  /** Headers sent with every call: `database` and every parameter that is not a setting. */
  readonly metadata: Readonly<Record<string, string>>;
  /** `trustedLocations=*` (every location) or a comma-separated list of hosts. */
  readonly trustedLocations?: true | readonly string[];
  /** From `maxReceiveMessageBytes`: see {@link FlightClientOptions.maxReceiveMessageBytes}. */
  readonly maxReceiveMessageBytes?: number;
  /** From `keepaliveTimeMs`: see {@link FlightClientOptions.keepaliveTimeMs}. */
  readonly keepaliveTimeMs?: number;
  /** From `keepaliveTimeoutMs`: see {@link FlightClientOptions.keepaliveTimeoutMs}. */
  readonly keepaliveTimeoutMs?: number;
  /** From `idleTimeoutMs`: see {@link FlightClientOptions.idleTimeoutMs}. */
  readonly idleTimeoutMs?: number;
}

/** URL parameters of ours that are settings, not headers (lower case), and their option names. */
const URL_NUMBERS: Readonly<
  Record<string, 'maxReceiveMessageBytes' | 'keepaliveTimeMs' | 'keepaliveTimeoutMs' | 'idleTimeoutMs'>
> = {
  maxreceivemessagebytes: 'maxReceiveMessageBytes',
  keepalivetimems: 'keepaliveTimeMs',
  keepalivetimeoutms: 'keepaliveTimeoutMs',
  idletimeoutms: 'idleTimeoutMs',
};

// The Arrow Flight SQL JDBC driver's URL parameters that are not headers. `useSystemTrustStore`,
// `retainCookies`, `retainAuth` and `threadPoolSize` describe what this client always does.
const URL_SETTINGS = new Set([
  'user',
  'username',
  'password',
  'token',
  'useencryption',
  'disablecertificateverification',
  'tlsrootcerts',
  'clientcertificate',
  'clientkey',
  'usesystemtruststore',
  'retaincookies',
  'retainauth',
  'threadpoolsize',
  'trustedlocations',
  ...Object.keys(URL_NUMBERS),
]);

function urlFlag(name: string, value: string | null, fallback: boolean): boolean {
  if (value === null) return fallback;
  const text = value.trim().toLowerCase();
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw new InterfaceError(`URL parameter ${name} must be true or false, not '${value}'`);
}

/**
 * Parses a URL in the form of the Arrow Flight SQL JDBC driver:
 * `flightsql://[user:password@]host:port[/?token=…&database=…&useEncryption=true|false&disableCertificateVerification=…]`.
 * TLS is on unless `useEncryption=false`; `tlsRootCerts`, `clientCertificate` and `clientKey`
 * name PEM files; `database` and every parameter the JDBC driver does not define become headers,
 * except this client's own settings: `trustedLocations` (`*` or comma-separated hosts),
 * `maxReceiveMessageBytes`, `keepaliveTimeMs`, `keepaliveTimeoutMs` and `idleTimeoutMs`.
 * Names match case-insensitively; values are percent-decoded.
 */
export function parseConnectionUrl(url: string): ConnectionUrlOptions {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new InterfaceError(`invalid connection URL: ${redact(url)}`);
  }
  if (parsed.protocol !== 'flightsql:' && parsed.protocol !== 'jdbc:arrow-flight-sql:') {
    throw new InterfaceError(`connection URLs start with flightsql://, not ${parsed.protocol}//`);
  }
  if (!parsed.hostname) throw new InterfaceError('the connection URL names no host');
  const query = new Map<string, string>();
  const metadata: Record<string, string> = {};
  for (const [name, value] of parsed.searchParams) {
    if (URL_SETTINGS.has(name.toLowerCase())) query.set(name.toLowerCase(), value);
    else metadata[name] = value;
  }
  const get = (name: string) => query.get(name) ?? null;
  const encrypted = urlFlag('useEncryption', get('useencryption'), true);
  const unverified = urlFlag('disableCertificateVerification', get('disablecertificateverification'), false);
  const files = { ca: get('tlsrootcerts'), cert: get('clientcertificate'), key: get('clientkey') };
  let tls: boolean | TlsOptions = encrypted;
  if (encrypted && (unverified || files.ca || files.cert || files.key)) {
    const read = (path: string | null) => (path ? readFileSync(path) : undefined);
    tls = {
      ca: read(files.ca),
      cert: read(files.cert),
      key: read(files.key),
      disableCertificateVerification: unverified || undefined,
    };
  }
  const port = parsed.port ? Number(parsed.port) : encrypted ? 443 : undefined;
  if (port === undefined) throw new InterfaceError('the connection URL has no port (needed without TLS)');
  const host = locationUri(endpoint(parsed.hostname, port, encrypted));
  const username = decodeURIComponent(parsed.username) || get('user') || get('username') || undefined;
  const password = decodeURIComponent(parsed.password) || get('password') || undefined;
  const token = get('token') || undefined;
  registerSecret(password);
  registerSecret(token);
  const settings: {
    trustedLocations?: true | string[];
  } & Partial<Record<(typeof URL_NUMBERS)[string], number>> = {};
  const trusted = get('trustedlocations');
  if (trusted !== null) {
    const hosts = trusted
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
    settings.trustedLocations =
      hosts.length === 1 && (hosts[0] === '*' || hosts[0] === 'true') ? true : hosts;
  }
  for (const [param, option] of Object.entries(URL_NUMBERS)) {
    const value = get(param);
    if (value === null) continue;
    const number = Number(value);
    if (value.trim() === '' || !Number.isFinite(number)) {
      throw new InterfaceError(`URL parameter ${option} must be a number, not '${value}'`);
    }
    settings[option] = number;
  }
  return { host, token, username, password, tls, metadata, ...settings };
}
