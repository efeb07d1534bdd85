/**
 * Every error mapping of the PEP 249 layer, against real servers: the embedded server for what
 * it can answer, a plain HTTP server for a wrong address, and a bare gRPC server for INTERNAL
 * (which the embedded server does not answer on demand).
 */
import { Server, ServerCredentials, status, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { createServer } from 'node:http';
import { createServer as createHttp2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import {
  connect,
  DataError,
  IntegrityError,
  InterfaceError,
  InternalError,
  NotSupportedError,
  OperationalError,
  ProgrammingError,
  type Connection,
} from '../../../src';
import * as pb from '../../../src/proto/Flight';
import { flightServiceDefinition, startServer, type RunningServer } from '../../../src/server';

const TOKEN = 'tok-secret-4b7e91';
let server: RunningServer;
let con: Connection;

beforeAll(async () => {
  server = await startServer({ token: TOKEN });
  con = await connect(server.location, { token: TOKEN });
  await con.cursor().execute('CREATE TABLE uniq (id INTEGER PRIMARY KEY, n INTEGER)');
  await con.cursor().execute('INSERT INTO uniq VALUES (1, 1)');
});
afterAll(async () => {
  await con.close();
  await server.close();
});

async function failure(work: Promise<unknown>): Promise<Error & { grpcCode?: number }> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof Error)) throw new Error('expected a failure');
  return err;
}

test('INVALID_ARGUMENT (a syntax error) is a ProgrammingError with the server message', async () => {
  const err = await failure(con.cursor().execute('SELEC 1'));
  expect(err).toBeInstanceOf(ProgrammingError);
  expect(err.grpcCode).toBe(status.INVALID_ARGUMENT);
  expect(err.message).toMatch(/syntax error/);
});

test('NOT_FOUND (an unknown table) is a ProgrammingError', async () => {
  const err = await failure(con.cursor().execute('SELECT * FROM no_such_table'));
  expect(err).toBeInstanceOf(ProgrammingError);
  expect(err.grpcCode).toBe(status.NOT_FOUND);
  expect(err.message).toMatch(/no_such_table/);
});

test('ALREADY_EXISTS (a duplicate key, an existing table) is an IntegrityError', async () => {
  const dup = await failure(con.cursor().execute('INSERT INTO uniq VALUES (?, ?)', [1, 2]));
  expect(dup).toBeInstanceOf(IntegrityError);
  expect(dup.grpcCode).toBe(status.ALREADY_EXISTS);
  const again = await failure(con.cursor().execute('CREATE TABLE uniq (id INTEGER)'));
  expect(again).toBeInstanceOf(IntegrityError);
});

test('bad values are DataErrors: a failed cast on the server, a parameter the column cannot hold', async () => {
  const cast = await failure(con.cursor().execute("SELECT CAST('x1' AS INTEGER)"));
  expect(cast).toBeInstanceOf(DataError);
  expect(cast.grpcCode).toBe(status.OUT_OF_RANGE);
  const param = await failure(con.cursor().execute('UPDATE uniq SET n = ? WHERE id = 1', [2 ** 31]));
  expect(param).toBeInstanceOf(DataError);
  expect(param.message).toMatch(/out of range/);
});

test('UNAUTHENTICATED (a wrong token) fails connect() with an OperationalError that never shows the token', async () => {
  const wrong = 'tok-wrong-0d5c2a';
  const err = await failure(connect(server.location, { token: wrong }));
  expect(err).toBeInstanceOf(OperationalError);
  expect(err.grpcCode).toBe(status.UNAUTHENTICATED);
  for (const text of [err.message, String(err), JSON.stringify(err), err.stack ?? '']) {
    expect(text).not.toContain(wrong);
    expect(text).not.toContain(TOKEN);
  }
});

test('a wrong password in a URL fails connect() without showing the password', async () => {
  const basic = await startServer({ username: 'u1', password: 'right-pass-1' });
  try {
    const err = await failure(
      connect(`flightsql://u1:wrong-pass-9@127.0.0.1:${basic.port}?useEncryption=false`),
    );
    expect(err).toBeInstanceOf(OperationalError);
    expect(err.grpcCode).toBe(status.UNAUTHENTICATED);
    expect(`${err.message} ${err.stack}`).not.toContain('wrong-pass-9');
  } finally {
    await basic.close();
  }
});

test('PERMISSION_DENIED (file access, closed by default on the server) is an OperationalError', async () => {
  const locked = await startServer();
  try {
    await using c = await connect(locked.location);
    const err = await failure(c.cursor().execute("SELECT * FROM read_csv('/etc/hostname')"));
    expect(err).toBeInstanceOf(OperationalError);
    expect(err.grpcCode).toBe(status.PERMISSION_DENIED);
  } finally {
    await locked.close();
  }
});

test('UNAVAILABLE (nothing listens) fails connect() with an OperationalError that says so', async () => {
  const gone = await startServer();
  const location = gone.location;
  await gone.close();
  const err = await failure(connect(location, { timeoutMs: 5000 }));
  expect(err).toBeInstanceOf(OperationalError);
  expect(err.grpcCode).toBe(status.UNAVAILABLE);
  expect(err.message).toMatch(/cannot connect/);
});

test('DEADLINE_EXCEEDED (a statement over its timeout) is an OperationalError', async () => {
  const err = await failure(
    con.cursor().execute('CREATE TABLE slow AS SELECT sum(range) AS s FROM range(20000000000)', null, {
      timeoutMs: 150,
    }),
  );
  expect(err).toBeInstanceOf(OperationalError);
  expect(err.grpcCode).toBe(status.DEADLINE_EXCEEDED);
});

