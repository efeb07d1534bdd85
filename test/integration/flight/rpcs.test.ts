import {
  Metadata,
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type ServerWritableStream,
} from '@grpc/grpc-js';
import { tableFromArrays, vectorFromArray, Table, Utf8, type RecordBatch } from 'apache-arrow';
import { FlightClient, NotSupportedError } from '../../../src';
import {
  FlightDataDecoder,
  FlightDataEncoder,
  encodeSchema,
  type RawFlightData,
  type OutgoingFlightData,
} from '../../../src/protocol';
import * as pb from '../../../src/proto/Flight';
import { flightServiceDefinition } from '../../../src/server';

/**
 * Every FlightService RPC of FlightClient against a small Flight (not Flight SQL) server that
 * echoes and counts, the way Arrow's own integration tests do.
 */
describe('FlightClient RPCs', () => {
  let server: Server;
  let client: FlightClient;
  const info = (name: string): pb.FlightInfo => ({
    schema: Buffer.from(encodeSchema(tableFromArrays({ x: Int32Array.of(1) }).schema)),
    flightDescriptor: { type: pb.FlightDescriptor_DescriptorType.PATH, cmd: Buffer.alloc(0), path: [name] },
    endpoint: [
      {
        ticket: { ticket: Buffer.from(name) },
        location: [{ uri: 'grpc+tcp://elsewhere:1' }],
        expirationTime: new Date('2030-01-01T00:00:00Z'),
        appMetadata: Buffer.from('m'),
      },
    ],
    totalRecords: 10n,
    totalBytes: 80n,
    ordered: true,
    appMetadata: Buffer.alloc(0),
  });

  beforeAll(async () => {
    server = new Server();
    server.addService(flightServiceDefinition, {
      listFlights(call: ServerWritableStream<pb.Criteria, pb.FlightInfo>) {
        call.write(info('a'));
        call.write(info(Buffer.from(call.request.expression).toString() || 'b'));
        call.end();
      },
      pollFlightInfo(
        call: ServerUnaryCall<pb.FlightDescriptor, pb.PollInfo>,
        cb: sendUnaryData<pb.PollInfo>,
      ) {
        cb(null, {
          info: info('p'),
          flightDescriptor: call.request,
          progress: 0.5,
          expirationTime: undefined,
        });
      },
      listActions(call: ServerWritableStream<pb.Empty, pb.ActionType>) {
        // Sets a session cookie, and reports the cookie and `database` header it received.
        const md = new Metadata();
        md.set('set-cookie', 'session=s1; Path=/');
        call.sendMetadata(md);
        const seen = `${String(call.metadata.get('cookie')[0] ?? '')}|${String(call.metadata.get('database')[0] ?? '')}`;
        call.write({ type: 'echo', description: 'returns its body twice' });
        call.write({ type: 'seen', description: seen });
        call.end();
      },
      doAction(call: ServerWritableStream<pb.Action, pb.Result>) {
        if (call.request.type !== 'echo') {
          call.emit('error', { code: status.UNIMPLEMENTED, details: `no action ${call.request.type}` });
          return;
        }
        call.write({ body: call.request.body });
        call.write({ body: call.request.body });
        call.end();
      },
      doPut(call: ServerDuplexStream<RawFlightData, pb.PutResult>) {
        const decoder = new FlightDataDecoder();
        let rows = 0;
        let tags = '';
        let descriptor = '';
        call.on('data', (message: RawFlightData) => {
          if (message.descriptor) descriptor = pb.FlightDescriptor.decode(message.descriptor).path.join('/');
          const payload = decoder.decode(message);
          if (payload.kind === 'batch') {
            rows += payload.batch.numRows;
            tags += [...payload.batch.getChild('tag')!].join('');
            call.write({ appMetadata: Buffer.from(String(rows)) });
          }
        });
        call.on('end', () => {
          call.write({ appMetadata: Buffer.from(`${descriptor}:${rows}:${tags}`) });
          call.end();
        });
      },
      doExchange(call: ServerDuplexStream<RawFlightData, OutgoingFlightData>) {
        const decoder = new FlightDataDecoder();
        // One message per batch, however big: the client must take messages over 4 MiB.
        const encoder = new FlightDataEncoder({ maxMessageBytes: 1 << 30 });
        call.on('data', (message: RawFlightData) => {
          const payload = decoder.decode(message);
          if (payload.kind === 'schema') call.write(encoder.schema(payload.schema));
          if (payload.kind === 'batch') for (const out of encoder.batch(payload.batch)) call.write(out);
        });
        call.on('end', () => call.end());
      },
    });
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

  test('ListFlights yields FlightInfos with endpoints, locations and expiration', async () => {
    const infos = [];
    for await (const i of client.listFlights(new TextEncoder().encode('z'))) infos.push(i);
    expect(infos.map((i) => i.flightDescriptor)).toEqual([
      { type: 'path', path: ['a'] },
      { type: 'path', path: ['z'] },
    ]);
    expect(infos[0]!.endpoints[0]!.locations).toEqual([{ uri: 'grpc+tcp://elsewhere:1' }]);
    expect(infos[0]!.endpoints[0]!.expirationTime).toEqual(new Date('2030-01-01T00:00:00Z'));
    expect(infos[0]!.totalRecords).toBe(10n);
    expect(infos[0]!.ordered).toBe(true);
    expect(infos[0]!.schema.fields[0]!.name).toBe('x');
  });

  test('PollFlightInfo returns progress and the descriptor to poll again', async () => {
    const poll = await client.pollFlightInfo({ type: 'cmd', cmd: new Uint8Array([1, 2]) });
    expect(poll.progress).toBe(0.5);
    expect(poll.flightDescriptor).toEqual({ type: 'cmd', cmd: Buffer.from([1, 2]) });
    expect(poll.info!.endpoints).toHaveLength(1);
  });

  test('ListActions and DoAction', async () => {
    expect((await client.listActions())[0]).toEqual({ type: 'echo', description: 'returns its body twice' });
    const bodies = [];
    for await (const body of client.doAction('echo', new TextEncoder().encode('hi')))
      bodies.push(Buffer.from(body).toString());
    expect(bodies).toEqual(['hi', 'hi']);
    const err = await (async () => {
      for await (const _ of client.doAction('nope')) return;
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotSupportedError);
  });

  const tagged = (start: number, n: number, tag: string) =>
    new Table({
      n: vectorFromArray(Int32Array.from({ length: n }, (_, i) => start + i)),
      tag: vectorFromArray(
        Array.from({ length: n }, () => tag),
        new Utf8(),
      ),
    }).batches[0]!;

  test('DoPut sends the descriptor, schema and batches, and returns every PutResult', async () => {
    const results = await client.doPut({ type: 'path', path: ['t', 'u'] }, [
      tagged(0, 3, 'a'),
      tagged(3, 2, 'b'),
    ]);
    expect(results.map((r) => Buffer.from(r).toString())).toEqual(['3', '5', 't/u:5:aaabb']);
  });

  test('DoPut: an error while reading the input wins and cancels the call', async () => {
    async function* failing(): AsyncGenerator<RecordBatch> {
      yield tagged(0, 1, 'a');
      throw new RangeError('source broke');
    }
    await expect(client.doPut({ type: 'path', path: ['x'] }, failing())).rejects.toThrow(/source broke/);
  });

  test('cookies the server sets come back on later calls, with custom headers', async () => {
    const withHeaders = new FlightClient(client.location, { headers: { database: 'home' } });
    try {
      const first = await withHeaders.listActions();
      expect(first[1]).toEqual({ type: 'seen', description: '|home' });
      const second = await withHeaders.listActions({ headers: { database: 'other' } });
      expect(second[1]).toEqual({ type: 'seen', description: 'session=s1|other' });
    } finally {
      await withHeaders.close();
    }
  });

  test('messages over 4 MiB are received (no grpc-js default limit)', async () => {
    const big = new Table({ x: vectorFromArray(Float64Array.from({ length: 1_000_000 }, (_, i) => i)) });
    const reader = await client.doExchange({ type: 'path', path: ['big'] }, big);
    const table = await reader.readAll();
    expect(table.numRows).toBe(1_000_000);
    expect(table.getChild('x')!.get(999_999)).toBe(999_999);
  });

  test('DoExchange: an error while reading the input wins', async () => {
    async function* failing(): AsyncGenerator<RecordBatch> {
      yield tagged(0, 1, 'a');
      await new Promise((r) => setTimeout(r, 20));
      throw new RangeError('exchange source broke');
    }
    const err = await (async () => {
      const reader = await client.doExchange({ type: 'path', path: ['x'] }, failing());
      await reader.readAll();
    })().catch((e: unknown) => e);
    expect(String(err)).toMatch(/exchange source broke/);
  });

  test('DoExchange streams batches both ways', async () => {
    const reader = await client.doExchange({ type: 'path', path: ['echo'] }, [
      tagged(0, 2, 'x'),
      tagged(2, 2, 'y'),
    ]);
    const table = await reader.readAll();
    expect([...table.getChild('n')!]).toEqual([0, 1, 2, 3]);
    expect([...table.getChild('tag')!]).toEqual(['x', 'x', 'y', 'y']);
  });
});
