/**
 * The undici dispatcher of an InfluxDB client: a keep-alive pool per client, TLS settings,
 * and a proxy when one applies. With a proxy it is undici's EnvHttpProxyAgent fed with the
 * settings options.ts resolved (so NO_PROXY is matched exactly as undici matches it): plain
 * forwarding (absolute URIs) for http servers, a CONNECT tunnel for https ones.
 */
import { readFileSync } from 'node:fs';
import { Agent, EnvHttpProxyAgent, Pool, type Dispatcher } from 'undici';
import type { ProxySettings } from './options';

/** TLS settings of the connections to the server (node:tls names). */
export interface TlsSettings {
  readonly rejectUnauthorized: boolean;
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

/** What the dispatcher of one client needs to know. */
export interface DispatcherSettings {
  /** The server speaks HTTPS. */
  readonly ssl: boolean;
  /** Connections kept to the server at most. */
  readonly poolSize: number;
  /** Longest wait for a connection (default undici's, 10 s). */
  readonly connectTimeoutMs?: number;
  /** TLS settings (HTTPS only). */
  readonly tls?: TlsSettings;
  /** The proxy, if any. */
  readonly proxy?: ProxySettings;
}

// Idle connections are kept this long (undici's default, 4 s, reconnects writers that send
// every few seconds); a server's `Keep-Alive: timeout=N` shortens it.
const KEEP_ALIVE_MS = 30_000;

/** A dispatcher for one client's server; `destroy()` it to free every socket. */
export function createDispatcher(settings: DispatcherSettings): Dispatcher {
  const pool = {
    connections: settings.poolSize,
    keepAliveTimeout: KEEP_ALIVE_MS,
    // The transport's deadlines decide; undici's would end any call at 300 s.
    headersTimeout: 0,
    bodyTimeout: 0,
  };
  const connect = {
    ...settings.tls,
    ...(settings.connectTimeoutMs === undefined ? {} : { timeout: settings.connectTimeoutMs }),
  };
  if (!settings.proxy) return new Agent({ ...pool, connect });
  const { uri, noProxy } = settings.proxy;
  return new EnvHttpProxyAgent({
    ...pool,
    connect,
    // TLS to the server inside the tunnel.
    requestTls: connect,
    // Forwarding for http servers (what proxies' access logs and filters expect), as before.
    proxyTunnel: false,
    // Every pool, the one to the proxy included, holds at most `poolSize` connections.
    factory: (origin: string | URL, options: object) => new Pool(origin, { ...pool, ...options }),
    // Given explicitly, so that undici reads nothing from the environment itself.
    httpProxy: settings.ssl ? '' : uri,
    httpsProxy: settings.ssl ? uri : '',
    noProxy,
  });
}

/** TLS settings from influxdb-python's `verify_ssl` (true, false or a CA file) and `cert`. */
export function tlsSettings(
  verifySsl: boolean | string,
  cert: string | readonly [string, string] | undefined,
): TlsSettings {
  const settings: { -readonly [K in keyof TlsSettings]: TlsSettings[K] } = {
    rejectUnauthorized: verifySsl !== false,
  };
  if (typeof verifySsl === 'string') settings.ca = readFileSync(verifySsl);
  if (typeof cert === 'string') {
    const pem = readFileSync(cert);
    settings.cert = pem;
    settings.key = pem;
  } else if (cert) {
    settings.cert = readFileSync(cert[0]);
    settings.key = readFileSync(cert[1]);
  }
  return settings;
}
