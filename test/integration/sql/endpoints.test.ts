import { Server, ServerCredentials, status, type ServerWritableStream } from '@grpc/grpc-js';
import { tableFromArrays, type RecordBatch } from 'apache-arrow';
import { createServer } from 'node:net';
import {
  FlightClient,
  FlightInfoReader,
  FlightStreamReader,
  InternalError,
  OperationalError,
  ProgrammingError,
  type FlightEndpoint,
  type FlightInfo,
} from '../../../src';
import { FlightDataEncoder, type OutgoingFlightData } from '../../../src/protocol';
import { REUSE_CONNECTION } from '../../../src/flight';
import * as pb from '../../../src/proto/Flight';
import { flightServiceDefinition } from '../../../src/server';

/**
 * FlightInfoReader against two small Flight servers whose DoGet serves rows chosen by the
 * ticket: `pK` is rows 10K..10K+9 in two batches of 5; `longK` is 200 batches of one row
 * (10000K + i), slowly; `fail` fails with INTERNAL after a while.
 */
const DELAY_MS = 15;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const batchOf = (values: number[]): RecordBatch =>
  tableFromArrays({ v: Int32Array.from(values) }).batches[0]!;
const schema = batchOf([0]).schema;
const range = (start: number, n: number) => Array.from({ length: n }, (_, i) => start + i);

/** What the servers saw: DoGet tickets per server, cancelled calls, and overlap of calls. */
const seen = { calls: 0, maxCalls: 0 };

interface TestServer {
  readonly server: Server;
  readonly uri: string;
  doGets: string[];
  cancelled: string[];
}

function batchesFor(ticket: string): RecordBatch[] | undefined {
  let m = /^p(\d+)$/.exec(ticket);
  if (m) {
    const base = Number(m[1]) * 10;
    return [batchOf(range(base, 5)), batchOf(range(base + 5, 5))];
  }
  m = /^long(\d+)$/.exec(ticket);
  if (m) return range(Number(m[1]) * 10_000, 200).map((v) => batchOf([v]));
  return undefined;
}

