/**
 * A hostile gRPC server: plain node:http2, so that a test scripts every byte of the answer,
 * including gRPC length prefixes that lie about what follows, streams that freeze, and
 * FlightInfos that point elsewhere. It records every connection and every call's headers, so a
 * test can show what a listener received (no credential at all, say).
 */
import { tableFromArrays, type RecordBatch } from 'apache-arrow';
import http2, { type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { encodeFlightData, FlightDataEncoder } from '../../../src/flight';
import { flightInfoToProto, type FlightInfo } from '../../../src/flight/types';
import * as pb from '../../../src/proto/Flight';

/** One call as the server saw it. */
export interface RecordedCall {
  /** The RPC name, e.g. `DoGet`. */
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
}

/** What a script can do with one call. */
export class HostileCall {
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly #stream: ServerHttp2Stream;
  #responded = false;
  #status: { code: number; message: string } = { code: 0, message: '' };
  /** Bytes written so far (after the response headers). */
  written = 0;
  /** Resolves when the client or the server closed the stream. */
  readonly closed: Promise<void>;

  constructor(stream: ServerHttp2Stream, headers: IncomingHttpHeaders) {
    this.#stream = stream;
    this.headers = headers;
    const path = String(headers[':path'] ?? '');
    this.method = path.slice(path.lastIndexOf('/') + 1);
    // A client that resets the stream is an expected event here, not a crash of the test.
    stream.on('error', () => undefined);
    this.closed = new Promise((resolve) => stream.once('close', () => resolve()));
    stream.on('wantTrailers', () => {
      const { code, message } = this.#status;
      stream.sendTrailers({ 'grpc-status': String(code), 'grpc-message': encodeURIComponent(message) });
    });
  }

  /** True once the stream is closed or reset. */
  get isClosed(): boolean {
    return this.#stream.closed || this.#stream.destroyed;
  }

  /** The request's gRPC messages, once the client has half-closed its side. */
  async request(): Promise<Buffer[]> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.#stream) chunks.push(chunk as Buffer);
    return unframe(Buffer.concat(chunks));
  }

  /** Sends the response headers (once). */
  respond(extra: Record<string, string> = {}): void {
    if (this.#responded) return;
    this.#responded = true;
    this.#stream.respond(
      { ':status': 200, 'content-type': 'application/grpc', ...extra },
      { waitForTrailers: true },
    );
  }

  /** Writes raw bytes, waiting when the client does not read; false once the stream is gone. */
  async write(bytes: Uint8Array): Promise<boolean> {
    this.respond();
    if (this.isClosed) return false;
    const more = this.#stream.write(bytes);
    this.written += bytes.byteLength;
    if (more) return true;
    await Promise.race([new Promise((resolve) => this.#stream.once('drain', resolve)), this.closed]);
    return !this.isClosed;
  }

  /** Writes one gRPC message (length prefix and payload). */
  send(payload: Uint8Array): Promise<boolean> {
    return this.write(frame(payload));
  }

  /** Ends the call with a gRPC status after whatever was sent. */
  end(code = 0, message = ''): void {
    this.respond();
    if (this.isClosed) return;
    this.#status = { code, message };
    this.#stream.end();
  }

  /** A trailers-only answer: the call fails with `code` before any message. */
  fail(code: number, message: string): void {
    if (this.isClosed) return;
    this.#responded = true;
    this.#stream.respond(
      {
        ':status': 200,
        'content-type': 'application/grpc',
        'grpc-status': String(code),
        'grpc-message': encodeURIComponent(message),
      },
      { endStream: true },
    );
  }
}

/** What the server does with each call. */
export type Script = (call: HostileCall) => void | Promise<void>;

export interface HostileServer {
  readonly port: number;
  /** `grpc://127.0.0.1:port`, or `grpc+tls://localhost:port` with TLS. */
  readonly location: string;
  /** Every call, in order. */
  readonly calls: RecordedCall[];
  /** How many HTTP/2 connections were opened since the start or `reset()` (0: nobody connected). */
  readonly connections: () => number;
  /** Forgets the calls and connections recorded so far. */
  reset(): void;
  close(): Promise<void>;
}

/** Starts a hostile server on 127.0.0.1, port 0; `tls` makes it a TLS server. */
export async function startHostileServer(
  script: Script,
  options: { tls?: { key: Buffer; cert: Buffer } } = {},
): Promise<HostileServer> {
  const server = options.tls
    ? http2.createSecureServer({ key: options.tls.key, cert: options.tls.cert })
    : http2.createServer();
  const calls: RecordedCall[] = [];
  const sessions = new Set<http2.ServerHttp2Session>();
  let connections = 0;
  server.on('session', (session) => {
    connections++;
    sessions.add(session);
    session.on('error', () => undefined);
    session.once('close', () => sessions.delete(session));
  });
  // A TLS client that gives up during the handshake is not the test's failure.
  server.on('tlsClientError', () => undefined);
  server.on('stream', (stream, headers) => {
    const call = new HostileCall(stream, headers);
    calls.push({ method: call.method, headers });
    Promise.resolve()
      .then(() => script(call))
      .catch(() => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    location: options.tls ? `grpc+tls://localhost:${port}` : `grpc://127.0.0.1:${port}`,
    calls,
    connections: () => connections,
    reset: () => {
      calls.length = 0;
      connections = 0;
    },
    close: async () => {
      for (const session of sessions) session.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A gRPC message: flag, 4-byte big-endian length (`declared`, if it should lie) and payload. */
export function frame(payload: Uint8Array, declared = payload.byteLength): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(declared, 1);
  return Buffer.concat([prefix, payload]);
}

/** Splits a request body into its gRPC messages. */
function unframe(body: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  while (pos + 5 <= body.length) {
    const length = body.readUInt32BE(pos + 1);
    out.push(body.subarray(pos + 5, pos + 5 + length));
    pos += 5 + length;
  }
  return out;
}

/** A small batch: `v` int32 values `start`..`start+n-1`. */
export function batchOf(start: number, n: number): RecordBatch {
  return tableFromArrays({ v: Int32Array.from({ length: n }, (_, i) => start + i) }).batches[0]!;
}

/**
 * The FlightData messages (serialized) of a stream of `batches`: the schema, then each batch,
 * split near `maxMessageBytes` (our encoder's 2 MiB by default).
 */
export function flightDataMessages(batches: readonly RecordBatch[], maxMessageBytes?: number): Buffer[] {
  const encoder = new FlightDataEncoder({ maxMessageBytes });
  const out = [encodeFlightData(encoder.schema(batches[0]!.schema))];
  for (const batch of batches)
    for (const message of encoder.batch(batch)) out.push(encodeFlightData(message));
  return out;
}

/** A serialized FlightInfo with one endpoint: `ticket`, at `locations`. */
export function flightInfoMessage(ticket: string, locations: readonly string[]): Buffer {
  const info: FlightInfo = {
    schema: batchOf(0, 1).schema,
    endpoints: [
      {
        ticket: { ticket: Buffer.from(ticket) },
        locations: locations.map((uri) => ({ uri })),
        appMetadata: new Uint8Array(0),
      },
    ],
    totalRecords: -1n,
    totalBytes: -1n,
    ordered: false,
    appMetadata: new Uint8Array(0),
  };
  return Buffer.from(pb.FlightInfo.encode(flightInfoToProto(info)).finish());
}

/** The command type URL of a GetFlightInfo request (its FlightDescriptor's Any). */
export function commandOf(request: Buffer | undefined): string {
  if (!request) return '';
  const descriptor = pb.FlightDescriptor.decode(request);
  // The Any's first field is the type URL: enough to tell GetSqlInfo from a statement.
  return Buffer.from(descriptor.cmd).toString('latin1');
}
