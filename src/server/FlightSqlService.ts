/**
 * The FlightService handlers of the embedded server. Each RPC unpacks its command from the
 * one command table (`sql/commands.ts`) and dispatches on it; what is not implemented answers
 * UNIMPLEMENTED and names the command.
 */
import {
  Metadata,
  status as Status,
  type sendUnaryData,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { once } from 'node:events';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import {
  ALIGN_BODY_HEADER,
  decodeFlightData,
  encodeFlightData,
  encodeSchema,
  FlightDataDecoder,
  FlightDataEncoder,
  limitBuffering,
  type RawFlightData,
  type OutgoingFlightData,
} from '../flight';
import { messageOf, redact } from '../errors';
import * as pb from '../proto/Flight';
import { packCommand, unpackAs, unpackCommand, type Command } from '../sql/commands';
import * as sql from '../proto/FlightSql';
import { describeStatement, executeUpdate, parameterRows, type StatementShape } from './statements';
import { ingest } from './ingest';
import { SessionStore } from './sessions';
import { isMetadataCommand, metadataSchema, runMetadata, type MetadataCommand } from './metadata';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DuckDBEngine } from './DuckDBEngine';
import { StatusError, statusForDuckDBError } from './statusErrors';
import type { RecordBatch, Schema } from 'apache-arrow';

/** Who may call the server. */
export interface ServerAuth {
  /** Bearer token every call must carry (or `auth-token-bin`, after a basic Handshake). */
  readonly token?: string;
  /** Credentials accepted by the basic-auth Handshake, which answers with `token`. */
  readonly username?: string;
  readonly password?: string;
}

/** The FlightService definition with our zero-copy FlightData codec on the streaming RPCs. */
export const flightServiceDefinition: ServiceDefinition = {
  ...pb.FlightServiceService,
  doGet: { ...pb.FlightServiceService.doGet, responseSerialize: encodeFlightData },
  doPut: { ...pb.FlightServiceService.doPut, requestDeserialize: decodeFlightData },
  doExchange: {
    ...pb.FlightServiceService.doExchange,
    requestDeserialize: decodeFlightData,
    responseSerialize: encodeFlightData,
  },
} as unknown as ServiceDefinition;

interface StatementHandle {
  readonly sql: string;
  /** Transaction the statement runs in (hex of its id), if any. */
  readonly txn?: string;
}

/** Our statement handles are stateless: the ticket carries the query itself. */
function encodeHandle(handle: StatementHandle): Buffer {
  return Buffer.from(JSON.stringify(handle));
}

function decodeHandle(bytes: Uint8Array): StatementHandle {
  try {
    const handle = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<StatementHandle>;
    if (typeof handle.sql === 'string')
      return { sql: handle.sql, txn: typeof handle.txn === 'string' ? handle.txn : undefined };
  } catch {
    // fall through
  }
  throw new StatusError(Status.INVALID_ARGUMENT, 'invalid statement handle');
}

/** A statement to run: its SQL and, for a prepared statement, its bound parameters. */
interface Statement {
  readonly sql: string;
  readonly parameters?: readonly unknown[];
  /** Transaction id, for statements that run in one. */
  readonly txn?: Uint8Array;
}

/** What the server remembers of a prepared statement. */
interface Prepared {
  readonly sql: string;
  readonly shape: StatementShape;
  /** Transaction the statement was prepared in, if any. */
  readonly txn?: Uint8Array;
  /** Rows bound by the last DoPut; a query runs with the first. */
  parameters: unknown[][];
}

