/**
 * Flight SQL on top of `flight/`: each command method builds its message and hands it to one
 * helper (`infoFor`, `#schemaFor`, `#action`), as arrow-rs and arrow-go do.
 */
import type { ChannelOptions } from '@grpc/grpc-js';
import { Schema } from 'apache-arrow';
import * as pb from '../proto/Flight';
import {
  ActionCancelQueryResult_CancelResult,
  CommandStatementIngest_TableDefinitionOptions_TableExistsOption as IfExists,
  CommandStatementIngest_TableDefinitionOptions_TableNotExistOption as IfNotExists,
} from '../proto/FlightSql';
import { isPolarsDataFrame, toArrowTable, type PolarsDataFrame } from '../dataframe';
import { traceStatement, type QueryContext } from '../diagnostics';
import { NotSupportedError, protocolError } from '../errors';
import {
  FlightClient,
  flightInfoToProto,
  type BatchSource,
  type FlightClientOptions,
  type CallOptions,
  type FlightInfo,
  type PollInfo,
  type FlightStreamReader,
  type Ticket,
  type TlsOptions,
  type TrustedLocations,
} from '../flight';
import { resolveSqlClientConfig } from '../flight';
import { packCommand, unpackAs, type CommandKind, type CommandMessage } from './commands';
import { FlightInfoReader, type FlightInfoReaderOptions } from './FlightInfoReader';
import { MetadataMethods } from './metadataMethods';
import {
  closeSession,
  getSessionOptions,
  setSessionOptions,
  type CloseSessionStatus,
  type SessionOptionValue,
  type SetSessionOptionsResult,
} from './sessionOptions';
import { PreparedStatement, updateCount } from './PreparedStatement';
import { Transaction } from './Transaction';

/** How to reach and authenticate with a Flight SQL server (flightsql-dbapi's options, in TypeScript). */
export interface FlightSQLClientOptions {
  /**
   * The server. A bare name (`example.com`) means TLS on port 443, as in flightsql-dbapi;
   * `name:port` sets the port; a location URI (`grpc://`, `grpc+tcp://`, `grpc+tls://`) says
   * everything itself. Default: INFLUX_HOST, else `localhost`.
   */
  readonly host?: string;
  /** Port, when `host` carries none (default 443). */
  readonly port?: number;
  /** Plaintext instead of TLS for a bare `host` (flightsql-dbapi `insecure`). */
  readonly insecure?: boolean;
  /** Bearer token. Default: INFLUX_TOKEN. */
  readonly token?: string;
  /** Basic-auth Handshake credentials; the server's token is kept for later calls. */
  readonly username?: string;
  /** Password of `username` (never printed, logged or put in error messages). */
  readonly password?: string;
  /** Headers sent with every call, e.g. `{ database: 'mydb' }` for InfluxDB 3. Default `database`: INFLUX_DATABASE. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Feature flags, kept as flightsql-dbapi keeps them (`features` of the client). */
  readonly features?: Readonly<Record<string, string>>;
  /** TLS: `false` for plaintext, `true` for system roots, or a custom CA / client certificate. */
  readonly tls?: boolean | TlsOptions;
  /** Skip server certificate verification (flightsql-dbapi `disable_server_verification`). Unsafe. */
  readonly disableServerVerification?: boolean;
  /** Default deadline of each call, in milliseconds (the whole call: a long stream included). */
  readonly timeoutMs?: number;
  /**
   * Longest wait for the next message of a result stream, in milliseconds (none by default).
   * Unlike `timeoutMs`, it never cuts a stream that keeps sending.
   */
  readonly idleTimeoutMs?: number;
  /** Largest message accepted from the server in bytes: 256 MiB by default, `-1` for no limit. */
  readonly maxReceiveMessageBytes?: number;
  /** HTTP/2 keepalive ping interval while calls run: 5 minutes by default, `-1` for none. */
  readonly keepaliveTimeMs?: number;
  /** How long a keepalive ping may go unanswered before the connection is dropped (default 20 s). */
  readonly keepaliveTimeoutMs?: number;
  /**
   * Endpoint locations that may receive the credentials (token, username/password, `metadata`
   * headers) even though they are neither the origin (this client's scheme, host and port) nor
   * TLS: `true` for every location, a list of hosts (`host` or `host:port`), or a function of the
   * location URI. By default a result's plaintext location elsewhere is refused with an
   * InterfaceError, so that a server cannot send the credentials where it likes.
   */
  readonly trustedLocations?: TrustedLocations;
  /** Extra grpc-js channel options (e.g. `'grpc-node.flow_control_window'`); they win over the above. */
  readonly channelOptions?: ChannelOptions;
}

