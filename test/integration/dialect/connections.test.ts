/**
 * Every form of `connection` in docs/dialect.md ("Connections") against a plaintext embedded
 * server and a TLS one: each connects with the scheme it says. A client that picked the wrong
 * one fails (a TLS handshake with a plaintext server, or the reverse), so a query that answers
 * is the proof.
 */
import knex, { type Knex } from 'knex';
import { readFileSync } from 'node:fs';
import FlightSQLDialect from '../../../dialect';
import { startServer, type RunningServer } from '../../../src/server';
import { makeCertificates, type TestCertificates } from '../certs';

let plain: RunningServer;
let tls: RunningServer;
let certs: TestCertificates;
let ca: string;

beforeAll(async () => {
  certs = makeCertificates();
  ca = readFileSync(certs.caFile, 'utf8');
  plain = await startServer();
  tls = await startServer({ tls: { cert: certs.cert, key: certs.key } });
});
afterAll(async () => {
  await plain?.close();
  await tls?.close();
  certs?.remove();
});

/** Runs a query through Knex with `connection`; the name of the server that answered. */
async function answer(connection: unknown): Promise<string> {
  const quiet = { warn: () => undefined };
  const db = knex({ client: FlightSQLDialect, connection, log: quiet } as Knex.Config);
  try {
    const { rows } = await db.raw('select 1 as one');
    expect(rows).toEqual([{ one: 1 }]);
    return (db.client as FlightSQLDialect).facts()!.profile.name;
  } finally {
    await db.destroy();
  }
}

const forms: [string, () => unknown][] = [
  ["the server's location (grpc+tcp://)", () => plain.location],
  ['grpc://host:port', () => `grpc://127.0.0.1:${plain.port}`],
  [
    'grpc+tls://host:port (a CA file as parameter)',
    () => `grpc+tls://127.0.0.1:${tls.port}?tlsRootCerts=${certs.caFile}`,
  ],
  ['flightsql://…?useEncryption=false', () => `flightsql://127.0.0.1:${plain.port}?useEncryption=false`],
  ['flightsql://… (TLS)', () => `flightsql://localhost:${tls.port}?tlsRootCerts=${certs.caFile}`],
  ['{ url: grpc:// }', () => ({ url: `grpc://127.0.0.1:${plain.port}` })],
  ['{ url: grpc+tls://, tls: { ca } }', () => ({ url: `grpc+tls://127.0.0.1:${tls.port}`, tls: { ca } })],
  ['{ url: flightsql:// }', () => ({ url: `flightsql://127.0.0.1:${plain.port}?useEncryption=false` })],
  ['{ host, port: number, insecure }', () => ({ host: '127.0.0.1', port: plain.port, insecure: true })],
  [
    '{ host, port: string, insecure }',
    () => ({ host: '127.0.0.1', port: String(plain.port), insecure: true }),
  ],
  [
    '{ host, port, tls: { ca } } (a bare host is TLS)',
    () => ({ host: 'localhost', port: tls.port, tls: { ca } }),
  ],
  ['{ host: location }', () => ({ host: plain.location })],
  ['a function returning a location', () => () => plain.location],
  ['an async function returning options', () => async () => ({ host: tls.location, tls: { ca } })],
];

test.each(forms)('%s', async (_name, connection) => {
  expect(await answer(connection())).toBe('duckdb');
});

test("a connection string's scheme, which Knex drops, is not guessed wrong on this machine", async () => {
  // Both servers on 127.0.0.1, one plaintext and one TLS, written the same way but the scheme.
  expect(await answer(`grpc+tcp://127.0.0.1:${plain.port}`)).toBe('duckdb');
  await expect(answer(`grpc+tls://127.0.0.1:${tls.port}`)).rejects.toThrow(
    /certificate|self.signed|TLS|SSL/i,
  );
});