/** The SQL of a DoGet ticket: a TicketStatementQuery, or InfluxDB's JSON ticket for plain Flight clients. */
function sqlOfTicket(ticket: Uint8Array): StatementHandle {
  const text = Buffer.from(ticket).toString('utf8').trim();
  if (text.startsWith('{')) {
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new StatusError(Status.INVALID_ARGUMENT, 'invalid JSON ticket');
    }
    const language = String(json['query_type'] ?? 'sql').toLowerCase();
    if (language === 'influxql') {
      throw new StatusError(
        Status.UNIMPLEMENTED,
        'InfluxQL is not supported by this server: use query_type "sql"',
      );
    }
    if (language !== 'sql')
      throw new StatusError(Status.INVALID_ARGUMENT, `unknown query_type '${language}'`);
    if (typeof json['sql_query'] !== 'string') {
      throw new StatusError(Status.INVALID_ARGUMENT, 'JSON ticket has no "sql_query" string');
    }
    return { sql: json['sql_query'] };
  }
  let command: Command;
  try {
    command = unpackCommand(ticket);
  } catch {
    throw new StatusError(Status.INVALID_ARGUMENT, 'unrecognised ticket');
  }
  if (command.kind === 'TicketStatementQuery') return decodeHandle(command.message.statementHandle);
  throw new TicketIsCommand(command);
}

/** The ticket is itself a command (prepared statements use their own command as the ticket). */
class TicketIsCommand extends globalThis.Error {
  constructor(readonly command: Command) {
    super('ticket is a command');
  }
}

function unsupportedTicket(command: Command): StatusError {
  return new StatusError(
    Status.INVALID_ARGUMENT,
    `unsupported ticket ${command.kind === 'unknown' ? command.typeUrl : command.kind}`,
  );
}

function commandOf(descriptor: pb.FlightDescriptor): Command {
  if (descriptor.type !== pb.FlightDescriptor_DescriptorType.CMD) {
    throw new StatusError(
      Status.INVALID_ARGUMENT,
      'this server takes CMD descriptors (Flight SQL commands), not paths',
    );
  }
  try {
    return unpackCommand(descriptor.cmd);
  } catch {
    throw new StatusError(Status.INVALID_ARGUMENT, 'the descriptor command is not a google.protobuf.Any');
  }
}

function unimplemented(what: string): StatusError {
  return new StatusError(Status.UNIMPLEMENTED, `${what} is not implemented by this server`);
}

function unsupported(command: Command): StatusError {
  return command.kind === 'unknown'
    ? new StatusError(Status.INVALID_ARGUMENT, `unknown command type ${command.typeUrl}`)
    : unimplemented(command.kind);
}

function toStatus(err: unknown): { code: Status; details: string } {
  if (err instanceof StatusError) return { code: err.code, details: err.message };
  return { code: Status.INTERNAL, details: redact(messageOf(err)) };
}

function equalSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** SqlInfo values this service adds to the engine's: transactions (without savepoints) and cancellation. */
const SERVICE_INFO: ReadonlyMap<number, boolean | number> = new Map<number, boolean | number>([
  [
    sql.SqlInfo.FLIGHT_SQL_SERVER_TRANSACTION,
    sql.SqlSupportedTransaction.SQL_SUPPORTED_TRANSACTION_TRANSACTION,
  ],
  [sql.SqlInfo.SQL_TRANSACTIONS_SUPPORTED, true],
  [sql.SqlInfo.FLIGHT_SQL_SERVER_CANCEL, true],
]);

const CANCELLED_BY_REQUEST = new StatusError(Status.CANCELLED, 'the query was cancelled (CancelFlightInfo)');

/** The actions this server answers (ListActions). */
const ACTIONS: readonly pb.ActionType[] = [
  { type: 'CreatePreparedStatement', description: 'Prepares a SQL statement (Flight SQL)' },
  { type: 'ClosePreparedStatement', description: 'Closes a prepared statement (Flight SQL)' },
  { type: 'BeginTransaction', description: 'Begins a transaction (Flight SQL)' },
  { type: 'EndTransaction', description: 'Commits or rolls back a transaction (Flight SQL)' },
  { type: 'CancelFlightInfo', description: 'Stops a running query' },
  { type: 'SetSessionOptions', description: 'Sets options of the session (cookie arrow_flight_session_id)' },
  { type: 'GetSessionOptions', description: 'Returns the options of the session' },
  { type: 'CloseSession', description: 'Ends the session' },
  { type: 'CancelQuery', description: 'Stops a running query (Flight SQL, before Flight 15)' },
];