test('UNIMPLEMENTED is a NotSupportedError: Substrait on a server without it, callproc', async () => {
  const err = await failure(con.client.executeSubstrait({ plan: new Uint8Array([1]), version: '0.1' }));
  expect(err).toBeInstanceOf(NotSupportedError);
  expect(err.grpcCode).toBe(status.UNIMPLEMENTED);
  await expect(con.cursor().callproc('p')).rejects.toBeInstanceOf(NotSupportedError);
});

test('INTERNAL from a gRPC server is an InternalError', async () => {
  const grpc = new Server();
  grpc.addService(flightServiceDefinition, {
    getFlightInfo(
      _call: ServerUnaryCall<pb.FlightDescriptor, pb.FlightInfo>,
      callback: sendUnaryData<pb.FlightInfo>,
    ) {
      callback({ code: status.INTERNAL, details: 'the planner fell over' });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    grpc.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  try {
    // GetSqlInfo goes through GetFlightInfo too: the failure surfaces from connect().
    const err = await failure(connect(`grpc://127.0.0.1:${port}`));
    expect(err).toBeInstanceOf(InternalError);
    expect(err.message).toMatch(/the planner fell over/);
  } finally {
    grpc.forceShutdown();
  }
});

test('a web server at the address (wrong host or port) gives an error that says it is not Flight SQL', async () => {
  // HTTP/2 answering 405 with HTML, as a web server or an HTTP API behind TLS/ALPN does.
  const h2 = createHttp2Server((_req, res) => {
    res.writeHead(405, { 'content-type': 'text/html' });
    res.end('<html><body>Method Not Allowed</body></html>');
  });
  // HTTP/1.1 only, as a plain web server on the wrong port.
  const h1 = createServer((_req, res) => {
    res.writeHead(405, { 'content-type': 'text/html' });
    res.end('<html><body>Method Not Allowed</body></html>');
  });
  await Promise.all([h1, h2].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))));
  try {
    const at = (s: { address(): unknown }) => `grpc://127.0.0.1:${(s.address() as AddressInfo).port}`;
    const viaH2 = await failure(connect(at(h2), { timeoutMs: 5000 }));
    expect(viaH2).toBeInstanceOf(OperationalError);
    expect(viaH2.message).toMatch(/plain HTTP 405.*not gRPC.*Arrow Flight SQL endpoint/);
    const viaH1 = await failure(connect(at(h1), { timeoutMs: 5000 }));
    expect(viaH1).toBeInstanceOf(OperationalError);
    expect(viaH1.message).toMatch(/not gRPC.*Arrow Flight SQL endpoint/);
  } finally {
    h1.closeAllConnections();
    h1.close();
    h2.close();
  }
});

test('a closed cursor or connection is an InterfaceError', async () => {
  const c = await connect(server.location, { token: TOKEN });
  const cur = c.cursor();
  await cur.execute('SELECT 1');
  await cur.close();
  await expect(cur.fetchone()).rejects.toBeInstanceOf(InterfaceError);
  await expect(cur.execute('SELECT 1')).rejects.toBeInstanceOf(InterfaceError);
  const other = c.cursor();
  await c.close();
  expect(c.closed).toBe(true);
  expect(other.closed).toBe(true);
  await expect(other.execute('SELECT 1')).rejects.toBeInstanceOf(InterfaceError);
  expect(() => c.cursor()).toThrow(InterfaceError);
  await expect(c.commit()).rejects.toBeInstanceOf(InterfaceError);
  await expect(c.rollback()).rejects.toBeInstanceOf(InterfaceError);
  await c.close(); // a second close is a no-op
});

test('positional parameters only: anything else is a ProgrammingError', async () => {
  await expect(con.cursor().execute('SELECT ?', { a: 1 } as unknown as unknown[])).rejects.toBeInstanceOf(
    ProgrammingError,
  );
  await expect(con.cursor().fetchmany(-1)).rejects.toBeInstanceOf(ProgrammingError);
});

test('a wrong number of parameters is a ProgrammingError, too few, too many or none', async () => {
  const cur = con.cursor();
  await expect(cur.execute('SELECT ? AS a, ? AS b', [1])).rejects.toThrow(
    new ProgrammingError('the statement takes 2 parameter(s), a row has 1'),
  );
  await expect(cur.execute('SELECT ? AS a', [1, 2])).rejects.toBeInstanceOf(ProgrammingError);
  // No parameters at all: the statement goes as it is, and the server says what is missing.
  await expect(cur.execute('SELECT * FROM uniq WHERE id = ?', [])).rejects.toThrow(
    /Values were not provided for the following prepared statement parameters/,
  );
  await expect(cur.execute('SELECT * FROM uniq WHERE id = ?')).rejects.toBeInstanceOf(ProgrammingError);
  const statement = await con.client.prepare('SELECT * FROM uniq WHERE id = ?');
  await expect(statement.execute([])).rejects.toThrow(
    new ProgrammingError('the statement takes 1 parameter(s), none given'),
  );
  await statement.close();
  await expect(cur.executemany('INSERT INTO uniq VALUES (?, ?)', [[5, 5], [6]])).rejects.toBeInstanceOf(
    ProgrammingError,
  );
  await cur.execute('SELECT count(*) FROM uniq');
  expect((await cur.fetchone())![0]).toBe(1n); // nothing was inserted
});
