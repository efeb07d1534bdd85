/**
 * A minimal cookie jar for one client: keeps what the server sets (`set-cookie` response
 * headers) and sends it back (`cookie`), which Flight SQL sessions rely on.
 */
import type { MetadataValue } from '@grpc/grpc-js';

export class CookieJar {
  readonly #cookies = new Map<string, { value: string; expires: number }>();

  /** Stores every `set-cookie` value; `Max-Age=0` or a past `Expires` deletes the cookie. */
  store(values: readonly MetadataValue[]): void {
    for (const raw of values) {
      const [pair, ...attributes] = String(raw).split(';');
      const eq = pair!.indexOf('=');
      if (eq <= 0) continue;
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      let expires = Infinity;
      for (const attribute of attributes) {
        const [key, arg = ''] = attribute.split('=').map((s) => s.trim());
        const lower = key!.toLowerCase();
        if (lower === 'max-age') expires = Date.now() + Number(arg) * 1000;
        else if (lower === 'expires' && expires === Infinity) {
          const at = Date.parse(arg);
          if (!Number.isNaN(at)) expires = at;
        }
      }
      if (expires <= Date.now()) this.#cookies.delete(name);
      else this.#cookies.set(name, { value, expires });
    }
  }

  /** The `cookie` header to send, or undefined when the jar is empty. */
  header(): string | undefined {
    const now = Date.now();
    const parts: string[] = [];
    for (const [name, cookie] of this.#cookies) {
      if (cookie.expires <= now) this.#cookies.delete(name);
      else parts.push(`${name}=${cookie.value}`);
    }
    return parts.length ? parts.join('; ') : undefined;
  }
}