/** Builds the FlightService implementation over `engine`. */
export function flightSqlService(engine: DuckDBEngine, auth: ServerAuth = {}): UntypedServiceImplementation {
  const anonymousToken = randomUUID();
  const prepared = new Map<string, Prepared>();
  const sessions = new SessionStore();
  // DoGets in progress (to stop them on CancelFlightInfo) and tickets cancelled before or while
  // they ran (a later DoGet of one fails).
  const running = new Map<AbortController, string>();
  const cancelledTickets = new Set<string>();
  const cancel = (info: pb.FlightInfo | undefined): pb.CancelStatus => {
    if (!info?.endpoint.length)
      throw new StatusError(Status.INVALID_ARGUMENT, 'cancel needs the FlightInfo of the query');
    for (const endpoint of info.endpoint) {
      const key = Buffer.from(endpoint.ticket?.ticket ?? []).toString('base64');
      cancelledTickets.add(key);
      for (const [controller, ticket] of running) if (ticket === key) controller.abort();
    }
    return pb.CancelStatus.CANCEL_STATUS_CANCELLED;
  };
  // One DuckDB connection per open transaction: its statements run there.
  const transactions = new Map<string, DuckDBConnection>();
  const sessionFor = (id: Uint8Array | undefined): DuckDBConnection | undefined => {
    if (!id?.byteLength) return undefined;
    const session = transactions.get(Buffer.from(id).toString('hex'));
    if (!session)
      throw new StatusError(Status.NOT_FOUND, 'unknown transaction (ended, or from another server)');
    return session;
  };
  const lookup = (handle: Uint8Array): Prepared => {
    const found = prepared.get(Buffer.from(handle).toString());
    if (!found)
      throw new StatusError(
        Status.NOT_FOUND,
        'unknown prepared statement handle (closed, or from another server)',
      );
    return found;
  };
  const statementOfTicket = (ticket: Uint8Array): Statement => {
    try {
      const handle = sqlOfTicket(ticket);
      return { sql: handle.sql, txn: handle.txn === undefined ? undefined : Buffer.from(handle.txn, 'hex') };
    } catch (err) {
      if (!(err instanceof TicketIsCommand)) throw err;
      const command = err.command;
      if (command.kind !== 'CommandPreparedStatementQuery') throw unsupportedTicket(command);
      const statement = lookup(command.message.preparedStatementHandle);
      if (statement.parameters.length > 1) {
        throw new StatusError(Status.INVALID_ARGUMENT, 'a prepared query runs with one parameter row');
      }
      return {
        sql: statement.sql,
        txn: statement.txn,
        parameters:
          statement.parameters[0] ?? (statement.shape.parameterSchema.fields.length ? [] : undefined),
      };
    }
  };
  // With credentials but no configured token, calls must carry the token the Handshake grants.
  const requiredToken = auth.token ?? (auth.username !== undefined ? anonymousToken : undefined);
  const checkAuth = (metadata: Metadata) => {
    if (requiredToken === undefined) return;
    const header = metadata.get('authorization')[0];
    const bearer =
      typeof header === 'string' && /^bearer /i.test(header) ? header.slice(7).trim() : undefined;
    const tokenBin = metadata.get('auth-token-bin')[0];
    const presented =
      bearer ?? (tokenBin === undefined ? undefined : Buffer.from(tokenBin as Buffer).toString());
    if (presented === undefined)
      throw new StatusError(Status.UNAUTHENTICATED, 'authentication required: send a bearer token');
    if (!equalSecret(presented, requiredToken))
      throw new StatusError(Status.UNAUTHENTICATED, 'invalid token');
  };

  const unary =
    <Req, Res>(handler: (request: Req) => Promise<Res>) =>
    (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
      (async () => {
        checkAuth(call.metadata);
        return handler(call.request);
      })().then(
        (value) => callback(null, value),
        (err: unknown) => callback(toStatus(err)),
      );
    };

  const statementInfo = async (descriptor: pb.FlightDescriptor): Promise<pb.FlightInfo> => {
    const command = commandOf(descriptor);
    let schema: Schema;
    let ticket: Uint8Array;
    if (command.kind === 'CommandPreparedStatementQuery') {
      const statement = lookup(command.message.preparedStatementHandle);
      schema = statement.shape.datasetSchema;
      // The command itself is the ticket: DoGet looks the statement up again.
      ticket = descriptor.cmd;
    } else if (command.kind === 'CommandStatementQuery') {
      const txn = command.message.transactionId;
      schema = await engine.schemaOf(command.message.query, sessionFor(txn));
      ticket = packCommand('TicketStatementQuery', {
        statementHandle: encodeHandle({
          sql: command.message.query,
          txn: txn?.byteLength ? Buffer.from(txn).toString('hex') : undefined,
        }),
      });
    } else if (isMetadataCommand(command)) {
      schema = metadataSchema(command);
      // Metadata commands are their own tickets.
      ticket = descriptor.cmd;
    } else {
      throw unsupported(command);
    }
    return {
      schema: Buffer.from(encodeSchema(schema)),
      flightDescriptor: descriptor,
      endpoint: [{ ticket: { ticket: Buffer.from(ticket) }, location: [], appMetadata: Buffer.alloc(0) }],
      totalRecords: -1n,
      totalBytes: -1n,
      ordered: true,
      appMetadata: Buffer.alloc(0),
    };
  };

  return {
    handshake(call: ServerDuplexStream<pb.HandshakeRequest, pb.HandshakeResponse>) {
      // Credentials come in an `authorization: Basic` header (arrow-go, Python) or in a
      // BasicAuth payload (Java's BasicClientAuthHandler); answer the first request, or the
      // half-close when no request comes, then finish the call.
      const header = call.metadata.get('authorization')[0];
      const basic =
        typeof header === 'string' && /^basic /i.test(header)
          ? Buffer.from(header.slice(6).trim(), 'base64').toString()
          : undefined;
      let answered = false;
      const answer = (payload?: Uint8Array) => {
        if (answered) return;
        answered = true;
        if (auth.username === undefined) {
          // No credentials to check. Clients that insist on a token from the Handshake
          // (lancedb's) get one that nothing requires.
          if (auth.token === undefined) grant(anonymousToken);
          else call.end();
          return;
        }
        let user: string | undefined;
        let password: string | undefined;
        if (basic !== undefined) {
          const colon = basic.indexOf(':');
          user = colon < 0 ? basic : basic.slice(0, colon);
          password = colon < 0 ? '' : basic.slice(colon + 1);
        } else if (payload?.byteLength) {
          try {
            ({ username: user, password } = pb.BasicAuth.decode(payload));
          } catch {
            // not a BasicAuth payload
          }
        }
        if (
          user === undefined ||
          !equalSecret(user, auth.username) ||
          !equalSecret(password ?? '', auth.password ?? '')
        ) {
          call.emit('error', { code: Status.UNAUTHENTICATED, details: 'invalid username or password' });
          return;
        }
        grant(requiredToken ?? anonymousToken);
      };
      const grant = (token: string) => {
        const md = new Metadata();
        md.set('authorization', `Bearer ${token}`);
        call.sendMetadata(md);
        call.write({ protocolVersion: 0n, payload: Buffer.from(token) });
        call.end();
      };
      call.on('data', (request: pb.HandshakeRequest) => answer(request.payload));
      call.on('end', () => answer());
      call.on('error', () => undefined);
    },

    getFlightInfo: unary(statementInfo),

    getSchema: unary(async (descriptor: pb.FlightDescriptor): Promise<pb.SchemaResult> => {
      const command = commandOf(descriptor);
      if (isMetadataCommand(command)) return { schema: Buffer.from(encodeSchema(metadataSchema(command))) };
      if (command.kind === 'CommandPreparedStatementQuery') {
        return {
          schema: Buffer.from(
            encodeSchema(lookup(command.message.preparedStatementHandle).shape.datasetSchema),
          ),
        };
      }
      if (command.kind !== 'CommandStatementQuery') throw unsupported(command);
      const session = sessionFor(command.message.transactionId);
      return { schema: Buffer.from(encodeSchema(await engine.schemaOf(command.message.query, session))) };
    }),

    // Queries run when their ticket is redeemed, so a poll is complete at once.
    pollFlightInfo: unary(async (descriptor: pb.FlightDescriptor): Promise<pb.PollInfo> => ({
      info: await statementInfo(descriptor),
      flightDescriptor: undefined,
      progress: 1,
      expirationTime: undefined,
    })),

    doGet(call: ServerWritableStream<pb.Ticket, OutgoingFlightData>) {
      const controller = new AbortController();
      call.on('cancelled', () => controller.abort());
      const key = Buffer.from(call.request.ticket).toString('base64');
      (async () => {
        checkAuth(call.metadata);
        if (cancelledTickets.has(key))
          throw new StatusError(Status.CANCELLED, 'the query was cancelled (CancelFlightInfo)');
        running.set(controller, key);
        const alignBody = call.metadata.get(ALIGN_BODY_HEADER).length > 0;
        const metadata = metadataOfTicket(call.request.ticket);
        if (metadata) {
          const result = await runMetadata(engine, metadata, { sqlInfo: SERVICE_INFO });
          await streamBatches(call, result.schema, result.batches, controller.signal, alignBody);
          return;
        }
        const statement = statementOfTicket(call.request.ticket);
        const query = await engine.query(
          statement.sql,
          controller.signal,
          statement.parameters,
          sessionFor(statement.txn),
        );
        try {
          await streamBatches(call, query.schema, query.batches, controller.signal, alignBody);
        } finally {
          query.close();
        }
      })()
        .finally(() => running.delete(controller))
        .then(
          () => {
            if (!controller.signal.aborted) call.end();
            else if (cancelledTickets.has(key)) call.emit('error', toStatus(CANCELLED_BY_REQUEST));
          },
          (err: unknown) => {
            if (!controller.signal.aborted) call.emit('error', toStatus(err));
            else if (cancelledTickets.has(key)) call.emit('error', toStatus(CANCELLED_BY_REQUEST));
          },
        );
    },

    doPut(call: ServerDuplexStream<RawFlightData, pb.PutResult>) {
      (async () => {
        checkAuth(call.metadata);
        const decoder = new FlightDataDecoder();
        let command: Command | undefined;
        const batches: RecordBatch[] = [];
        for (const message of await readAll(call)) {
          if (!command) {
            if (!message.descriptor)
              throw new StatusError(Status.INVALID_ARGUMENT, 'the first DoPut message has no descriptor');
            command = commandOf(pb.FlightDescriptor.decode(message.descriptor));
          }
          const payload = decoder.decode(message);
          if (payload.kind === 'batch' && payload.batch.numRows > 0) batches.push(payload.batch);
        }
        if (!command) throw new StatusError(Status.INVALID_ARGUMENT, 'DoPut without a descriptor');
        switch (command.kind) {
          case 'CommandStatementUpdate': {
            const session = sessionFor(command.message.transactionId);
            const count = await executeUpdate(engine, command.message.query, [], session);
            call.write({
              appMetadata: Buffer.from(sql.DoPutUpdateResult.encode({ recordCount: BigInt(count) }).finish()),
            });
            return;
          }
          case 'CommandStatementIngest': {
            const session = sessionFor(command.message.transactionId);
            const count = await ingest(engine, command.message, decoder.schema, batches, session);
            call.write({
              appMetadata: Buffer.from(sql.DoPutUpdateResult.encode({ recordCount: BigInt(count) }).finish()),
            });
            return;
          }
          case 'CommandPreparedStatementQuery': {
            const statement = lookup(command.message.preparedStatementHandle);
            statement.parameters = parameterRows(batches);
            // Stateful server: the handle stays the same; say so, as stateless servers must.
            const result = sql.DoPutPreparedStatementResult.encode({
              preparedStatementHandle: Buffer.from(command.message.preparedStatementHandle),
            }).finish();
            call.write({ appMetadata: Buffer.from(result) });
            return;
          }
          case 'CommandPreparedStatementUpdate': {
            const statement = lookup(command.message.preparedStatementHandle);
            const rows = batches.length ? parameterRows(batches) : statement.parameters;
            const count = await executeUpdate(
              engine,
              statement.sql,
              rows.length ? rows : [[]],
              sessionFor(statement.txn),
            );
            call.write({
              appMetadata: Buffer.from(sql.DoPutUpdateResult.encode({ recordCount: BigInt(count) }).finish()),
            });
            return;
          }
          default:
            throw unsupported(command);
        }
      })().then(
        () => call.end(),
        (err: unknown) => call.emit('error', toStatus(err)),
      );
    },

    doExchange(call: ServerDuplexStream<unknown, OutgoingFlightData>) {
      call.on('data', () => undefined);
      call.emit('error', toStatus(unimplemented('DoExchange')));
    },

    doAction(call: ServerWritableStream<pb.Action, pb.Result>) {
      (async () => {
        checkAuth(call.metadata);
        const { type, body } = call.request;
        const cookie = call.metadata.get('cookie').map(String).join('; ') || undefined;
        const session = sessions.handle(type, body, cookie);
        if (session) {
          if (session.setCookie) {
            const md = new Metadata();
            md.set('set-cookie', session.setCookie);
            call.sendMetadata(md);
          }
          call.write({ body: Buffer.from(session.result) });
          return;
        }
        switch (type) {
          case 'CreatePreparedStatement': {
            const request = unpackAs(body, 'ActionCreatePreparedStatementRequest');
            if (!request)
              throw new StatusError(
                Status.INVALID_ARGUMENT,
                'CreatePreparedStatement needs an ActionCreatePreparedStatementRequest',
              );
            const txn = request.transactionId?.byteLength ? request.transactionId : undefined;
            const shape = await describeStatement(engine, request.query, sessionFor(txn));
            const handle = randomUUID();
            prepared.set(handle, { sql: request.query, shape, txn, parameters: [] });
            const result = packCommand('ActionCreatePreparedStatementResult', {
              preparedStatementHandle: Buffer.from(handle),
              datasetSchema: Buffer.from(encodeSchema(shape.datasetSchema)),
              parameterSchema: Buffer.from(encodeSchema(shape.parameterSchema)),
            });
            call.write({ body: Buffer.from(result) });
            return;
          }
          case 'ClosePreparedStatement': {
            const request = unpackAs(body, 'ActionClosePreparedStatementRequest');
            if (!request)
              throw new StatusError(
                Status.INVALID_ARGUMENT,
                'ClosePreparedStatement needs an ActionClosePreparedStatementRequest',
              );
            lookup(request.preparedStatementHandle);
            prepared.delete(Buffer.from(request.preparedStatementHandle).toString());
            return;
          }
          case 'BeginTransaction': {
            if (!unpackAs(body, 'ActionBeginTransactionRequest')) {
              throw new StatusError(
                Status.INVALID_ARGUMENT,
                'BeginTransaction needs an ActionBeginTransactionRequest',
              );
            }
            const session = await engine.openSession();
            try {
              await session.run('BEGIN TRANSACTION');
            } catch (err) {
              engine.endSession(session);
              throw statusForDuckDBError(err);
            }
            const id = Buffer.from(randomUUID().replace(/-/g, ''), 'hex');
            transactions.set(id.toString('hex'), session);
            call.write({
              body: Buffer.from(packCommand('ActionBeginTransactionResult', { transactionId: id })),
            });
            return;
          }
          case 'EndTransaction': {
            const request = unpackAs(body, 'ActionEndTransactionRequest');
            if (!request)
              throw new StatusError(
                Status.INVALID_ARGUMENT,
                'EndTransaction needs an ActionEndTransactionRequest',
              );
            const session = sessionFor(request.transactionId);
            if (!session)
              throw new StatusError(Status.INVALID_ARGUMENT, 'EndTransaction needs a transaction id');
            const sqlText =
              request.action === sql.ActionEndTransactionRequest_EndTransaction.END_TRANSACTION_COMMIT
                ? 'COMMIT'
                : request.action === sql.ActionEndTransactionRequest_EndTransaction.END_TRANSACTION_ROLLBACK
                  ? 'ROLLBACK'
                  : undefined;
            if (!sqlText)
              throw new StatusError(Status.INVALID_ARGUMENT, 'EndTransaction needs COMMIT or ROLLBACK');
            transactions.delete(Buffer.from(request.transactionId).toString('hex'));
            try {
              await session.run(sqlText);
            } catch (err) {
              throw statusForDuckDBError(err);
            } finally {
              engine.endSession(session);
            }
            return;
          }
          case 'CancelFlightInfo': {
            const status = cancel(pb.CancelFlightInfoRequest.decode(body).info);
            call.write({ body: Buffer.from(pb.CancelFlightInfoResult.encode({ status }).finish()) });
            return;
          }
          case 'CancelQuery': {
            const request = unpackAs(body, 'ActionCancelQueryRequest');
            if (!request)
              throw new StatusError(Status.INVALID_ARGUMENT, 'CancelQuery needs an ActionCancelQueryRequest');
            cancel(pb.FlightInfo.decode(request.info));
            const result = sql.ActionCancelQueryResult_CancelResult.CANCEL_RESULT_CANCELLED;
            call.write({ body: Buffer.from(packCommand('ActionCancelQueryResult', { result })) });
            return;
          }
          case 'BeginSavepoint':
          case 'EndSavepoint':
            throw new StatusError(
              Status.UNIMPLEMENTED,
              'DuckDB has no savepoints (SqlInfo FLIGHT_SQL_SERVER_TRANSACTION says so)',
            );
          default:
            throw unimplemented(`action '${type}'`);
        }
      })().then(
        () => call.end(),
        (err: unknown) => call.emit('error', toStatus(err)),
      );
    },

    listActions(call: ServerWritableStream<pb.Empty, pb.ActionType>) {
      try {
        checkAuth(call.metadata);
        for (const action of ACTIONS) call.write(action);
        call.end();
      } catch (err) {
        call.emit('error', toStatus(err));
      }
    },

    listFlights(call: ServerWritableStream<pb.Criteria, pb.FlightInfo>) {
      try {
        checkAuth(call.metadata);
        call.end();
      } catch (err) {
        call.emit('error', toStatus(err));
      }
    },
  };
}

