/**
 * The forms `connection` takes in a Knex config, mapped onto connect()'s own: the lower layers
 * parse `flightsql://` URLs (parseConnectionUrl) and locations (`grpc://`, `grpc+tcp://`,
 * `grpc+tls://`, `host:port`); this module only undoes what Knex did to them.
 *
 * Knex parses a connection string itself, before any dialect code runs, into
 * `{ database, host, port, user, password, ...query }`, and drops the scheme. For such a string
 * the query still tells a `flightsql://` URL's `useEncryption`, and credentials in it make it one
 * (locations carry none); otherwise whether it said `grpc://` or `grpc+tls://` is gone, and the
 * address is asked whether it speaks TLS (`transportOf`).
 */
import { isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { InterfaceError, parseConnectionUrl, type ConnectOptions } from 'flightsql';

/**
 * What the dialect accepts as `connection` (or a connection function returns): a URL or
 * location, or connect() options with, as Knex users write them, `user` for `username`, the port
 * as text, and `url` (a URL or location the other fields add to).
 */
export type ConnectionSetting =
  | string
  | (Omit<ConnectOptions, 'port'> & {
      /** A `flightsql://` URL or a location that the other fields add to. */
      readonly url?: string;
      /** Knex's name for `username`. */
      readonly user?: string;
      /** The port, as a number or as text. */
      readonly port?: number | string;
    });

/** connect() options for a setting, and for a string Knex parsed without a word on encryption, its address. */
export interface ConnectionPlan {
  readonly options: ConnectOptions;
  /**
   * Set when Knex dropped the string's scheme (`grpc://`, `grpc+tls://`, `flightsql://`...) and
   * nothing else in it tells plaintext from TLS: `options` say TLS, `plaintext` the same without.
   */
  readonly schemeLost?: { readonly host: string; readonly port: number; readonly plaintext: ConnectOptions };
}

const URL_SCHEME = /^(flightsql|jdbc:arrow-flight-sql):\/\//i;

/** connect() options from what Knex holds as the connection settings (see ConnectionPlan for a string Knex parsed). */
export function connectOptionsOf(settings: unknown): ConnectOptions {
  return connectionPlan(settings).options;
}

/** Maps a connection setting onto connect() options; nothing but `metadata` and `database` becomes a header. */
export function connectionPlan(settings: unknown): ConnectionPlan {
  if (typeof settings === 'string') return { options: fromString(settings) };
  if (settings === null || typeof settings !== 'object') {
    throw new InterfaceError('connection: give a flightsql:// URL, a location, or connect() options');
  }
  const source = settings as Record<string, unknown>;
  // Knex hides the password (a non-enumerable property): a spread alone would drop it.
  const fields: Record<string, unknown> = { ...source };
  if (source['password'] !== undefined) fields['password'] = source['password'];
  // What Knex makes of a string that is no URL ('127.0.0.1:31337').
  if (Object.keys(fields).length === 1 && typeof fields['filename'] === 'string') {
    return { options: fromString(fields['filename']) };
  }
  if (parsedByKnex(source)) return fromKnexParse(fields as Record<string, string>);
  const { url, ...rest } = fields;
  const options = optionsOf(rest);
  if (url === undefined) return { options };
  if (typeof url !== 'string') throw new InterfaceError('connection.url must be a string');
  // As connect(url, options) merges them: the options win, headers merge.
  const base = fromString(url);
  const metadata = { ...base.metadata, ...options.metadata };
  return {
    options: { ...base, ...options, ...(Object.keys(metadata).length ? { metadata } : {}) },
  };
}

/** A `flightsql://` URL, or a location (`grpc://…`, `grpc+tls://…`, `host:port`), as connect() reads it. */
function fromString(text: string): ConnectOptions {
  return URL_SCHEME.test(text.trim()) ? { ...parseConnectionUrl(text) } : { host: text };
}

/** connect() options written as an object: the port may be text, `user` is `username`. */
function optionsOf(fields: Record<string, unknown>): ConnectOptions {
  const { user, port, ...rest } = fields;
  const options: Record<string, unknown> = { ...rest };
  if (user !== undefined && rest['username'] === undefined) options['username'] = String(user);
  if (port !== undefined && port !== '') options['port'] = portOf(port);
  return options as ConnectOptions;
}

function portOf(value: unknown): number {
  const port = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof port !== 'number' || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new InterfaceError(`connection.port must be a port number, not ${JSON.stringify(value)}`);
  }
  return port;
}

