// BENCH-ONLY compatibility shim: a second gRPC server over the SAME engine and the SAME
// exported handlers (`flightSqlService`, `flightServiceDefinition`) as `startServer()`, with
// three extra handlers so that peers that cannot talk to the real server can still be timed
// on the identical DoGet path:
//
//   * Handshake answers the first HandshakeRequest with an `authorization` header, as the real
//     server now does too (kept here so the shim does not depend on that).
//   * DoAction CreatePreparedStatement / ClosePreparedStatement, and GetFlightInfo with
//     CommandPreparedStatementQuery: @lakehouse-rs/flight-sql-client's query() goes through a
//     prepared statement (arrow-rs FlightSqlServiceClient::prepare + execute); the real server
//     answers DoAction with UNIMPLEMENTED. The handle is the SQL text itself; GetFlightInfo is
//     rewritten into CommandStatementQuery and handed to the real handler; DoGet is untouched.
//
// None of this is in src/: it exists to measure peers, and the results table says which rows
// went through it.
import grpc from '@grpc/grpc-js';
import { flightSqlService, flightServiceDefinition } from 'flightsql/server';
import { encodeSchema, packCommand, unpackCommand } from 'flightsql';
import { timingSafeEqual } from 'node:crypto';

const equal = (a, b) => {
  const x = Buffer.from(a ?? '');
  const y = Buffer.from(b ?? '');
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Starts the shim server on 127.0.0.1:<free port>; resolves to { port, close() }. */
export async function startShimServer(engine, auth = {}, overrides = {}) {
  const base = { ...flightSqlService(engine, auth), ...(overrides.doGet ? { doGet: overrides.doGet } : {}) };
  const checkBearer = (metadata) => {
    if (!auth.token) return;
    const header = metadata.get('authorization')[0];
    const bearer =
      typeof header === 'string' && /^bearer /i.test(header) ? header.slice(7).trim() : undefined;
    if (!equal(bearer, auth.token)) {
      throw Object.assign(new Error('authentication required'), { code: grpc.status.UNAUTHENTICATED });
    }
  };

  const impl = {
    ...base,

    handshake(call) {
      const header = call.metadata.get('authorization')[0];
      const basic =
        typeof header === 'string' && /^basic /i.test(header)
          ? Buffer.from(header.slice(6).trim(), 'base64').toString()
          : undefined;
      let answered = false;
      const answer = () => {
        if (answered) return;
        answered = true;
        const [user, ...rest] = (basic ?? ':').split(':');
        if (
          auth.username !== undefined &&
          (!equal(user, auth.username) || !equal(rest.join(':'), auth.password))
        ) {
          call.emit('error', { code: grpc.status.UNAUTHENTICATED, details: 'invalid username or password' });
          return;
        }
        const token = auth.token ?? '';
        const md = new grpc.Metadata();
        // lance reads the response headers first and needs an `authorization` header there;
        // without auth configured the server ignores whatever token comes back later.
        md.set('authorization', `Bearer ${token || 'anonymous'}`);
        call.sendMetadata(md);
        call.write({ protocolVersion: 0n, payload: Buffer.from(token) });
        call.end();
      };
      call.on('data', answer);
      call.on('end', answer);
      call.on('error', () => undefined);
    },

    getFlightInfo(call, callback) {
      try {
        const command = unpackCommand(call.request.cmd);
        if (command.kind === 'CommandPreparedStatementQuery') {
          const sql = Buffer.from(command.message.preparedStatementHandle).toString('utf8');
          call.request = {
            ...call.request,
            cmd: Buffer.from(packCommand('CommandStatementQuery', { query: sql })),
          };
        }
      } catch {
        // let the real handler answer
      }
      return base.getFlightInfo(call, callback);
    },

    doAction(call) {
      (async () => {
        checkBearer(call.metadata);
        const { type, body } = call.request;
        if (type === 'CreatePreparedStatement') {
          const command = unpackCommand(body);
          if (command.kind !== 'ActionCreatePreparedStatementRequest')
            throw new Error(`unexpected ${command.kind}`);
          const sql = command.message.query;
          const schema = await engine.schemaOf(sql);
          const result = packCommand('ActionCreatePreparedStatementResult', {
            preparedStatementHandle: Buffer.from(sql, 'utf8'),
            datasetSchema: Buffer.from(encodeSchema(schema)),
            parameterSchema: Buffer.alloc(0),
          });
          call.write({ body: Buffer.from(result) });
          return;
        }
        if (type === 'ClosePreparedStatement') return;
        base.doAction(call); // answers by itself
        return 'delegated';
      })().then(
        (how) => {
          if (how !== 'delegated') call.end();
        },
        (err) => call.emit('error', { code: err.code ?? grpc.status.INTERNAL, details: err.message }),
      );
    },
  };
  const server = new grpc.Server({
    'grpc.max_receive_message_length': -1,
    'grpc.max_send_message_length': -1,
  });
  server.addService(overrides.definition ?? flightServiceDefinition, impl);
  const port = await new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    port,
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}
