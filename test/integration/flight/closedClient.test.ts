/**
 * A closed client never connects again. grpc-js keeps a subchannel's reconnect scheduled after
 * its last channel has closed: a client closed while its server was down used to dial the
 * port once the reconnect backoff ended, and hold whatever answered there (a restarted server,
 * or another one given the same port) for the life of the process.
 */
import { FlightSQLClient } from '../../../src';
import { startServer, type ServerOptions } from '../../../src/server';
import { makeCertificates, type TestCertificates } from '../certs';
import { serverSockets } from '../sockets';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let pems: TestCertificates;
beforeAll(() => {
  pems = makeCertificates();
});
afterAll(() => pems.remove());

test.each([
  ['plaintext', () => ({}), () => ({})],
  ['TLS', () => ({ tls: { cert: pems.cert, key: pems.key } }), () => ({ tls: { ca: pems.ca } })],
] as const)(
  '%s: a client closed while its server is down does not connect to the next server on that port',
  async (_name, serverTls, clientTls) => {
    const first = await startServer(serverTls() as ServerOptions);
    const { port, location } = first;
    const client = new FlightSQLClient({ host: location, timeoutMs: 5000, ...clientTls() });
    await client.executeUpdate('SELECT 1');
    expect(serverSockets(port)).toBe(1);
    await first.close();
    // Failed calls leave the subchannel waiting out its backoff (about 1 s), asked to reconnect.
    for (let i = 0; i < 3; i++) await expect(client.executeUpdate('SELECT 1')).rejects.toThrow();
    await client.close();

    const next = await startServer({ ...(serverTls() as ServerOptions), port });
    try {
      await sleep(2500); // past grpc-js's first backoff (1 s, jitter 20%) and then some
      expect(serverSockets(port)).toBe(0);
    } finally {
      await next.close();
    }
  },
  20_000,
);

test('clients to one server still share one connection (grpc-js finds their credentials equal)', async () => {
  const server = await startServer();
  const clients = Array.from({ length: 3 }, () => new FlightSQLClient({ host: server.location }));
  try {
    for (const client of clients) await client.executeUpdate('SELECT 1');
    expect(serverSockets(server.port)).toBe(1);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await server.close();
  }
});