/** A Substrait plan: its serialized bytes and the Substrait version it was made with. */
export interface SubstraitPlan {
  /** The serialized Substrait `Plan` message. */
  readonly plan: Uint8Array;
  /** The Substrait version the plan was made with, e.g. `0.50.0`. */
  readonly version: string;
}

/** What a cancellation request came to. */
export type CancelStatus = 'cancelled' | 'cancelling' | 'not-cancellable' | 'unspecified';

const CANCEL_STATUS: Partial<Record<number, CancelStatus>> = {
  [pb.CancelStatus.CANCEL_STATUS_CANCELLED]: 'cancelled',
  [pb.CancelStatus.CANCEL_STATUS_CANCELLING]: 'cancelling',
  [pb.CancelStatus.CANCEL_STATUS_NOT_CANCELLABLE]: 'not-cancellable',
};

const CANCEL_RESULT: Partial<Record<number, CancelStatus>> = {
  [ActionCancelQueryResult_CancelResult.CANCEL_RESULT_CANCELLED]: 'cancelled',
  [ActionCancelQueryResult_CancelResult.CANCEL_RESULT_CANCELLING]: 'cancelling',
  [ActionCancelQueryResult_CancelResult.CANCEL_RESULT_NOT_CANCELLABLE]: 'not-cancellable',
};

/** How a bulk ingest treats the target table. */
export type IngestMode = 'create' | 'append' | 'replace' | 'fail-if-exists';

const INGEST_MODES: Record<IngestMode, [IfNotExists, IfExists]> = {
  create: [IfNotExists.TABLE_NOT_EXIST_OPTION_CREATE, IfExists.TABLE_EXISTS_OPTION_APPEND],
  append: [IfNotExists.TABLE_NOT_EXIST_OPTION_FAIL, IfExists.TABLE_EXISTS_OPTION_APPEND],
  replace: [IfNotExists.TABLE_NOT_EXIST_OPTION_CREATE, IfExists.TABLE_EXISTS_OPTION_REPLACE],
  'fail-if-exists': [IfNotExists.TABLE_NOT_EXIST_OPTION_CREATE, IfExists.TABLE_EXISTS_OPTION_FAIL],
};

/** Options of `executeIngest`. */
export interface IngestOptions extends StatementOptions {
  /** Target table. */
  readonly table: string;
  /** Target schema (database schema); the server's default when undefined. */
  readonly schema?: string;
  /** Target catalog; the server's default when undefined. */
  readonly catalog?: string;
  /** Ingest into a temporary table. */
  readonly temporary?: boolean;
  /** What to do when the table exists or not (default `create`). */
  readonly mode?: IngestMode;
  /** Server-specific options, passed through. */
  readonly options?: Readonly<Record<string, string>>;
  /** Arrow schema of the data, needed only when `data` has no batches. */
  readonly dataSchema?: Schema;
}

/** Options of one statement. */
export interface StatementOptions extends CallOptions {
  /** Run inside this transaction. */
  readonly transaction?: Transaction;
  /** Run inside the transaction with this id (when you hold only the id). */
  readonly transactionId?: Uint8Array;
}

/** A Flight SQL client: statements, results and (in later layers) the rest of Flight SQL. */
export class FlightSQLClient extends MetadataMethods implements AsyncDisposable {
  /** Feature flags passed in the options. */
  readonly features: Readonly<Record<string, string>>;

