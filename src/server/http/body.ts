/**
 * Reading a write request's body: streamed chunk by chunk, gunzipped on the fly when
 * `Content-Encoding: gzip`, and refused with 413 as soon as it (decompressed) passes the limit,
 * so that memory stays bounded by the limit whatever the client sends (a gzip bomb included).
 *
 * A refused request's body is then read and dropped (up to DISCARD_BYTES) before the answer, so
 * that a client still sending gets to read the 413 (or 401...) instead of a reset.
 */
import type { IncomingMessage } from 'node:http';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { HttpError } from './responses';

/** Default largest body, after decompression: 10 MB, as InfluxDB's default. */
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * At most this many bytes of a refused request's body are read and dropped before answering
 * (64 MiB): past that (or with a larger Content-Length) the answer goes out at once and the
 * connection is closed, and a client still sending may see a reset instead.
 */
export const DISCARD_BYTES = 64 * 1024 * 1024;

/** The 413 of a body over `limit`. */
export const tooLarge = (limit: number) =>
  new HttpError(413, `request body too large: more than ${limit} bytes (after decompression)`);

/** True when the request declares a plain (not compressed) body over `limit`. */
export function declaredTooLarge(req: IncomingMessage, limit: number): boolean {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  // Compressed data could still expand: only plain bodies are judged by their declared length.
  return encoding === 'identity' && Number(req.headers['content-length'] ?? 0) > limit;
}

/**
 * Reads and drops what is left of `req`'s body, up to `bound` bytes; resolves when the body has
 * ended, at once when more than `bound` is declared, or as soon as `bound` is passed.
 */
export function discardBody(req: IncomingMessage, bound = DISCARD_BYTES): Promise<void> {
  if (req.complete || req.destroyed || Number(req.headers['content-length'] ?? 0) > bound) {
    return Promise.resolve();
  }
  return new Promise<void>((resolve) => {
    let dropped = 0;
    const done = () => {
      req.removeListener('data', onData);
      req.removeListener('end', done);
      req.removeListener('close', done);
      req.removeListener('error', done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      dropped += chunk.length;
      if (dropped > bound) {
        req.pause();
        done();
      }
    };
    req.on('data', onData);
    req.once('end', done);
    req.once('close', done);
    req.once('error', done);
    req.resume();
  });
}

/** The body of `req` as text (UTF-8). Throws HttpError 413, 415 or 400. */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== 'x-gzip') {
    throw new HttpError(415, `unsupported Content-Encoding '${encoding}': send identity or gzip`);
  }
  const gzip = encoding !== 'identity';
  // A declared length over the limit needs no collecting (the listener drops the body).
  if (declaredTooLarge(req, limit)) throw tooLarge(limit);
  const bytes = await collect(req, gzip, limit);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, 'the request body is not valid UTF-8');
  }
}

function collect(req: IncomingMessage, gzip: boolean, limit: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const gunzip = gzip ? createGunzip() : undefined;
    const source: Readable = gunzip ? req.pipe(gunzip) : req;
    const chunks: Buffer[] = [];
    let total = 0;
    let done = false;
    const finish = (err: Error | undefined) => {
      if (done) return;
      done = true;
      source.removeListener('data', onData);
      if (err) {
        if (gunzip) {
          req.unpipe(gunzip);
          gunzip.destroy();
        }
        // The listener drops the rest of the body (counted) before it answers.
        req.pause();
        reject(err);
      } else resolve(Buffer.concat(chunks, total));
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > limit) finish(tooLarge(limit));
      else chunks.push(chunk);
    };
    source.on('data', onData);
    source.once('end', () => finish(undefined));
    source.once('error', (err: Error) =>
      finish(gzip ? new HttpError(400, `invalid gzip body: ${err.message}`) : err),
    );
    if (gzip) req.once('error', (err: Error) => finish(err));
    req.once('close', () => {
      if (!req.complete) finish(new HttpError(400, 'the client went away before the body was complete'));
    });
  });
}
