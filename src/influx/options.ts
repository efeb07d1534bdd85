/**
 * The one place where InfluxDBClient options, their defaults and DSNs are read and checked.
 */
import { InterfaceError, registerSecret } from '../errors';

/** HTTP(S) proxies by target scheme, as requests' `proxies` (`{ http: 'http://proxy:3128' }`). */
export interface Proxies {
  readonly http?: string;
  readonly https?: string;
}

/** Options of `new InfluxDBClient(...)`: influxdb-python's constructor arguments in camelCase. */
export interface InfluxDBClientOptions {
  /** Host name or address (default `localhost`). */
  readonly host?: string;
  /** HTTP port (default 8086). */
  readonly port?: number;
  /** User for HTTP Basic auth. Unlike influxdb-python, no `root`/`root` default: without a username no credentials are sent. */
  readonly username?: string;
  /** Password of `username` (never printed, logged or put in error messages). */
  readonly password?: string;
  /** Default database of writes and queries. */
  readonly database?: string;
  /** Use HTTPS (default false). */
  readonly ssl?: boolean;
  /**
   * Verify the server's certificate (default true, where influxdb-python defaults to false);
   * a string is the path of a PEM CA bundle to verify against, as in requests.
   */
  readonly verifySsl?: boolean | string;
  /** Seconds to wait for each attempt of a call, as influxdb-python's `timeout` (default: no limit). */
  readonly timeout?: number;
  /** Attempts per call on network errors (default 3; 0 tries until success), as influxdb-python. */
  readonly retries?: number;
  /** Send `writePoints` over UDP instead of HTTP (default false). */
  readonly useUdp?: boolean;
  /** UDP port of the server's `[[udp]]` listener (default 4444). */
  readonly udpPort?: number;
  /** Proxies by scheme; HTTPS goes through a CONNECT tunnel. */
  readonly proxies?: Proxies;
  /** Path prefix of InfluxDB on the server, e.g. `/influxdb` behind a reverse proxy (default none). */
  readonly path?: string;
  /** Headers added to every request; an `Authorization` header replaces Basic auth. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Gzip request bodies and accept gzip answers (default false). */
  readonly gzip?: boolean;
  /** Maximum connections kept to the server (influxdb-python's `pool_size`, default 10). */
  readonly poolSize?: number;
  /** Client certificate for mutual TLS: one PEM file holding certificate and key, or `[certFile, keyFile]`. */
  readonly cert?: string | readonly [string, string];
}

/** Options after defaults and checks. */
export interface ResolvedOptions {
  readonly host: string;
  readonly port: number;
  readonly ssl: boolean;
  readonly verifySsl: boolean | string;
  readonly timeoutMs: number | undefined;
  readonly retries: number;
  readonly useUdp: boolean;
  readonly udpPort: number;
  readonly proxies: Proxies;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly gzip: boolean;
  readonly poolSize: number;
  readonly cert: string | readonly [string, string] | undefined;
  readonly database: string | undefined;
  readonly username: string | undefined;
  readonly password: string | undefined;
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new InterfaceError(message);
}

/** Applies influxdb-python's defaults (except credentials and certificate checks) and checks every option. */
export function resolveOptions(options: InfluxDBClientOptions = {}): ResolvedOptions {
  const host = options.host ?? 'localhost';
  check(
    typeof host === 'string' && host.length > 0 && !/[\s/@]/.test(host),
    `invalid host ${JSON.stringify(host)}`,
  );
  const port = options.port ?? 8086;
  check(Number.isInteger(port) && port > 0 && port < 65536, `invalid port ${String(port)}`);
  const udpPort = options.udpPort ?? 4444;
  check(Number.isInteger(udpPort) && udpPort > 0 && udpPort < 65536, `invalid udpPort ${String(udpPort)}`);
  const retries = options.retries ?? 3;
  check(
    Number.isInteger(retries) && retries >= 0,
    `invalid retries ${String(retries)}: use 0 (until success) or more`,
  );
  const timeout = options.timeout;
  check(
    timeout === undefined || (typeof timeout === 'number' && timeout > 0 && Number.isFinite(timeout)),
    `invalid timeout ${String(timeout)}: a number of seconds above 0`,
  );
  const poolSize = options.poolSize ?? 10;
  check(Number.isInteger(poolSize) && poolSize > 0, `invalid poolSize ${String(poolSize)}`);
  const ssl = options.ssl ?? false;
  check(!(options.cert && !ssl), 'a client certificate was given but ssl is false');
  let path = options.path ?? '';
  if (path && !path.startsWith('/')) path = `/${path}`;
  path = path.replace(/\/+$/, '');
  for (const [scheme, url] of Object.entries(options.proxies ?? {})) {
    check(
      scheme === 'http' || scheme === 'https',
      `unknown proxies key ${JSON.stringify(scheme)}: use http or https`,
    );
    if (url !== undefined) {
      check(/^https?:\/\/[^/]+/i.test(url), `invalid ${scheme} proxy: expected http://host:port`);
      registerSecret(proxyPassword(url));
    }
  }
  registerSecret(options.password);
  return {
    host,
    port,
    ssl,
    verifySsl: options.verifySsl ?? true,
    timeoutMs: timeout === undefined ? undefined : Math.ceil(timeout * 1000),
    retries,
    useUdp: options.useUdp ?? false,
    udpPort,
    proxies: { ...options.proxies },
    path,
    headers: { ...options.headers },
    gzip: options.gzip ?? false,
    poolSize,
    cert: options.cert,
    database: options.database,
    username: options.username,
    password: options.password,
  };
}