  readonly #connectOptions: FlightClientOptions;
  readonly #trustedLocations: TrustedLocations | undefined;

  constructor(options: FlightSQLClientOptions = {}) {
    const config = resolveSqlClientConfig(options);
    const connectOptions: FlightClientOptions = {
      tls: config.tls,
      token: config.token,
      username: options.username,
      password: options.password,
      headers: config.headers,
      timeoutMs: options.timeoutMs,
      idleTimeoutMs: options.idleTimeoutMs,
      maxReceiveMessageBytes: options.maxReceiveMessageBytes,
      keepaliveTimeMs: options.keepaliveTimeMs,
      keepaliveTimeoutMs: options.keepaliveTimeoutMs,
      channelOptions: options.channelOptions,
    };
    super(new FlightClient(config.location, connectOptions), config.headers);
    this.#connectOptions = connectOptions;
    this.#trustedLocations = options.trustedLocations;
    this.features = { ...options.features };
  }

  /**
   * The whole result of `info`, across all its endpoints (see `FlightInfoReader`). Clients for
   * other locations get the same settings as this one, and its credentials only where the rule
   * allows: the origin, verified TLS locations, and `trustedLocations`.
   */
  override readFlightInfo(info: FlightInfo, options: FlightInfoReaderOptions = {}): FlightInfoReader {
    return new FlightInfoReader(this.flight, info, {
      trustedLocations: this.#trustedLocations,
      ...options,
      connectOptions: this.#connectOptions,
    });
  }

