/**
 * Where a client's credentials may follow a FlightInfo's endpoint locations.
 *
 * A FlightInfo comes from the server, and so do its locations. Without a rule, a hostile or
 * compromised server, or anyone who can rewrite a plaintext answer, could send the client to a
 * host of its choosing. The client would then present the token, the basic-auth password, the
 * session cookies and the user's headers there, maybe in plaintext on a TLS connection's
 * behalf. The rule is curl's (`--location-trusted` widens it): credentials go to the origin,
 * and elsewhere only over verified TLS or to locations the user trusts.
 */
import { InterfaceError } from '../errors';
import { locationUri, parseLocation, type Endpoint } from './options';

/**
 * Locations, besides the origin and verified TLS ones, that may receive the client's
 * credentials: `true` for every location (curl's `--location-trusted`); a list of hosts, each
 * `host`, `host:port`, `[ipv6]:port` or a location URI (which must then match in scheme too); or
 * a function of the location URI (normalised, e.g. `grpc+tcp://10.0.0.7:31337`) and the origin's.
 */
export type TrustedLocations = boolean | readonly string[] | ((location: string, origin: string) => boolean);

/** What the rule needs to know about a client that would follow a location. */
export interface CredentialScope {
  /** The endpoint the user configured (scheme, host and port). */
  readonly origin: Endpoint;
  /** True when the client sends a token, basic-auth credentials, cookies or user headers. */
  readonly credentialed: boolean;
  /** False when TLS certificates are not verified (`disableCertificateVerification`). */
  readonly verifiesTls: boolean;
  readonly trusted?: TrustedLocations;
}

/**
 * True when `location` is the origin: the same TLS or plaintext, host (case-insensitive) and
 * port. `arrow-flight-reuse-connection://?` also means the origin, but callers recognise it first.
 */
export function isOrigin(origin: Endpoint, location: Endpoint): boolean {
  return (
    origin.tls === location.tls &&
    origin.port === location.port &&
    origin.host.toLowerCase() === location.host.toLowerCase()
  );
}

/**
 * Checks that a client in `scope` may take its credentials to `uri` (a location other than
 * `arrow-flight-reuse-connection://?`). Passes for the origin, for any location when the client
 * has no credentials, for TLS locations whose certificate is verified, and for trusted
 * locations. Otherwise throws an InterfaceError that names the location and `trustedLocations`.
 * A location that does not parse throws the parser's InterfaceError.
 */
export function checkCredentialScope(uri: string, scope: CredentialScope): void {
  const location = parseLocation(uri);
  if (isOrigin(scope.origin, location) || !scope.credentialed) return;
  if (location.tls && scope.verifiesTls) return;
  if (isTrusted(location, scope)) return;
  const origin = locationUri(scope.origin);
  const why = !location.tls
    ? scope.origin.tls
      ? `it is plaintext, and the origin ${origin} uses TLS: that would be a downgrade`
      : `it is plaintext and not the origin ${origin}`
    : `its TLS certificate would not be verified (disableCertificateVerification) and it is not the origin ${origin}`;
  throw new InterfaceError(
    `refused to follow location ${locationUri(location)} with this client's credentials (token, basic auth, ` +
      `cookies, headers): ${why}. Credentials go only to the origin and to TLS locations; add this ` +
      `location to trustedLocations to send them there anyway`,
  );
}

function isTrusted(location: Endpoint, scope: CredentialScope): boolean {
  const trusted = scope.trusted;
  if (trusted === undefined || trusted === false) return false;
  if (trusted === true) return true;
  if (typeof trusted === 'function')
    return trusted(locationUri(location), locationUri(scope.origin)) === true;
  return trusted.some((entry) => matchesEntry(entry, location));
}

/** `host`, `host:port`, `[ipv6]`, `[ipv6]:port`, a bare IPv6 address, or a location URI. */
function matchesEntry(entry: string, location: Endpoint): boolean {
  const text = entry.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    try {
      return isOrigin(parseLocation(text), location);
    } catch {
      return false;
    }
  }
  const match =
    /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ??
    /^([^:]+)(?::(\d+))?$/.exec(text) ??
    // A bare IPv6 address (several colons, no brackets) carries no port.
    /^([0-9a-f:.]+)()$/i.exec(text);
  if (!match) return false;
  const host = match[1]!.toLowerCase();
  if (host !== location.host.toLowerCase()) return false;
  return !match[2] || Number(match[2]) === location.port;
}

/**
 * True when client options carry something the rule protects: a token, basic-auth credentials
 * or headers of the user's (`database` included). Cookies never travel: each client keeps its
 * own jar, as a browser keeps one per site.
 */
export function carriesCredentials(options: {
  readonly token?: string;
  readonly username?: string;
  readonly password?: string;
  readonly headers?: Readonly<Record<string, string>>;
}): boolean {
  return (
    Boolean(options.token) ||
    options.username !== undefined ||
    options.password !== undefined ||
    Object.keys(options.headers ?? {}).length > 0
  );
}
