import {
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerDuplexStream,
  type ServerUnaryCall,
} from '@grpc/grpc-js';
import * as pb from '../../../src/proto/Flight';
import { flightServiceDefinition } from '../../../src/server';
import { FlightClient, OperationalError, ProgrammingError } from '../../../src';
import { queryTable, useServer } from '../fixture';

const TOKEN = 'tok-7f3a9c2e5b1d';

describe('authentication and headers', () => {
  const fx = useServer({ token: TOKEN, username: 'alice', password: 's3cret-pw' });

  test('the right bearer token is accepted', async () => {
    const table = await queryTable(fx.connect({ token: TOKEN }), 'SELECT 1 AS one');
    expect(table.getChild('one')!.get(0)).toBe(1);
  });

  test('no token or a wrong token is an OperationalError (UNAUTHENTICATED) that never shows the token', async () => {
    const none = await fx
      .connect()
      .execute('SELECT 1')
      .catch((e: unknown) => e);
    expect(none).toBeInstanceOf(OperationalError);
    expect((none as OperationalError).grpcCode).toBe(status.UNAUTHENTICATED);
    const wrongToken = 'wrong-token-123456';
    const wrong = await fx
      .connect({ token: wrongToken })
      .execute('SELECT 1')
      .catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(OperationalError);
    expect((wrong as OperationalError).grpcCode).toBe(status.UNAUTHENTICATED);
    expect(String(wrong)).not.toContain(wrongToken);
    expect(JSON.stringify(wrong)).not.toContain(wrongToken);
  });

  test('DoGet checks the token too', async () => {
    const info = await fx.connect({ token: TOKEN }).execute('SELECT 1');
    const err = await fx
      .connect()
      .doGet(info.endpoints[0]!.ticket)
      .catch((e: unknown) => e);
    expect((err as OperationalError).grpcCode).toBe(status.UNAUTHENTICATED);
  });

  test('basic-auth Handshake keeps the bearer token the server returns', async () => {
    const client = fx.connect({ username: 'alice', password: 's3cret-pw' });
    const table = await queryTable(client, 'SELECT 2 AS two');
    expect(table.getChild('two')!.get(0)).toBe(2);
  });

  test('the older convention: token from the HandshakeResponse payload, sent back as auth-token-bin', async () => {
    // A server in the style of Java's BasicServerAuthHandler: the token only in the payload.
    const server = new Server();
    let seen: string | undefined;
    server.addService(flightServiceDefinition, {
      handshake(call: ServerDuplexStream<pb.HandshakeRequest, pb.HandshakeResponse>) {
        call.on('data', (req: pb.HandshakeRequest) => {
          const auth = pb.BasicAuth.decode(req.payload);
          call.write({
            protocolVersion: 0n,
            payload: Buffer.from(auth.username === 'bob' ? 'payload-token-42' : ''),
          });
        });
        call.on('end', () => call.end());
      },
      getSchema(
        call: ServerUnaryCall<pb.FlightDescriptor, pb.SchemaResult>,
        cb: sendUnaryData<pb.SchemaResult>,
      ) {
        seen = Buffer.from(call.metadata.get('auth-token-bin')[0] as Buffer).toString();
        cb(null, { schema: Buffer.alloc(0) });
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    const flight = new FlightClient(`grpc://127.0.0.1:${port}`, { username: 'bob', password: 'pw-pw-pw' });
    try {
      const schema = await flight.getSchema({ type: 'cmd', cmd: new Uint8Array([1]) });
      expect(schema.fields).toEqual([]);
      expect(seen).toBe('payload-token-42');
    } finally {
      await flight.close();
      server.forceShutdown();
    }
  });

  test('wrong basic credentials fail the Handshake with UNAUTHENTICATED', async () => {
    const err = await fx
      .connect({ username: 'alice', password: 'nope-nope' })
      .execute('SELECT 1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as OperationalError).grpcCode).toBe(status.UNAUTHENTICATED);
    expect(String((err as Error).message)).not.toContain('nope-nope');
  });

  test('custom headers reach the server, and response headers and trailers reach the caller', async () => {
    const client = fx.connect({ token: TOKEN, metadata: { 'x-request-tag': 'home' } });
    let headers: Record<string, unknown> | undefined;
    let trailers: Record<string, unknown> | undefined;
    const info = await client.execute('SELECT 1', {
      onHeaders: (h) => (headers = h),
      onTrailers: (t) => (trailers = t),
    });
    expect(info.endpoints).toHaveLength(1);
    expect(headers).toBeDefined();
    expect(trailers).toBeDefined();
    const reader = await client.doGet(info.endpoints[0]!.ticket);
    await reader.readAll();
    expect(reader.headers).toBeDefined();
    expect(reader.trailers).toBeDefined();
  });

  test('a descriptor that is not a Flight SQL command is a ProgrammingError', async () => {
    const client = fx.connect({ token: TOKEN });
    const err = await client.flight.getFlightInfo({ type: 'path', path: ['x'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProgrammingError);
  });
});

describe('a server with username and password but no token', () => {
  const fx = useServer({ username: 'carol', password: 'pw-carol-1' });

  test('calls without the token the Handshake grants are refused', async () => {
    const err = await fx
      .connect()
      .execute('SELECT 1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as OperationalError).grpcCode).toBe(status.UNAUTHENTICATED);
  });

  test('after a basic-auth Handshake the client is let in', async () => {
    const table = await queryTable(
      fx.connect({ username: 'carol', password: 'pw-carol-1' }),
      'SELECT 5 AS five',
    );
    expect(table.getChild('five')!.get(0)).toBe(5);
  });
});
