/**
 * The embedded server's HTTP listener (node:http, no framework): InfluxDB's write endpoints
 * into DuckDB, plus `/ping` and `/health` for clients that probe before writing.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { redact, messageOf } from '../../errors';
import type { DuckDBEngine } from '../DuckDBEngine';
import { HttpAuth } from './auth';
import { DEFAULT_MAX_BODY_BYTES, declaredTooLarge, discardBody, tooLarge } from './body';
import { DuckDBWriter } from './duckdbWriter';
import type { WriteApi } from './precision';
import { HttpError, sendError } from './responses';
import { handleWrite, type WriteContext } from './writeEndpoint';

/** Options of the HTTP write handling. */
export interface HttpHandlerOptions {
  readonly engine: DuckDBEngine;
  /** When set, writes need this token (probes do not). */
  readonly token?: string;
  /** When set, writes may also authenticate with this user and password (Basic, or v1 `u`/`p`). */
  readonly username?: string;
  readonly password?: string;
  /** Largest write body after decompression (default 10 MB). */
  readonly maxBodyBytes?: number;
}

/** Options of a separate HTTP listener. */
export interface HttpListenerOptions extends HttpHandlerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
}

/** The write endpoints as a node:http server that listens nowhere: connections are handed to it. */
export interface HttpHandler {
  /** Takes connections by `server.emit('connection', socket)` (plain or TLS sockets). */
  readonly server: Server;
  /** Requests in flight get a moment to finish, then their connections are cut. */
  close(): Promise<void>;
}

/** A listening HTTP listener. */
export interface HttpListener {
  /** `http://host:port`. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting; requests in flight get a moment to finish, then their connections are cut. */
  close(): Promise<void>;
}

const WRITE_PATHS: Readonly<Record<string, WriteApi>> = {
  '/api/v3/write_lp': 'v3',
  '/api/v2/write': 'v2',
  '/write': 'v1',
};

/** How long close() lets requests in flight finish before cutting their connections. */
const CLOSE_GRACE_MS = 1000;

/** The write endpoints over `options.engine`, for connections handed over by another listener. */
export function createHttpHandler(options: HttpHandlerOptions): HttpHandler {
  const context: WriteContext = {
    writer: new DuckDBWriter(options.engine),
    auth: HttpAuth.for(options),
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
  };
  const inFlight = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    const done = route(req, res, context).finally(() => inFlight.delete(done));
    inFlight.add(done);
  });
  // A body declared too large behind `Expect: 100-continue` is refused before it is sent.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (declaredTooLarge(req, context.maxBodyBytes)) {
      refuseLarge(res, WRITE_PATHS[pathOf(req)], context.maxBodyBytes);
      return;
    }
    res.writeContinue();
    server.emit('request', req, res);
  });
  // node:http tracks connections (for closeIdleConnections, closeAllConnections and its header
  // and request timeouts) from its 'listening' event on; this server gets its connections
  // handed over and never listens itself.
  server.emit('listening');
  let closing: Promise<void> | undefined;
  // The writer's connection goes once no request can reach it any more.
  return { server, close: () => (closing ??= close(server, inFlight).finally(() => context.writer.close())) };
}

/** Starts a listener of its own for the write endpoints; resolves once it listens. */
export async function startHttpListener(options: HttpListenerOptions): Promise<HttpListener> {
  const handler = createHttpHandler(options);
  const { server } = handler;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const address = options.host.includes(':') ? `[${options.host}]` : options.host;
  return { url: `http://${address}:${port}`, port, close: handler.close };
}

async function close(server: Server, inFlight: Set<Promise<void>>): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)));
  await Promise.race([Promise.allSettled([...inFlight]), grace]);
  clearTimeout(timer);
  server.closeAllConnections();
  await closed;
}

/** The request's path, without trailing slashes. */
function pathOf(req: IncomingMessage): string {
  let pathname: string;
  try {
    pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    return '/';
  }
  return pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
}

/** Dispatches one request; never rejects (every failure becomes an answer). */
async function route(req: IncomingMessage, res: ServerResponse, context: WriteContext): Promise<void> {
  let api: WriteApi | undefined;
  try {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = pathOf(req);
    api = WRITE_PATHS[path];
    if (api !== undefined) {
      if (req.method !== 'POST')
        throw new HttpError(405, `${req.method} is not allowed on ${path}: use POST`, { Allow: 'POST' });
      await handleWrite(api, req, res, url.searchParams, context);
    } else if (path === '/ping' || path === '/health') {
      probe(req, res, path);
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('404 page not found\n');
    }
  } catch (err) {
    // A client still sending its body reads no answer until it is done (or sees a reset if the
    // connection closes first): drop the body, within a bound, before answering.
    await discardBody(req);
    if (err instanceof HttpError) {
      // A body not read to its end leaves the connection unusable: close it after the answer.
      const headers = req.complete ? err.headers : { ...err.headers, Connection: 'close' };
      sendError(res, api, err.status, err.message, headers);
    } else {
      sendError(res, api, 500, `internal error: ${redact(messageOf(err))}`);
    }
  }
}

/** `/ping` answers 204 as InfluxDB 1.x does; `/health` 200 with InfluxDB 2's JSON. */
function probe(req: IncomingMessage, res: ServerResponse, path: string): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('405 method not allowed\n');
    return;
  }
  if (path === '/ping') {
    res.writeHead(204, { 'X-Influxdb-Build': 'flightsql', 'X-Influxdb-Version': 'flightsql-embedded' });
    res.end();
    return;
  }
  const body = JSON.stringify({ name: 'flightsql', message: 'ready for writes', status: 'pass' });
  res.writeHead(200, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Answers 413 to a request whose body was not sent (`Expect: 100-continue`) and closes. */
function refuseLarge(res: ServerResponse, api: WriteApi | undefined, limit: number): void {
  sendError(res, api, 413, tooLarge(limit).message, { Connection: 'close' });
}
