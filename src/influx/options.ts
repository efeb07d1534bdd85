/**
 * The one place where the clients' options, their defaults, DSNs, connection strings and
 * environment variables (INFLUX_*, HTTP_PROXY...) are read and checked.
 */
import { InterfaceError, redact, registerSecret } from '../errors';
import type { InfluxDBClient3Options } from './InfluxDBClient3';
import type { Precision } from './timestamps';

/**
 * HTTP(S) proxies by target scheme, as requests' `proxies` (`{ http: 'http://proxy:3128' }`).
 * Given, they replace HTTP_PROXY, HTTPS_PROXY and NO_PROXY entirely (`{}` turns proxies off).
 */
export interface Proxies {
  /** The proxy of `http://` servers: requests are forwarded (absolute URIs). */
  readonly http?: string;
  /** The proxy of `https://` servers: a CONNECT tunnel. */
  readonly https?: string;
  /** Hosts reached directly, in NO_PROXY's syntax (`localhost,.internal:8086`, `*` for all). */
  readonly noProxy?: string;
}

/** The proxy requests to the server go through (unless its host matches `noProxy`). */
export interface ProxySettings {
  /** `http://[user:password@]host:port` of the proxy. */
  readonly uri: string;
  /** Hosts that bypass it, in NO_PROXY's syntax, matched as undici matches them. */
  readonly noProxy: string;
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
  /**
   * Seconds each attempt of a call may wait, as influxdb-python's `timeout` (requests'
   * connect and read timeouts): to connect, for the answer, then for each piece of its body
   * (default: no limit, but 10 s to connect).
   */
  readonly timeout?: number;
  /** Attempts per call on network errors (default 3; 0 tries until success), as influxdb-python. */
  readonly retries?: number;
  /** Send `writePoints` over UDP instead of HTTP (default false). */
  readonly useUdp?: boolean;
  /** UDP port of the server's `[[udp]]` listener (default 4444). */
  readonly udpPort?: number;
  /**
   * Proxies by scheme; HTTPS goes through a CONNECT tunnel. Without it, HTTP_PROXY,
   * HTTPS_PROXY and NO_PROXY (or their lower-case forms) apply, as undici reads them.
   */
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
  /** The proxy in use, from `proxies` or the environment; undefined: none. */
  readonly proxy?: ProxySettings;
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

/**
 * Applies influxdb-python's defaults (except credentials and certificate checks) and checks
 * every option; `env` supplies the proxy variables when `proxies` is not given.
 */
export function resolveOptions(
  options: InfluxDBClientOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ResolvedOptions {
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
  checkProxies(options.proxies);
  registerSecret(options.password);
  const proxy = resolveProxy(options.proxies, ssl ? 'https' : 'http', env);
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
    ...(proxy ? { proxy } : {}),
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

function checkProxies(proxies: Proxies | undefined): void {
  for (const [key, value] of Object.entries(proxies ?? {})) {
    check(
      key === 'http' || key === 'https' || key === 'noProxy',
      `unknown proxies key ${JSON.stringify(key)}: use http, https or noProxy`,
    );
    if (value === undefined) continue;
    check(typeof value === 'string', `proxies.${key} must be a string`);
    if (key === 'noProxy') continue;
    check(
      /^https?:\/\/[^/]+/i.test(value) && registerProxySecret(value),
      `invalid ${key} proxy: expected http://host:port`,
    );
  }
}

/**
 * The proxy of requests to an `http` or `https` server: from `proxies` when given (the
 * environment is then not read at all), else from the environment as undici's
 * EnvHttpProxyAgent reads it: `http_proxy ?? HTTP_PROXY`; for https `https_proxy ??
 * HTTPS_PROXY`, falling back to the http proxy; `no_proxy ?? NO_PROXY`. A proxy without a
 * scheme is taken as `http://`. Undefined: requests go straight to the server.
 */
export function resolveProxy(
  proxies: Proxies | undefined,
  scheme: 'http' | 'https',
  env: NodeJS.ProcessEnv = process.env,
): ProxySettings | undefined {
  if (proxies !== undefined) {
    const uri = proxies[scheme];
    return uri ? { uri, noProxy: proxies.noProxy ?? '' } : undefined;
  }
  const httpProxy = env['http_proxy'] ?? env['HTTP_PROXY'];
  const value = scheme === 'https' ? (env['https_proxy'] ?? env['HTTPS_PROXY'] ?? httpProxy) : httpProxy;
  if (!value) return undefined;
  const uri = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  check(
    /^https?:\/\/[^/]+/i.test(uri) && registerProxySecret(uri),
    `invalid ${scheme}_proxy in the environment: expected http://host:port`,
  );
  return { uri, noProxy: env['no_proxy'] ?? env['NO_PROXY'] ?? '' };
}

/** Registers a proxy URL's password (as written and decoded) as a secret; false if the URL does not parse. */
function registerProxySecret(url: string): boolean {
  try {
    const { password } = new URL(url);
    registerSecret(password);
    registerSecret(decodeURIComponent(password));
    return true;
  } catch {
    return false;
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

// ---------------------------------------------------------------------------------------------
// InfluxDBClient3: connection strings and INFLUX_* variables, as @influxdata/influxdb3-client
// reads them (`fromConnectionString`, `fromEnv`), with stricter checks.

type Mutable3 = { -readonly [K in keyof InfluxDBClient3Options]: InfluxDBClient3Options[K] };

/** Connection-string parameters and the INFLUX_* variables, by option. */
const SETTINGS = {
  token: ['token', 'INFLUX_TOKEN'],
  authScheme: ['authScheme', 'INFLUX_AUTH_SCHEME'],
  database: ['database', 'INFLUX_DATABASE'],
  org: ['org', 'INFLUX_ORG'],
  timeout: ['timeout', 'INFLUX_TIMEOUT'],
  precision: ['precision', 'INFLUX_PRECISION'],
  gzipThreshold: ['gzipThreshold', 'INFLUX_GZIP_THRESHOLD'],
  noSync: ['writeNoSync', 'INFLUX_WRITE_NO_SYNC'],
} as const;

/**
 * Parses a connection string as @influxdata/influxdb3-client does:
 * `https://host:8181[/path]?token=…&database=…`, with the parameters `token`, `authScheme`,
 * `database`, `org`, `timeout` (ms), `precision` (`ns`, `us`, `ms`, `s` or `nanosecond`...),
 * `gzipThreshold` (bytes) and `writeNoSync` (true/false). A host without a scheme is HTTPS.
 * Unlike the official client, an unknown parameter or a bad value is an InterfaceError.
 */
export function parseConnectionString(text: string): InfluxDBClient3Options {
  check(typeof text === 'string' && text.trim() !== '', 'the connection string is empty');
  const trimmed = text.trim();
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`);
  } catch {
    throw new InterfaceError(`invalid connection string: ${redact(trimmed)}`);
  }
  const values = new Map<string, string>();
  const known = new Map<string, keyof typeof SETTINGS>();
  for (const [option, [param]] of Object.entries(SETTINGS)) known.set(param, option as keyof typeof SETTINGS);
  for (const [name, value] of url.searchParams) {
    const option = known.get(name);
    check(
      option !== undefined,
      `unknown connection string parameter ${JSON.stringify(name)}: use ${[...known.keys()].join(', ')}`,
    );
    values.set(option!, value);
  }
  registerSecret(values.get('token'));
  const host = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  return settingsToOptions(
    host,
    (option) => values.get(option),
    (option) => SETTINGS[option][0],
  );
}

/**
 * The InfluxDB 3 settings of the environment (@influxdata/influxdb3-client's `fromEnv`):
 * INFLUX_HOST, INFLUX_TOKEN, INFLUX_AUTH_SCHEME, INFLUX_DATABASE, INFLUX_ORG, INFLUX_TIMEOUT
 * (ms), INFLUX_PRECISION, INFLUX_GZIP_THRESHOLD, INFLUX_WRITE_NO_SYNC and INFLUX_GRPC_OPTIONS
 * (`name=value,...` grpc-js channel options). Unset or empty variables are left out.
 */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): InfluxDBClient3Options {
  const get = (name: string) => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  registerSecret(get('INFLUX_TOKEN'));
  const options = settingsToOptions(
    get('INFLUX_HOST'),
    (option) => get(SETTINGS[option][1]),
    (option) => SETTINGS[option][1],
  ) as Mutable3;
  const grpc = get('INFLUX_GRPC_OPTIONS');
  if (grpc !== undefined) options.flightOptions = { channelOptions: grpcOptions(grpc) };
  return options;
}

/**
 * `options` over the environment's settings (what `new InfluxDBClient3(options)` uses): each
 * option given wins, write options one by one.
 */
export function withEnvDefaults(
  options: InfluxDBClient3Options,
  env: NodeJS.ProcessEnv = process.env,
): InfluxDBClient3Options {
  const fromEnv = optionsFromEnv(env);
  const merged: Mutable3 = { ...fromEnv };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  if (fromEnv.writeOptions && options.writeOptions) {
    merged.writeOptions = { ...fromEnv.writeOptions, ...definedOf(options.writeOptions) };
  }
  if (fromEnv.flightOptions && options.flightOptions) {
    merged.flightOptions = { ...fromEnv.flightOptions, ...definedOf(options.flightOptions) };
  }
  return merged;
}

function definedOf<T extends object>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function settingsToOptions(
  host: string | undefined,
  get: (option: keyof typeof SETTINGS) => string | undefined,
  name: (option: keyof typeof SETTINGS) => string,
): InfluxDBClient3Options {
  const read = <T>(option: keyof typeof SETTINGS, parse: (text: string, name: string) => T) => {
    const text = get(option);
    return text === undefined ? undefined : parse(text, name(option));
  };
  const text = (t: string) => t;
  const options: Mutable3 = definedOf({
    host,
    token: read('token', text),
    authScheme: read('authScheme', text),
    database: read('database', text),
    org: read('org', text),
    timeoutMs: read('timeout', (t, n) => integer(t, n, 1)),
  });
  const write = definedOf({
    precision: read('precision', precisionOf),
    gzipThreshold: read('gzipThreshold', (t, n) => integer(t, n, 0)),
    noSync: read('noSync', flag),
  });
  if (Object.keys(write).length > 0) options.writeOptions = write;
  return options;
}

function integer(text: string, name: string, min: number): number {
  const value = Number(text);
  check(
    /^\d+$/.test(text) && value >= min,
    `${name} must be an integer >= ${min}, not ${JSON.stringify(text)}`,
  );
  return value;
}

const TRUE = new Set(['true', '1', 't', 'y', 'yes']);
const FALSE = new Set(['false', '0', 'f', 'n', 'no']);

function flag(text: string, name: string): boolean {
  const lower = text.trim().toLowerCase();
  check(TRUE.has(lower) || FALSE.has(lower), `${name} must be true or false, not ${JSON.stringify(text)}`);
  return TRUE.has(lower);
}

const PRECISION_WORDS: Readonly<Record<string, Precision>> = {
  ns: 'ns',
  nanosecond: 'ns',
  us: 'us',
  microsecond: 'us',
  ms: 'ms',
  millisecond: 'ms',
  s: 's',
  second: 's',
};

function precisionOf(text: string, name: string): Precision {
  const precision = PRECISION_WORDS[text.trim().toLowerCase()];
  check(precision !== undefined, `${name} must be ns, us, ms or s, not ${JSON.stringify(text)}`);
  return precision!;
}

/** `name=value,...` as grpc-js channel options: integers, then numbers, else text. */
function grpcOptions(text: string): Record<string, string | number> {
  const options: Record<string, string | number> = {};
  for (const pair of text.split(',')) {
    const [name, value, ...rest] = pair.split('=');
    check(
      name !== undefined && name.trim() !== '' && value !== undefined && rest.length === 0,
      `INFLUX_GRPC_OPTIONS: expected name=value pairs separated by commas, not ${JSON.stringify(pair)}`,
    );
    const v = value!.trim();
    options[name!.trim()] = v !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
  }
  return options;
}