/**
 * Whether `settings` is what Knex's parser made of a URL string: text values only, `database`
 * (the URL's path) first, then `host`. Options written by hand put `host` first.
 */
function parsedByKnex(settings: Record<string, unknown>): boolean {
  const keys = Object.keys(settings);
  return (
    keys[0] === 'database' &&
    keys.includes('host') &&
    keys.every((key) => typeof settings[key] === 'string') &&
    !String(settings['host']).includes('://')
  );
}

/**
 * Rebuilds the URL Knex parsed and hands it to parseConnectionUrl: its query keeps its URL
 * meaning. Knex keeps `?database=` and the URL's path in one field, `database`: either way it is
 * the `database` header.
 */
function fromKnexParse(fields: Record<string, string>): ConnectionPlan {
  const { host, port, user, password, ...query } = fields;
  if (!query['database']) delete query['database'];
  const url = new URL('flightsql://placeholder');
  url.hostname = host!;
  if (port) url.port = port;
  if (user) url.username = encodeURIComponent(user);
  if (password) url.password = encodeURIComponent(password);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  const said = (name: string) => Object.keys(query).some((key) => key.toLowerCase() === name);
  const options = { ...parseConnectionUrl(url.toString()) };
  // Credentials or an explicit useEncryption make it a flightsql:// URL (locations carry none).
  if (said('useencryption') || said('token') || user || password || !port) return { options };
  url.searchParams.set('useEncryption', 'false');
  return {
    options,
    schemeLost: { host: host!, port: Number(port), plaintext: { ...parseConnectionUrl(url.toString()) } },
  };
}

/** Whether `host` is this machine, where no one on the network can stand between client and server. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/**
 * Whether `host:port` answers a TLS handshake; undefined when it cannot be reached (the real
 * connection will say why). Nothing is sent but a ClientHello: no credentials, no headers.
 */
export function speaksTls(host: string, port: number, timeoutMs = 5000): Promise<boolean | undefined> {
  const bare = host.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: bare,
      port,
      servername: isIP(bare) ? undefined : bare,
      rejectUnauthorized: false,
      ALPNProtocols: ['h2'],
    });
    let settled = false;
    const settle = (value: boolean | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => settle(undefined), timeoutMs);
    socket.once('secureConnect', () => settle(true));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? '';
      // A TLS alert (a client certificate required, say) comes from a server that speaks TLS.
      settle(UNREACHABLE.has(code) ? undefined : /ALERT/.test(code));
    });
    // Closed before a handshake: a server that does not speak TLS hung up on our ClientHello.
    socket.once('close', () => settle(false));
  });
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
]);

/**
 * The options to connect with for a plan: for a string whose scheme Knex dropped, what the
 * address speaks, asked once per address (`cache`). An address on this machine is followed
 * (plaintext or TLS); elsewhere TLS is never given up on a guess: a plaintext server there is an
 * InterfaceError that says how to write the connection so that it says so.
 */
export async function transportOf(
  plan: ConnectionPlan,
  cache: Map<string, Promise<boolean>>,
  probe: typeof speaksTls = speaksTls,
): Promise<ConnectOptions> {
  const lost = plan.schemeLost;
  if (!lost) return plan.options;
  const key = `${lost.host}:${lost.port}`;
  let known = cache.get(key);
  if (!known) {
    known = probe(lost.host, lost.port).then((tls) => {
      if (tls === undefined) cache.delete(key); // unreachable now: ask again next time
      return tls ?? true;
    });
    cache.set(key, known);
  }
  if (await known) return plan.options;
  if (isLoopback(lost.host)) return lost.plaintext;
  throw new InterfaceError(
    `the server at ${key} speaks plaintext, but Knex parsed the connection string itself and dropped its ` +
      `scheme, so whether it asked for TLS is unknown; TLS is not given up on a guess for an address off this ` +
      `machine. Write connection: { host: 'grpc://${key}' } (or 'grpc+tls://...'), or a flightsql:// URL ` +
      `with useEncryption=false`,
  );
}