async function startFlightServer(): Promise<TestServer> {
  const server = new Server();
  const state = { doGets: [] as string[], cancelled: [] as string[] };
  server.addService(flightServiceDefinition, {
    doGet(call: ServerWritableStream<pb.Ticket, OutgoingFlightData>) {
      const ticket = Buffer.from(call.request.ticket).toString();
      state.doGets.push(ticket);
      seen.calls++;
      seen.maxCalls = Math.max(seen.maxCalls, seen.calls);
      let open = true;
      const finish = () => {
        if (open) seen.calls--;
        open = false;
      };
      call.on('cancelled', () => {
        state.cancelled.push(ticket);
        finish();
      });
      void (async () => {
        const encoder = new FlightDataEncoder();
        if (ticket === 'fail') {
          await sleep(3 * DELAY_MS);
          finish();
          call.emit('error', { code: status.INTERNAL, details: 'the fail ticket failed' });
          return;
        }
        const batches = batchesFor(ticket);
        if (!batches) {
          finish();
          call.emit('error', { code: status.NOT_FOUND, details: `no ticket ${ticket}` });
          return;
        }
        call.write(encoder.schema(schema));
        for (const batch of batches) {
          await sleep(DELAY_MS);
          if (!open) return;
          for (const message of encoder.batch(batch)) call.write(message);
        }
        finish();
        call.end();
      })();
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  return Object.assign(state, { server, uri: `grpc://127.0.0.1:${port}` });
}

/** A port nothing listens on. */
async function deadPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const endpoint = (ticket: string, uris: string[] = [], expirationTime?: Date): FlightEndpoint => ({
  ticket: { ticket: Buffer.from(ticket) },
  locations: uris.map((uri) => ({ uri })),
  expirationTime,
  appMetadata: new Uint8Array(0),
});

const flightInfo = (endpoints: FlightEndpoint[], ordered = false): FlightInfo => ({
  schema,
  endpoints,
  totalRecords: -1n,
  totalBytes: -1n,
  ordered,
  appMetadata: new Uint8Array(0),
});

/** Every value of every batch, as read. */
async function values(reader: FlightInfoReader): Promise<number[]> {
  const out: number[] = [];
  for await (const batch of reader) out.push(...(batch.getChild('v')!.toArray() as Int32Array));
  return out;
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('FlightInfoReader: every endpoint of a FlightInfo', () => {
  let a: TestServer;
  let b: TestServer;
  let home: FlightClient;
  let dead: string;
  let dead2: string;
  const opened: FlightClient[] = [];
  /** A `connect` that counts its calls. */
  const counting = () =>
    jest.fn((uri: string) => {
      const client = new FlightClient(uri);
      opened.push(client);
      return client;
    });

  beforeAll(async () => {
    [a, b] = await Promise.all([startFlightServer(), startFlightServer()]);
    home = new FlightClient(a.uri);
    dead = 'grpc://127.0.0.1:1';
    dead2 = `grpc://127.0.0.1:${await deadPort()}`;
  });
  beforeEach(() => {
    for (const s of [a, b]) {
      s.doGets = [];
      s.cancelled = [];
    }
    seen.calls = 0;
    seen.maxCalls = 0;
  });
  afterAll(async () => {
    await home.close();
    await Promise.all(opened.map((c) => c.close()));
    a.server.forceShutdown();
    b.server.forceShutdown();
  });

  test('ordered: endpoints are read one after another, front to back', async () => {
    const connect = counting();
    const info = flightInfo(
      [endpoint('p0'), endpoint('p1', [b.uri]), endpoint('p2', [REUSE_CONNECTION])],
      true,
    );
    const reader = new FlightInfoReader(home, info, { connect, concurrency: 3 });
    expect(reader.schema).toBe(schema);
    expect(await values(reader)).toEqual(range(0, 30));
    expect(seen.maxCalls).toBe(1);
    expect(a.doGets).toEqual(['p0', 'p2']);
    expect(b.doGets).toEqual(['p1']);
    expect(connect.mock.calls).toEqual([[b.uri]]);
    // A reader reads once.
    await expect(reader.readAll()).rejects.toThrow(/closed|only once/);
  });

  test('unordered with concurrency 3: every value once, each endpoint in its own order', async () => {
    const info = flightInfo([endpoint('p0'), endpoint('p1', [b.uri]), endpoint('p2')]);
    const reader = new FlightInfoReader(home, info, { concurrency: 3, connect: counting() });
    const got = await values(reader);
    expect([...got].sort((x, y) => x - y)).toEqual(range(0, 30));
    for (const k of [0, 1, 2]) expect(got.filter((v) => Math.floor(v / 10) === k)).toEqual(range(k * 10, 10));
    // All three streams were open at the same time.
    expect(seen.maxCalls).toBe(3);
  });

  test('unordered with concurrency 2: never more than two streams open', async () => {
    const info = flightInfo(['p0', 'p1', 'p2', 'p3'].map((t) => endpoint(t)));
    const table = await new FlightInfoReader(home, info, { concurrency: 2 }).readAll();
    expect([...table.getChild('v')!].sort((x, y) => x - y)).toEqual(range(0, 40));
    expect(seen.maxCalls).toBe(2);
  });

  test('bounded: a slow consumer holds each open endpoint to at most one batch read ahead', async () => {
    const readChunk = jest.spyOn(FlightStreamReader.prototype, 'readChunk');
    try {
      const info = flightInfo([endpoint('long0'), endpoint('long1', [b.uri]), endpoint('long2')]);
      const reader = new FlightInfoReader(home, info, { concurrency: 3, connect: counting() });
      let consumed = 0;
      for await (const _batch of reader) {
        consumed++;
        await sleep(5);
        // Every read asked of a stream is a batch consumed or the one in flight per endpoint.
        expect(readChunk.mock.calls.length).toBeLessThanOrEqual(consumed + 3);
        if (consumed === 20) break;
      }
      await sleep(5 * DELAY_MS);
      expect(readChunk.mock.calls.length).toBeLessThanOrEqual(consumed + 3);
    } finally {
      readChunk.mockRestore();
    }
  });

  test('a dead location fails over to the next; a location client is opened once and reused', async () => {
    const connect = counting();
    const info = flightInfo([endpoint('p0', [dead, b.uri]), endpoint('p1', [b.uri]), endpoint('p2')]);
    const got = await values(new FlightInfoReader(home, info, { connect, concurrency: 3 }));
    expect([...got].sort((x, y) => x - y)).toEqual(range(0, 30));
    expect([...b.doGets].sort()).toEqual(['p0', 'p1']);
    expect(a.doGets).toEqual(['p2']);
    expect(connect.mock.calls.map(([uri]) => uri).sort()).toEqual([dead, b.uri].sort());
  });

  test('the reuse-connection location, no locations and the home URI itself go to home', async () => {
    const connect = counting();
    const info = flightInfo(
      [endpoint('p0', [REUSE_CONNECTION]), endpoint('p1'), endpoint('p2', [home.location])],
      true,
    );
    expect(await values(new FlightInfoReader(home, info, { connect }))).toEqual(range(0, 30));
    expect(a.doGets).toEqual(['p0', 'p1', 'p2']);
    expect(b.doGets).toEqual([]);
    expect(connect).not.toHaveBeenCalled();
  });

  test('every location dead: an OperationalError naming the locations tried', async () => {
    const info = flightInfo([endpoint('p0', [dead, dead2])]);
    const err = await new FlightInfoReader(home, info, { connect: counting() })
      .readAll()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as OperationalError).grpcCode).toBe(status.UNAVAILABLE);
    expect((err as Error).message).toContain(dead);
    expect((err as Error).message).toContain(dead2);
    expect((err as Error).message).toMatch(/^endpoint 0: /);
  });

  test('an expired endpoint fails with a ProgrammingError before any DoGet for it', async () => {
    const past = new Date(Date.now() - 1_000);
    const info = flightInfo(
      [endpoint('p0', [], new Date(Date.now() + 60_000)), endpoint('p1', [b.uri], past)],
      true,
    );
    const got: number[] = [];
    const err = await (async () => {
      for await (const batch of new FlightInfoReader(home, info, { connect: counting() }))
        got.push(...(batch.getChild('v')!.toArray() as Int32Array));
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProgrammingError);
    expect((err as Error).message).toContain(`endpoint 1 expired at ${past.toISOString()}`);
    expect(got).toEqual(range(0, 10));
    expect(a.doGets).toEqual(['p0']);
    expect(b.doGets).toEqual([]);
  });

  test('breaking out after the first batch cancels every open stream', async () => {
    const connect = counting();
    const info = flightInfo([endpoint('long0'), endpoint('long1', [b.uri]), endpoint('long2', [b.uri])]);
    const reader = new FlightInfoReader(home, info, { connect, concurrency: 3 });
    let batches = 0;
    for await (const _batch of reader) {
      batches++;
      break;
    }
    expect(batches).toBe(1);
    await eventually(() => a.cancelled.length + b.cancelled.length === 3, 'three cancelled calls');
    expect(a.cancelled).toEqual(['long0']);
    expect([...b.cancelled].sort()).toEqual(['long1', 'long2']);
    expect(seen.calls).toBe(0);
  });

  test('a failing endpoint fails the read and cancels the others', async () => {
    const info = flightInfo([endpoint('long0'), endpoint('fail', [b.uri]), endpoint('long1', [b.uri])]);
    const reader = new FlightInfoReader(home, info, { concurrency: 3, connect: counting() });
    const err = await reader.readAll().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InternalError);
    expect((err as Error).message).toContain('the fail ticket failed');
    const longCancelled = () => [...a.cancelled, ...b.cancelled].filter((t) => t.startsWith('long')).sort();
    await eventually(() => longCancelled().length === 2, 'two cancelled calls');
    expect(longCancelled()).toEqual(['long0', 'long1']);
    expect(seen.calls).toBe(0);
  });

  test('the AbortSignal of the options cancels every DoGet', async () => {
    const controller = new AbortController();
    const info = flightInfo([endpoint('long0'), endpoint('long1', [b.uri])]);
    const reader = new FlightInfoReader(home, info, { signal: controller.signal, connect: counting() });
    let batches = 0;
    const err = await (async () => {
      for await (const _batch of reader)
        if (++batches === 3) controller.abort(new Error('user pressed stop'));
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as OperationalError).grpcCode).toBe(status.CANCELLED);
    expect((err as Error).message).toContain('user pressed stop');
    await eventually(() => a.cancelled.length + b.cancelled.length === 2, 'two cancelled calls');
  });

  test('timeoutMs of the options is the deadline of every DoGet', async () => {
    const info = flightInfo([endpoint('long0'), endpoint('long1', [b.uri])]);
    const err = await new FlightInfoReader(home, info, { timeoutMs: 150, connect: counting() })
      .readAll()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as OperationalError).grpcCode).toBe(status.DEADLINE_EXCEEDED);
    await eventually(() => seen.calls === 0, 'every call to end');
  });

  test('close() cancels open streams and closes the clients it opened, not home', async () => {
    const connect = counting();
    const info = flightInfo([endpoint('long0'), endpoint('long1', [b.uri])]);
    const reader = new FlightInfoReader(home, info, { connect });
    const iterator = reader[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    // Both streams open on their servers (under load the second may still be on its way).
    await eventually(() => seen.calls === 2, 'both calls to open');
    await reader.close();
    await eventually(() => a.cancelled.length + b.cancelled.length === 2, 'two cancelled calls');
    const other = connect.mock.results[0]!.value as FlightClient;
    await expect(other.doGet({ ticket: Buffer.from('p0') })).rejects.toThrow(/closed/);
    // home still works
    expect((await (await home.doGet({ ticket: Buffer.from('p0') })).readAll()).numRows).toBe(10);
  });

  test('zero endpoints: nothing to read, an empty Table with the schema', async () => {
    const table = await new FlightInfoReader(home, flightInfo([])).readAll();
    expect(table.numRows).toBe(0);
    expect(table.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual(['v:Int32']);
    expect(await values(new FlightInfoReader(home, flightInfo([], true)))).toEqual([]);
    expect(a.doGets).toEqual([]);
  });

  test('concurrency must be a positive integer', () => {
    expect(() => new FlightInfoReader(home, flightInfo([]), { concurrency: 0 })).toThrow(ProgrammingError);
  });
});
