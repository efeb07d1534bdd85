/**
 * A server-side prepared statement (arrow-go `PreparedStatement`): its schemas, parameter
 * binding by DoPut, execution, and closing. Use after close() is an InterfaceError.
 */
import { Schema } from 'apache-arrow';
import { traceStatement } from '../diagnostics';
import { ProgrammingError, closedError, protocolError } from '../errors';
import type { CallOptions, FlightInfo } from '../flight';
import { decodeSchema } from '../flight';
import * as sql from '../proto/FlightSql';
import { packCommand } from './commands';
import type { FlightSQLClient } from './FlightSQLClient';
import { parameterBatches, type Parameters } from './parameters';

/** What CreatePreparedStatement answered. */
export interface PreparedStatementInit {
  readonly handle: Uint8Array;
  readonly datasetSchema: Uint8Array;
  readonly parameterSchema: Uint8Array;
  /** The SQL it was prepared from (for traces; undefined for a Substrait plan). */
  readonly query?: string;
}

/** A prepared statement on the server. Create it with `FlightSQLClient.prepare()`. */
export class PreparedStatement implements AsyncDisposable {
  readonly #client: FlightSQLClient;
  #handle: Uint8Array;
  #closed = false;
  readonly #query: string | undefined;
  /** Schema of the result (empty for statements that return no rows). */
  readonly datasetSchema: Schema;
  /** One field per parameter; Null-typed where the server cannot tell the type. */
  readonly parameterSchema: Schema;

  /** @internal Use `FlightSQLClient.prepare()`. */
  constructor(client: FlightSQLClient, init: PreparedStatementInit) {
    this.#client = client;
    this.#handle = init.handle;
    this.#query = init.query;
    this.datasetSchema = decodeSchema(init.datasetSchema);
    this.parameterSchema = decodeSchema(init.parameterSchema);
  }

  /** The current handle (a stateless server may replace it when parameters are bound). */
  get handle(): Uint8Array {
    return this.#handle;
  }

  /**
   * True when the statement returns no rows (an update or DDL): Flight SQL 21 has no flag for
   * it, so this is read from the empty dataset schema.
   */
  get isUpdate(): boolean {
    return this.datasetSchema.fields.length === 0;
  }

  /** Whether close() was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Binds `parameters` (if given) by DoPut of CommandPreparedStatementQuery, adopting the handle
   * the server returns, then sends CommandPreparedStatementQuery through GetFlightInfo.
   */
  async execute(parameters?: Parameters, options: CallOptions = {}): Promise<FlightInfo> {
    this.#check();
    const context = this.#traceContext('query', 'CommandPreparedStatementQuery', options);
    return traceStatement(context, async (trace) => {
      const info = await this.#execute(parameters, options);
      trace?.expectInfo(info); // the trace ends when the result has been read
      return info;
    });
  }

  async #execute(parameters: Parameters | undefined, options: CallOptions): Promise<FlightInfo> {
    if (parameters !== undefined) {
      const results = await this.#put('CommandPreparedStatementQuery', parameters, options);
      for (const bytes of results) {
        if (!bytes.byteLength) continue;
        let decoded: sql.DoPutPreparedStatementResult;
        try {
          decoded = sql.DoPutPreparedStatementResult.decode(bytes);
        } catch {
          throw protocolError('DoPutPreparedStatementResult could not be decoded');
        }
        if (decoded.preparedStatementHandle?.byteLength) this.#handle = decoded.preparedStatementHandle;
      }
    }
    const cmd = packCommand('CommandPreparedStatementQuery', {
      preparedStatementHandle: Buffer.from(this.#handle),
    });
    return this.#client.flight.getFlightInfo({ type: 'cmd', cmd }, options);
  }

  /**
   * Sends CommandPreparedStatementUpdate by DoPut with `parameters` (one execution per row)
   * and returns the affected row count (-1 when the server does not know).
   */
  async executeUpdate(parameters?: Parameters, options: CallOptions = {}): Promise<number> {
    this.#check();
    const context = this.#traceContext('update', 'CommandPreparedStatementUpdate', options);
    return traceStatement(
      context,
      async () => updateCount(await this.#put('CommandPreparedStatementUpdate', parameters ?? [], options)),
      (traced, count) => (traced.affectedRows = count),
    );
  }

  /** Sends ClosePreparedStatement. A second close is a no-op. */
  async close(options: CallOptions = {}): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const body = packCommand('ActionClosePreparedStatementRequest', {
      preparedStatementHandle: Buffer.from(this.#handle),
    });
    for await (const _ of this.#client.flight.doAction('ClosePreparedStatement', body, options)) {
      // drain: the action has no result
    }
  }

  /** Closes the statement: `await using stmt = await client.prepare(sql)` closes it at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #check(): void {
    if (this.#closed) throw closedError('PreparedStatement');
  }

  /** The statement's trace context: its SQL, never its parameters. */
  #traceContext(kind: 'query' | 'update', command: string, options: CallOptions) {
    return this.#client._traceContext(kind, command, this.#query, options, { prepared: true });
  }

  async #put(
    kind: 'CommandPreparedStatementQuery' | 'CommandPreparedStatementUpdate',
    parameters: Parameters,
    options: CallOptions,
  ): Promise<Uint8Array[]> {
    const empty = Array.isArray(parameters) && parameters.length === 0;
    const declared = this.parameterSchema.fields.length;
    if (empty && declared > 0)
      throw new ProgrammingError(`the statement takes ${declared} parameter(s), none given`);
    const batches = empty ? [] : parameterBatches(this.parameterSchema, parameters);
    const cmd = packCommand(kind, { preparedStatementHandle: Buffer.from(this.#handle) });
    return this.#client.flight.doPut({ type: 'cmd', cmd }, batches, {
      ...options,
      schema: batches[0]?.schema ?? (empty ? new Schema([]) : this.parameterSchema),
    });
  }
}

/**
 * The record count of the DoPutUpdateResult among DoPut results: -1 when the server sent none,
 * 0 for an empty one (protobuf leaves a zero count out, so zero arrives as no bytes).
 */
export function updateCount(results: readonly Uint8Array[]): number {
  if (results.length === 0) return -1;
  const bytes = results.findLast((r) => r.byteLength > 0);
  if (!bytes) return 0;
  try {
    return Number(sql.DoPutUpdateResult.decode(bytes).recordCount);
  } catch {
    throw protocolError('DoPutUpdateResult could not be decoded');
  }
}