  /** Sends CommandStatementQuery through GetFlightInfo: how to fetch the result of `query`. */
  async execute(query: string, options: StatementOptions = {}): Promise<FlightInfo> {
    return this.#query('CommandStatementQuery', query, options, () =>
      this.infoFor('CommandStatementQuery', { query, transactionId: txn(options) }, options),
    );
  }

  /** Sends CommandStatementQuery through GetSchema: the result schema of `query`, without running it. */
  async getExecuteSchema(query: string, options: StatementOptions = {}): Promise<Schema> {
    return this.#schemaFor('CommandStatementQuery', { query, transactionId: txn(options) }, options);
  }

  /**
   * Sends CommandStatementUpdate by DoPut and returns the affected row count from
   * DoPutUpdateResult (-1 when the server does not know). For INSERT, UPDATE, DELETE and DDL.
   */
  async executeUpdate(query: string, options: StatementOptions = {}): Promise<number> {
    const cmd = packCommand('CommandStatementUpdate', { query, transactionId: txn(options) });
    const context = this._traceContext('update', 'CommandStatementUpdate', query, options);
    return this.#update(context, cmd, [], { ...options, schema: new Schema([]) });
  }

  /**
   * Bulk ingest: sends CommandStatementIngest by DoPut with `data` and returns the number of rows
   * the server inserted. `mode`: `create` (create the table if missing, else append; default),
   * `append` (the table must exist), `replace` (drop and recreate), `fail-if-exists` (create; an
   * existing table is an error). `data` is Arrow (a Table, batches, IPC bytes) or a
   * nodejs-polars DataFrame.
   */
  async executeIngest(data: BatchSource | PolarsDataFrame, options: IngestOptions): Promise<number> {
    const [ifNotExist, ifExists] = INGEST_MODES[options.mode ?? 'create'];
    const cmd = packCommand('CommandStatementIngest', {
      table: options.table,
      schema: options.schema,
      catalog: options.catalog,
      temporary: options.temporary ?? false,
      transactionId: txn(options),
      options: { ...options.options },
      tableDefinitionOptions: { ifNotExist, ifExists },
    });
    const context = this._traceContext('ingest', 'CommandStatementIngest', undefined, options, {
      table: options.table,
    });
    const batches = isPolarsDataFrame(data) ? toArrowTable(data) : data;
    return this.#update(context, cmd, batches, { ...options, schema: options.dataSchema });
  }

  /**
   * Sends CommandStatementQuery through PollFlightInfo, for long-running queries: poll again
   * with `client.flight.pollFlightInfo(poll.flightDescriptor)` until it is absent.
   */
  async executePoll(query: string, options: StatementOptions = {}): Promise<PollInfo> {
    const cmd = packCommand('CommandStatementQuery', { query, transactionId: txn(options) });
    return this.flight.pollFlightInfo({ type: 'cmd', cmd }, options);
  }

  /** Sends CommandStatementSubstraitPlan through GetFlightInfo: the plan is passed through as it is. */
  async executeSubstrait(plan: SubstraitPlan, options: StatementOptions = {}): Promise<FlightInfo> {
    return this.#query('CommandStatementSubstraitPlan', undefined, options, () =>
      this.infoFor(
        'CommandStatementSubstraitPlan',
        { plan: { plan: Buffer.from(plan.plan), version: plan.version }, transactionId: txn(options) },
        options,
      ),
    );
  }

  /**
   * Sends CommandStatementSubstraitPlan by DoPut: an update from a Substrait plan. Returns the
   * affected row count from DoPutUpdateResult (-1 when the server does not know).
   */
  async executeSubstraitUpdate(plan: SubstraitPlan, options: StatementOptions = {}): Promise<number> {
    const cmd = packCommand('CommandStatementSubstraitPlan', {
      plan: { plan: Buffer.from(plan.plan), version: plan.version },
      transactionId: txn(options),
    });
    const context = this._traceContext('update', 'CommandStatementSubstraitPlan', undefined, options);
    return this.#update(context, cmd, [], { ...options, schema: new Schema([]) });
  }

  /** Sends CreatePreparedSubstraitPlan (DoAction): a PreparedStatement for the plan. */
  async prepareSubstrait(plan: SubstraitPlan, options: StatementOptions = {}): Promise<PreparedStatement> {
    const body = packCommand('ActionCreatePreparedSubstraitPlanRequest', {
      plan: { plan: Buffer.from(plan.plan), version: plan.version },
      transactionId: txn(options),
    });
    return this.#prepared('CreatePreparedSubstraitPlan', body, undefined, options);
  }

  /**
   * Asks the server to stop the query behind `info` (the CancelFlightInfo action). Servers
   * older than Flight 15 get the CancelQuery action of Flight SQL instead.
   */
  async cancelFlightInfo(info: FlightInfo, options: CallOptions = {}): Promise<CancelStatus> {
    const request = pb.CancelFlightInfoRequest.encode({ info: flightInfoToProto(info) }).finish();
    try {
      let status = pb.CancelStatus.CANCEL_STATUS_UNSPECIFIED;
      for await (const bytes of this.flight.doAction('CancelFlightInfo', request, options)) {
        status = pb.CancelFlightInfoResult.decode(bytes).status;
      }
      return CANCEL_STATUS[status] ?? 'unspecified';
    } catch (err) {
      if (!(err instanceof NotSupportedError)) throw err;
    }
    const serialized = Buffer.from(pb.FlightInfo.encode(flightInfoToProto(info)).finish());
    const old = await this.#action(
      'CancelQuery',
      packCommand('ActionCancelQueryRequest', { info: serialized }),
      'ActionCancelQueryResult',
      options,
    );
    return CANCEL_RESULT[old.result] ?? 'unspecified';
  }

  /**
   * Sends SetSessionOptions: options of this client's session (the server's session cookie is
   * kept and returned). Returns the options the server refused, by name. A `number` is sent as
   * a double; use a bigint for an int64; `undefined` removes the option.
   */
  setSessionOptions(
    options: Readonly<Record<string, SessionOptionValue | undefined>>,
    call: CallOptions = {},
  ): Promise<SetSessionOptionsResult> {
    return setSessionOptions(this.flight, options, call);
  }

  /** Sends GetSessionOptions: the options of this client's session. */
  getSessionOptions(call: CallOptions = {}): Promise<Map<string, SessionOptionValue>> {
    return getSessionOptions(this.flight, call);
  }

  /** Sends CloseSession: ends this client's session on the server. */
  closeSession(call: CallOptions = {}): Promise<CloseSessionStatus> {
    return closeSession(this.flight, call);
  }

  /** Sends BeginTransaction (DoAction): a Transaction to run statements in. */
  async beginTransaction(options: CallOptions = {}): Promise<Transaction> {
    const body = packCommand('ActionBeginTransactionRequest', {});
    const result = await this.#action('BeginTransaction', body, 'ActionBeginTransactionResult', options);
    // An empty id cannot name a transaction (arrow-go ErrBadServerTxn).
    if (!result.transactionId.byteLength)
      throw protocolError('BeginTransaction returned an empty transaction id');
    return new Transaction(this, result.transactionId);
  }

  /** Sends CreatePreparedStatement (DoAction): a PreparedStatement with its schemas. */
  async prepare(query: string, options: StatementOptions = {}): Promise<PreparedStatement> {
    const body = packCommand('ActionCreatePreparedStatementRequest', { query, transactionId: txn(options) });
    return this.#prepared('CreatePreparedStatement', body, query, options);
  }

  /** DoGet: the stream of one endpoint's ticket. */
  async doGet(ticket: Ticket, options: CallOptions = {}): Promise<FlightStreamReader> {
    return this.flight.doGet(ticket, options);
  }

  /** Closes the connection. A second close is a no-op. */
  async close(): Promise<void> {
    await this.flight.close();
  }

  /** Closes the client: `await using client = new FlightSQLClient(…)` closes it at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Runs a Create…Prepared… action and wraps its ActionCreatePreparedStatementResult. */
  #prepared(
    type: string,
    body: Uint8Array,
    query: string | undefined,
    options: CallOptions,
  ): Promise<PreparedStatement> {
    return traceStatement(this._traceContext('prepare', type, query, options), async () => {
      const result = await this.#action(type, body, 'ActionCreatePreparedStatementResult', options);
      return new PreparedStatement(this, {
        handle: result.preparedStatementHandle,
        datasetSchema: result.datasetSchema,
        parameterSchema: result.parameterSchema,
        query,
      });
    });
  }

  /** A DoPut answered by a DoPutUpdateResult (update, ingest): the count, traced. */
  #update(
    context: () => QueryContext,
    cmd: Uint8Array,
    data: BatchSource,
    options: CallOptions & { readonly schema?: Schema },
  ): Promise<number> {
    return traceStatement(
      context,
      async () => updateCount(await this.flight.doPut({ type: 'cmd', cmd }, data, options)),
      (traced, count) => (traced.affectedRows = count),
    );
  }

  /** A query's GetFlightInfo, traced until its result has been read (see diagnostics.ts). */
  #query(
    command: string,
    query: string | undefined,
    options: CallOptions,
    getInfo: () => Promise<FlightInfo>,
  ): Promise<FlightInfo> {
    return traceStatement(this._traceContext('query', command, query, options), async (trace) => {
      const info = await getInfo();
      trace?.expectInfo(info);
      return info;
    });
  }

  /** Runs an action and decodes its one Any-packed result as `kind` (then drains the rest). */
  async #action<K extends CommandKind>(
    type: string,
    body: Uint8Array,
    kind: K,
    options: CallOptions,
  ): Promise<CommandMessage<K>> {
    let result: CommandMessage<K> | undefined;
    for await (const bytes of this.flight.doAction(type, body, options)) {
      if (result !== undefined) continue;
      result = unpackAs(bytes, kind);
      if (result === undefined) throw protocolError(`${type} answered something other than ${kind}`);
    }
    if (result === undefined) throw protocolError(`${type} returned no result`);
    return result;
  }

  async #schemaFor<K extends CommandKind>(
    kind: K,
    message: Partial<CommandMessage<K>>,
    options: CallOptions,
  ): Promise<Schema> {
    return this.flight.getSchema({ type: 'cmd', cmd: packCommand(kind, message) }, options);
  }
}

function txn(options: StatementOptions): Buffer | undefined {
  const id = options.transaction?.id ?? options.transactionId;
  return id ? Buffer.from(id) : undefined;
}
