/**
 * Reading a write request's body: streamed chunk by chunk, gunzipped on the fly when
 * `Content-Encoding: gzip`, and refused with 413 as soon as it (decompressed) passes the limit,
 * so that memory stays bounded by the limit whatever the client sends (a gzip bomb included).
 */
import type { IncomingMessage } from 'node:http';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { HttpError } from './responses';

/** Default largest body, after decompression: 10 MB, as InfluxDB's default. */
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

const tooLarge = (limit: number) =>
  new HttpError(413, `request body too large: more than ${limit} bytes (after decompression)`);

/** The body of `req` as text (UTF-8). Throws HttpError 413, 415 or 400. */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== 'x-gzip') {
    throw new HttpError(415, `unsupported Content-Encoding '${encoding}': send identity or gzip`);
  }
  const gzip = encoding !== 'identity';
  // A declared length over the limit needs no reading (compressed data could still expand, so
  // only plain bodies are judged by it).
  if (!gzip && Number(req.headers['content-length'] ?? 0) > limit) throw tooLarge(limit);
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
        // The rest of the body is read and dropped, so that the client gets to read our answer
        // (the listener closes the connection after it).
        req.resume();
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
