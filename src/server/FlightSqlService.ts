/**
 * The FlightService handlers of the embedded server: authentication and a thin dispatch per RPC.
 * Each RPC unpacks its command from the one command table (`sql/commands.ts`) and hands it to
 * the module that owns it (tickets, prepared statements, transactions, DoPut, cancellation);
 * what is not implemented answers UNIMPLEMENTED and names the command.
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
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { Type, type Schema } from 'apache-arrow';
import {
  ALIGN_BODY_HEADER,
  decodeFlightData,
  encodeFlightData,
  encodeSchema,
  type RawFlightData,
  type OutgoingFlightData,
} from '../flight';
import * as pb from '../proto/Flight';
import { packCommand } from '../sql/commands';
import * as sql from '../proto/FlightSql';
import { Cancellations, CANCELLED_BY_REQUEST } from './Cancellations';
import type { DuckDBEngine } from './DuckDBEngine';
import { executePut } from './doPut';
import { influxqlQuery } from './influxql';
import { isMetadataCommand, metadataSchema, runMetadata } from './metadata';
import { PreparedStatements } from './PreparedStatements';
import { SessionStore } from './sessions';
import { StatusError, toStatus, unimplemented, unsupported } from './statusErrors';
import { streamBatches } from './streams';
import { databaseOf } from './database';
import { commandOf, encodeHandle, metadataOfTicket, statementOfTicket } from './tickets';
import { Transactions } from './Transactions';

/** Who may call the server. */
export interface ServerAuth {
  /** Bearer token every call must carry (or `auth-token-bin`, after a basic Handshake). */
  readonly token?: string;
  /** Credentials accepted by the basic-auth Handshake, which answers with `token`. */
  readonly username?: string;
  /** Password of `username`. */
  readonly password?: string;
  /**
   * The token the Handshake grants (and, with credentials but no `token`, the one calls must
   * carry); made up when not given. startServer() shares it with its call guard.
   */
  readonly grantedToken?: string;
}

/** The token every call must carry under `auth`, or undefined when calls need none. */
export function requiredTokenOf(auth: ServerAuth, granted: string): string | undefined {
  // With credentials but no configured token, calls must carry the token the Handshake grants.
  return auth.token ?? (auth.username !== undefined ? granted : undefined);
}