function proxyPassword(url: string): string | undefined {
  try {
    const password = new URL(url).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Parses a DSN as influxdb-python's `from_dsn`: `influxdb://[user[:password]@]host[:port][/database]`,
 * with `https+influxdb://` for HTTPS and `udp+influxdb://` for UDP writes (the port stays the
 * HTTP port; the UDP port comes from `udpPort`). User info and database are percent-decoded
 * (influxdb-python leaves them encoded). Several comma-separated hosts are refused, where
 * influxdb-python silently keeps the first.
 */
export function parseDSN(dsn: string): InfluxDBClientOptions {
  check(typeof dsn === 'string', 'the DSN must be a string');
  const scheme = /^([a-z0-9+.-]+):\/\//i.exec(dsn);
  check(scheme !== null, 'invalid DSN: expected influxdb://[user[:password]@]host[:port][/database]');
  const parts = scheme![1]!.toLowerCase().split('+');
  const base = parts.pop();
  check(
    base === 'influxdb' && parts.length <= 1,
    `unknown DSN scheme "${scheme![1]}": use influxdb, https+influxdb or udp+influxdb`,
  );
  const modifier = parts[0];
  check(
    modifier === undefined || modifier === 'https' || modifier === 'udp',
    `unknown DSN modifier "${modifier}": use https or udp`,
  );
  const rest = dsn.slice(scheme![0].length);
  const at = rest.lastIndexOf('@', rest.search(/[/?#]|$/));
  const userInfo = at >= 0 ? rest.slice(0, at) : undefined;
  const afterUser = at >= 0 ? rest.slice(at + 1) : rest;
  const hostEnd = afterUser.search(/[/?#]|$/);
  const hostPort = afterUser.slice(0, hostEnd);
  const tail = afterUser.slice(hostEnd);
  check(!hostPort.includes(','), 'several hosts in one DSN are not supported: give one host');
  check(
    !/[?#]/.test(tail),
    'query strings and fragments in a DSN are not supported: pass options as overrides',
  );
  const hp = /^(\[[^\]]+\]|[^:[\]]*)(?::(\d*))?$/.exec(hostPort);
  check(hp !== null, `invalid host in DSN: ${JSON.stringify(hostPort)}`);
  const options: { -readonly [K in keyof InfluxDBClientOptions]: InfluxDBClientOptions[K] } = {};
  const host = hp![1]!.replace(/^\[|\]$/g, '');
  if (host) options.host = host;
  if (hp![2]) options.port = Number(hp![2]);
  if (userInfo !== undefined) {
    const colon = userInfo.indexOf(':');
    const username = decode(colon >= 0 ? userInfo.slice(0, colon) : userInfo);
    const password = colon >= 0 ? decode(userInfo.slice(colon + 1)) : undefined;
    registerSecret(password);
    if (username) options.username = username;
    if (password) options.password = password;
  }
  const path = tail;
  if (path.length > 1) options.database = decode(path.slice(1));
  if (modifier === 'https') options.ssl = true;
  if (modifier === 'udp') options.useUdp = true;
  return options;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new InterfaceError('invalid percent-encoding in DSN');
  }
}

/** A copy of the options for display: the password replaced (used by inspect and toString). */
export function describeOptions(options: ResolvedOptions): string {
  const scheme = options.ssl ? 'https' : 'http';
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const user = options.username === undefined ? '' : `${encodeURIComponent(options.username)}@`;
  const db = options.database === undefined ? '' : `, database: ${JSON.stringify(options.database)}`;
  return `${scheme}://${user}${host}:${options.port}${options.path}${db}${options.useUdp ? `, udp: ${options.udpPort}` : ''}`;
}