/**
 * Every message of a client stream. Parameters and updates are small; grpc-js's server streams
 * end their async iteration unreliably, so this listens for 'data' and 'end'.
 */
function readAll<T>(call: ServerDuplexStream<T, unknown>): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const messages: T[] = [];
    call.on('data', (message: T) => messages.push(message));
    call.once('end', () => resolve(messages));
    call.once('error', reject);
    call.once('cancelled', () => reject(new StatusError(Status.CANCELLED, 'the client cancelled the call')));
  });
}

/** The metadata command a DoGet ticket holds, if it is one. */
function metadataOfTicket(ticket: Uint8Array): MetadataCommand | undefined {
  if (ticket.byteLength === 0 || ticket[0] === 0x7b /* '{': a JSON ticket */) return undefined;
  try {
    const command = unpackCommand(ticket);
    return isMetadataCommand(command) ? command : undefined;
  } catch {
    return undefined;
  }
}

/** Writes a schema and batches to a server stream, waiting for 'drain' when the client is slow. */
async function streamBatches(
  call: ServerWritableStream<unknown, OutgoingFlightData>,
  schema: import('apache-arrow').Schema,
  batches: AsyncIterable<import('apache-arrow').RecordBatch> | Iterable<import('apache-arrow').RecordBatch>,
  signal: AbortSignal,
  alignBody: boolean,
): Promise<void> {
  const encoder = new FlightDataEncoder({ alignBody });
  limitBuffering(call, 'writable');
  const write = async (message: OutgoingFlightData) => {
    if (call.write(message)) return;
    try {
      await once(call, 'drain', { signal });
    } catch (err) {
      if (!signal.aborted) throw err;
    }
  };
  await write(encoder.schema(schema));
  for await (const batch of batches) {
    if (signal.aborted) return;
    for (const message of encoder.batch(batch)) {
      await write(message);
      if (signal.aborted) return;
    }
  }
}