/** Throws UNAUTHENTICATED unless `metadata` carries `token` (bearer or `auth-token-bin`). */
export function checkToken(metadata: Metadata, token: string | undefined): void {
  if (token === undefined) return;
  const header = metadata.get('authorization')[0];
  const bearer = typeof header === 'string' && /^bearer /i.test(header) ? header.slice(7).trim() : undefined;
  const tokenBin = metadata.get('auth-token-bin')[0];
  const presented =
    bearer ?? (tokenBin === undefined ? undefined : Buffer.from(tokenBin as Buffer).toString());
  if (presented === undefined)
    throw new StatusError(Status.UNAUTHENTICATED, 'authentication required: send a bearer token');
  if (!equalSecret(presented, token)) throw new StatusError(Status.UNAUTHENTICATED, 'invalid token');
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

function equalSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** What the service offers beyond plain statements. */
export interface ServiceFeatures {
  /** Flight SQL transactions (default true); false answers like a server without them. */
  readonly transactions?: boolean;
  /** Prepared statements (default true); false answers CreatePreparedStatement with UNIMPLEMENTED. */
  readonly preparedStatements?: boolean;
}

/**
 * SqlInfo values that depend on this service rather than on DuckDB: transactions (DuckDB's
 * snapshot isolation, without savepoints), ingest (in transactions when there are any),
 * cancellation, and batch updates (a prepared update runs once per parameter row). Without
 * transactions the ids that describe them are left out, and the isolation level is NONE.
 */
function serviceInfo(features: ServiceFeatures): ReadonlyMap<number, boolean | number> {
  const transactions = features.transactions ?? true;
  const Isolation = sql.SqlTransactionIsolationLevel;
  const isolation = transactions ? Isolation.SQL_TRANSACTION_REPEATABLE_READ : Isolation.SQL_TRANSACTION_NONE;
  return new Map<number, boolean | number>([
    [
      sql.SqlInfo.FLIGHT_SQL_SERVER_TRANSACTION,
      transactions
        ? sql.SqlSupportedTransaction.SQL_SUPPORTED_TRANSACTION_TRANSACTION
        : sql.SqlSupportedTransaction.SQL_SUPPORTED_TRANSACTION_NONE,
    ],
    [sql.SqlInfo.FLIGHT_SQL_SERVER_CANCEL, true],
    [sql.SqlInfo.FLIGHT_SQL_SERVER_BULK_INGESTION, true],
    [sql.SqlInfo.FLIGHT_SQL_SERVER_INGEST_TRANSACTIONS_SUPPORTED, transactions],
    [sql.SqlInfo.SQL_DEFAULT_TRANSACTION_ISOLATION, isolation],
    [sql.SqlInfo.SQL_TRANSACTIONS_SUPPORTED, transactions],
    [sql.SqlInfo.SQL_SUPPORTED_TRANSACTIONS_ISOLATION_LEVELS, 1 << isolation],
    ...(transactions
      ? ([
          // DuckDB's DDL is transactional: it neither commits the transaction nor is ignored.
          [sql.SqlInfo.SQL_DATA_DEFINITION_CAUSES_TRANSACTION_COMMIT, false],
          [sql.SqlInfo.SQL_DATA_DEFINITIONS_IN_TRANSACTIONS_IGNORED, false],
        ] as const)
      : []),
    [sql.SqlInfo.SQL_BATCH_UPDATES_SUPPORTED, features.preparedStatements ?? true],
  ]);
}

const TRANSACTION_ACTIONS = new Set(['BeginTransaction', 'EndTransaction', 'BeginSavepoint', 'EndSavepoint']);

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

/** How the server splits statement results over endpoints (to exercise multi-endpoint clients). */
export interface Partitioning {
  /** Endpoints per statement result (default 1). */
  readonly partitions?: number;
  /** Location of a second listener that serves the odd shares, when there is one. */
  readonly secondLocation?: () => string | undefined;
}

function infoFor(
  schema: Schema,
  descriptor: pb.FlightDescriptor,
  endpoint: pb.FlightEndpoint[],
): pb.FlightInfo {
  return {
    schema: Buffer.from(encodeSchema(schema)),
    flightDescriptor: descriptor,
    endpoint,
    totalRecords: -1n,
    totalBytes: -1n,
    ordered: true,
    appMetadata: Buffer.alloc(0),
  };
}

/** Builds the FlightService implementation over `engine`. */
export function flightSqlService(
  engine: DuckDBEngine,
  auth: ServerAuth = {},
  split: Partitioning = {},
  features: ServiceFeatures = {},
): UntypedServiceImplementation {
  const SERVICE_INFO = serviceInfo(features);
  const transactionsOn = features.transactions ?? true;
  const actions = transactionsOn ? ACTIONS : ACTIONS.filter((a) => !TRANSACTION_ACTIONS.has(a.type));
  const anonymousToken = auth.grantedToken ?? randomUUID();
  const sessions = new SessionStore();
  const cancellations = new Cancellations();
  const transactions = new Transactions(engine);
  const prepared = new PreparedStatements(engine, transactions);
  const requiredToken = requiredTokenOf(auth, anonymousToken);
  // startServer() also checks the token before a call's message is read (callGuard.ts); this
  // check keeps the service safe on a grpc-js Server without that guard.
  const checkAuth = (metadata: Metadata) => checkToken(metadata, requiredToken);

  const unary =
    <Req, Res>(handler: (request: Req, metadata: Metadata) => Promise<Res>) =>
    (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
      (async () => {
        checkAuth(call.metadata);
        return handler(call.request, call.metadata);
      })().then(
        (value) => callback(null, value),
        (err: unknown) => callback(toStatus(err)),
      );
    };

  /** The engine a call runs on: in the database its headers name, if any. */
  const engineFor = (metadata: Metadata) => engine.forDatabase(databaseOf(metadata));

  const statementInfo = async (
    descriptor: pb.FlightDescriptor,
    metadata: Metadata,
  ): Promise<pb.FlightInfo> => {
    const command = commandOf(descriptor);
    let schema: Schema;
    let ticket: Uint8Array;
    if (command.kind === 'CommandPreparedStatementQuery') {
      const statement = prepared.lookup(command.message.preparedStatementHandle);
      schema = statement.shape.datasetSchema;
      // Columns that hang on open parameter types get their types once parameters are bound.
      if (
        statement.parameters.length > 0 &&
        schema.fields.some((f) => f.typeId === Type.NONE || f.typeId === Type.Null)
      ) {
        const session = transactions.sessionFor(statement.txn);
        schema = await engine
          .forDatabase(statement.database)
          .schemaOf(statement.sql, session, statement.parameters[0]);
      }
      // The command itself is the ticket: DoGet looks the statement up again.
      ticket = descriptor.cmd;
    } else if (command.kind === 'CommandStatementQuery') {
      const txn = command.message.transactionId;
      const scoped = engineFor(metadata);
      schema = await scoped.schemaOf(command.message.query, transactions.sessionFor(txn));
      const parts = txn?.byteLength ? 1 : Math.max(1, split.partitions ?? 1);
      const endpoints = Array.from({ length: parts }, (_, part) => {
        const handle = encodeHandle({
          sql: command.message.query,
          txn: txn?.byteLength ? Buffer.from(txn).toString('hex') : undefined,
          ...(parts > 1 ? { part, parts } : {}),
          // Whoever redeems the ticket reads the database the statement was planned in.
          ...(scoped.database === undefined ? {} : { database: scoped.database }),
        });
        // Odd shares are served by the second listener, when there is one.
        const second = part % 2 === 1 ? split.secondLocation?.() : undefined;
        return {
          ticket: { ticket: Buffer.from(packCommand('TicketStatementQuery', { statementHandle: handle })) },
          location: second ? [{ uri: second }] : [],
          appMetadata: Buffer.alloc(0),
        };
      });
      return infoFor(schema, descriptor, endpoints);
    } else if (isMetadataCommand(command)) {
      schema = metadataSchema(command);
      // Metadata commands are their own tickets.
      ticket = descriptor.cmd;
    } else {
      throw unsupported(command);
    }
    return infoFor(schema, descriptor, [
      { ticket: { ticket: Buffer.from(ticket) }, location: [], appMetadata: Buffer.alloc(0) },
    ]);
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

    getSchema: unary(async (descriptor: pb.FlightDescriptor, metadata): Promise<pb.SchemaResult> => {
      const command = commandOf(descriptor);
      if (isMetadataCommand(command)) return { schema: Buffer.from(encodeSchema(metadataSchema(command))) };
      if (command.kind === 'CommandPreparedStatementQuery') {
        return {
          schema: Buffer.from(
            encodeSchema(prepared.lookup(command.message.preparedStatementHandle).shape.datasetSchema),
          ),
        };
      }
      if (command.kind !== 'CommandStatementQuery') throw unsupported(command);
      const session = transactions.sessionFor(command.message.transactionId);
      const schema = await engineFor(metadata).schemaOf(command.message.query, session);
      return { schema: Buffer.from(encodeSchema(schema)) };
    }),

    // Queries run when their ticket is redeemed, so a poll is complete at once.
    pollFlightInfo: unary(async (descriptor: pb.FlightDescriptor, metadata): Promise<pb.PollInfo> => ({
      info: await statementInfo(descriptor, metadata),
      flightDescriptor: undefined,
      progress: 1,
      expirationTime: undefined,
    })),

    doGet(call: ServerWritableStream<pb.Ticket, OutgoingFlightData>) {
      const controller = new AbortController();
      call.on('cancelled', () => controller.abort());
      const ticket = call.request.ticket;
      (async () => {
        checkAuth(call.metadata);
        cancellations.start(controller, ticket);
        const alignBody = call.metadata.get(ALIGN_BODY_HEADER).length > 0;
        const metadata = metadataOfTicket(ticket);
        if (metadata) {
          const result = await runMetadata(engine, metadata, { sqlInfo: SERVICE_INFO });
          await streamBatches(call, result.schema, result.batches, controller.signal, alignBody);
          return;
        }
        const statement = statementOfTicket(ticket, prepared);
        // The ticket's database (a JSON ticket's, or the one the statement was planned in)
        // comes before the call's header.
        const scoped =
          statement.database === undefined
            ? engineFor(call.metadata)
            : engine.forDatabase(statement.database);
        const query =
          statement.language === 'influxql'
            ? await influxqlQuery(engine, statement.sql, scoped.database, controller.signal)
            : await scoped.query(
                statement.sql,
                controller.signal,
                statement.parameters,
                transactions.sessionFor(statement.txn),
              );
        try {
          await streamBatches(call, query.schema, query.batches, controller.signal, alignBody);
        } finally {
          query.close();
        }
      })()
        .finally(() => cancellations.finish(controller))
        .then(
          () => {
            if (!controller.signal.aborted) call.end();
            else if (cancellations.isCancelled(ticket)) call.emit('error', toStatus(CANCELLED_BY_REQUEST));
          },
          (err: unknown) => {
            if (!controller.signal.aborted) call.emit('error', toStatus(err));
            else if (cancellations.isCancelled(ticket)) call.emit('error', toStatus(CANCELLED_BY_REQUEST));
          },
        );
    },

    doPut(call: ServerDuplexStream<RawFlightData, pb.PutResult>) {
      (async () => {
        checkAuth(call.metadata);
        await executePut(call, { engine: engineFor(call.metadata), transactions, prepared });
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
        if (!transactionsOn && TRANSACTION_ACTIONS.has(type)) {
          throw new StatusError(Status.UNIMPLEMENTED, `${type}: this server runs without transactions`);
        }
        if (features.preparedStatements === false && type === 'CreatePreparedStatement') {
          throw new StatusError(
            Status.UNIMPLEMENTED,
            'CreatePreparedStatement: this server runs without prepared statements',
          );
        }
        switch (type) {
          case 'CreatePreparedStatement':
            call.write({ body: await prepared.create(body, engineFor(call.metadata)) });
            return;
          case 'ClosePreparedStatement':
            prepared.close(body);
            return;
          case 'BeginTransaction':
            call.write({ body: await transactions.begin(body, engineFor(call.metadata)) });
            return;
          case 'EndTransaction':
            await transactions.end(body);
            return;
          case 'CancelFlightInfo':
            call.write({ body: cancellations.cancelFlightInfo(body) });
            return;
          case 'CancelQuery':
            call.write({ body: cancellations.cancelQuery(body) });
            return;
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
        for (const action of actions) call.write(action);
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
