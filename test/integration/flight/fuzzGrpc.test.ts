import { Server, ServerCredentials, type ServerWritableStream } from '@grpc/grpc-js';
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { FlightClient, InternalError, ProtocolError, RowConverter, type Row } from '../../../src';
import * as pb from '../../../src/proto/Flight';
import { corpus } from '../../unit/flight/fuzzCorpus';
import { canon, checkShape, expected, fuzzCases, judge, type Outcome } from '../../unit/flight/fuzzHarness';
import { apply } from '../../unit/flight/fuzzMutations';
import type { FlightStreamReader } from '../../../src/flight/FlightStreamReader';

/**
 * The decoder fuzz through gRPC: a grpc-js server sends mutated FlightData streams as raw
 * messages, and a real FlightClient reads them with readAll(), iteration, rows() and a rows()
 * loop left after one row (the issue's `for await (const r of reader.rows()) break;`). Same
 * oracle as fuzzDecode.test.ts.
 */
const streams = corpus();
const originals = streams.map(expected);
const cases = fc.sample(fuzzCases(streams.length), {
  seed: Number(process.env.FUZZ_SEED ?? 20_260_611),
  numRuns: 300,
});
const prepared = cases.map((c) => ({ ...c, ...apply(streams[c.stream]!.messages, c.mutations) }));

type Path = 'readAll' | 'iterate' | 'rows' | 'first row';
const PATHS: Path[] = ['readAll', 'iterate', 'rows', 'first row'];

async function read(reader: FlightStreamReader, path: Path): Promise<{ rows: Row[]; error?: unknown }> {
  const rows: Row[] = [];
  try {
    if (path === 'readAll') {
      const table = await reader.readAll();
      const converter = new RowConverter(table.schema);
      for (const batch of table.batches) rows.push(...converter.rows(batch));
    } else if (path === 'iterate') {
      for await (const batch of reader) rows.push(...new RowConverter(reader.schema).rows(batch));
    } else {
      for await (const row of reader.rows()) {
        rows.push(row);
        if (path === 'first row') break;
      }
    }
  } catch (error) {
    return { rows, error };
  }
  return { rows };
}

describe('FlightStreamReader under mutation, through grpc-js (fuzz)', () => {
  let server: Server;
  let client: FlightClient;

  beforeAll(async () => {
    server = new Server();
    // DoGet answers ticket i with the messages of case i, as raw bytes.
    server.register(
      pb.FlightServiceService.doGet.path,
      (call: ServerWritableStream<pb.Ticket, Uint8Array>) => {
        const i = Number(Buffer.from(call.request.ticket).toString());
        for (const message of prepared[i]!.messages) call.write(message);
        call.end();
      },
      (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      pb.FlightServiceService.doGet.requestDeserialize,
      'serverStream',
    );
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    client = new FlightClient(`grpc://127.0.0.1:${port}`);
  });

  afterAll(async () => {
    await client.close();
    server.forceShutdown();
  });

  test(`${prepared.length} mutated streams: the original rows or a ProtocolError / InternalError, on every path`, async () => {
    const failures: string[] = [];
    for (let i = 0; i < prepared.length; i++) {
      const c = prepared[i]!;
      const path = PATHS[i % PATHS.length]!;
      const started = performance.now();
      let result: { rows: Row[]; error?: unknown };
      try {
        const reader = await client.doGet({ ticket: Buffer.from(String(i)) });
        result = await read(reader, path);
        if (!result.error) for (const row of result.rows) checkShape(reader.schema, row as unknown[]);
      } catch (error) {
        result = { rows: [], error };
      }
      const rows = result.rows.map(canon);
      const outcome: Outcome = {
        rows,
        error: result.error,
        cells: rows.length * 16,
        ms: performance.now() - started,
      };
      // Left after one row: only that row can be compared.
      const original =
        path === 'first row' && !result.error
          ? originals[c.stream]!.slice(0, rows.length)
          : originals[c.stream]!;
      const failure = judge(
        `${streams[c.stream]!.name} via ${path} ${JSON.stringify(c.mutations)}`,
        c.messages,
        c.exact,
        original,
        outcome,
      );
      if (failure) failures.push(failure);
    }
    expect(failures).toEqual([]);
  }, 120_000);
});

/**
 * The last case: a gRPC message cut short, then status OK. grpc-js 1.14 drops the
 * partial message at the end of the stream and reports OK (grpc/grpc-node#2065; grpc-java says
 * INTERNAL "Encountered end-of-stream mid-frame"), so the reader sees a shorter, valid stream.
 * The decoder never sees those bytes: this needs the call layer (or grpc-js) to fail the call.
 * Marked failing until then; it passes (and must be unmarked) once that is fixed.
 */
describe('a gRPC message cut short, then status OK', () => {
  const frame = (message: Uint8Array) => {
    const prefix = Buffer.alloc(5);
    prefix.writeUInt32BE(message.byteLength, 1);
    return Buffer.concat([prefix, message]);
  };
  /** A server that answers every call with `bytes` and then status OK. */
  async function serving(bytes: Buffer) {
    const server = http2.createServer();
    server.on('stream', (stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(bytes);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return server;
  }

  test('in the Schema message: a ProtocolError (a DoGet stream starts with a Schema), not an empty result', async () => {
    const [schema] = corpus()[0]!.messages;
    const cut = frame(schema!);
    const server = await serving(cut.subarray(0, cut.length - 7));
    const client = new FlightClient(`grpc://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      const err = await client.doGet({ ticket: Buffer.from('x') }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProtocolError);
      expect((err as Error).message).toMatch(/the stream ended without a Schema message/);
    } finally {
      await client.close();
      server.close();
    }
  });

  test.failing('in a later message: an error, not a short result', async () => {
    const [schema, batch] = corpus()[0]!.messages;
    const cut = frame(batch!);
    const server = await serving(Buffer.concat([frame(schema!), cut.subarray(0, cut.length - 7)]));
    const client = new FlightClient(`grpc://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      const reader = await client.doGet({ ticket: Buffer.from('x') });
      await expect(reader.readAll()).rejects.toBeInstanceOf(InternalError);
    } finally {
      await client.close();
      server.close();
    }
  });
});
