/**
 * The credential check of the HTTP write endpoints, in the forms InfluxDB clients send them:
 *
 * - the server's token as `Authorization: Bearer <token>` or `Token <token>` on every API, and
 *   on v1 also as the password of Basic auth or of the `u`/`p` query parameters (any user
 *   name), as InfluxDB 3's v1 compatibility takes it;
 * - when the server has a username and password (the Flight Handshake's), those as Basic auth
 *   on every API, or `u`/`p` on v1.
 *
 * Secrets are compared in constant time and never appear in a message.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { WriteApi } from './precision';
import { HttpError } from './responses';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

// Both sides hashed: equal lengths for timingSafeEqual, and no length leak.
const same = (offered: string, expected: Buffer) => timingSafeEqual(digest(offered), expected);

/** The server's credentials. */
export interface HttpCredentials {
  readonly token?: string;
  readonly username?: string;
  readonly password?: string;
}

/** What a request offers: a token, or a user and password. */
type Offered = { token: string } | { user: string; password: string };

/** Checks requests against the server's credentials. */
export class HttpAuth {
  readonly #token: Buffer | undefined;
  readonly #user: { name: Buffer; password: Buffer } | undefined;

  constructor(credentials: HttpCredentials) {
    this.#token = credentials.token === undefined ? undefined : digest(credentials.token);
    this.#user =
      credentials.username === undefined
        ? undefined
        : { name: digest(credentials.username), password: digest(credentials.password ?? '') };
  }

  /** An HttpAuth when the server has credentials, else undefined (writes are open). */
  static for(credentials: HttpCredentials): HttpAuth | undefined {
    return credentials.token === undefined && credentials.username === undefined
      ? undefined
      : new HttpAuth(credentials);
  }

  /** Throws HttpError 401 unless `req` (to `api`, with query `params`) carries valid credentials. */
  check(req: IncomingMessage, params: URLSearchParams, api: WriteApi): void {
    const offered = credentials(req, params, api);
    if (offered === undefined) {
      const forms =
        api === 'v1'
          ? 'Authorization: Token <token> (or Bearer), Basic auth, or u=&p='
          : 'Authorization: Token <token> (or Bearer)';
      throw new HttpError(401, `authorization required: send ${forms}`);
    }
    if (!this.#accepts(offered)) throw new HttpError(401, 'authorization failed');
  }

  #accepts(offered: Offered): boolean {
    if ('token' in offered) return this.#token !== undefined && same(offered.token, this.#token);
    // A password is the token (any user name) or the configured user's password.
    if (this.#token !== undefined && same(offered.password, this.#token)) return true;
    const user = this.#user;
    if (user === undefined) return false;
    // Both compared, always: the time taken does not tell which one was wrong.
    const nameOk = same(offered.user, user.name);
    const passwordOk = same(offered.password, user.password);
    return nameOk && passwordOk;
  }
}

/** The credentials a request offers, or undefined when it offers none in a form `api` takes. */
function credentials(req: IncomingMessage, params: URLSearchParams, api: WriteApi): Offered | undefined {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const space = header.indexOf(' ');
    const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
    const value = space < 0 ? '' : header.slice(space + 1).trim();
    if (scheme === 'bearer' || scheme === 'token') return { token: value };
    if (scheme === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
  }
  if (api === 'v1') {
    const password = params.get('p');
    if (password !== null) return { user: params.get('u') ?? '', password };
  }
  return undefined;
}
