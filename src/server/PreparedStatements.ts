/**
 * Prepared statements of the embedded server: the CreatePreparedStatement and
 * ClosePreparedStatement actions, and the registry DoPut binds parameters in and DoGet runs from.
 * The server is stateful: a handle names a statement it remembers.
 */
import { status as Status } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { encodeSchema } from '../flight';
import { packCommand, unpackAs } from '../sql/commands';
import type { DuckDBEngine } from './DuckDBEngine';
import { describeStatement, type StatementShape } from './statements';
import { StatusError } from './statusErrors';
import type { Transactions } from './Transactions';

/** What the server remembers of a prepared statement. */
export interface PreparedStatement {
  readonly sql: string;
  readonly shape: StatementShape;
  /** Transaction the statement was prepared in, if any. */
  readonly txn?: Uint8Array;
  /** Database (InfluxDB's) the statement was prepared in, if any: it runs there. */
  readonly database?: string;
  /** Rows bound by the last DoPut; a query runs with the first. */
  parameters: unknown[][];
}

/** The prepared statements of a server, by handle. */
export class PreparedStatements {
  private readonly statements = new Map<string, PreparedStatement>();

  constructor(
    private readonly engine: DuckDBEngine,
    private readonly transactions: Transactions,
  ) {}

  /** The statement a handle names; NOT_FOUND when it was closed or never made here. */
  lookup(handle: Uint8Array): PreparedStatement {
    const found = this.statements.get(Buffer.from(handle).toString());
    if (!found)
      throw new StatusError(
        Status.NOT_FOUND,
        'unknown prepared statement handle (closed, or from another server)',
      );
    return found;
  }

  /**
   * The CreatePreparedStatement action: describes the statement, remembers it, answers its
   * handle. `engine` is the call's (in the database its header names).
   */
  async create(body: Uint8Array, engine: DuckDBEngine = this.engine): Promise<Buffer> {
    const request = unpackAs(body, 'ActionCreatePreparedStatementRequest');
    if (!request)
      throw new StatusError(
        Status.INVALID_ARGUMENT,
        'CreatePreparedStatement needs an ActionCreatePreparedStatementRequest',
      );
    const txn = request.transactionId?.byteLength ? request.transactionId : undefined;
    const shape = await describeStatement(engine, request.query, this.transactions.sessionFor(txn));
    const handle = randomUUID();
    this.statements.set(handle, {
      sql: request.query,
      shape,
      txn,
      database: engine.database,
      parameters: [],
    });
    const result = packCommand('ActionCreatePreparedStatementResult', {
      preparedStatementHandle: Buffer.from(handle),
      datasetSchema: Buffer.from(encodeSchema(shape.datasetSchema)),
      parameterSchema: Buffer.from(encodeSchema(shape.parameterSchema)),
    });
    return Buffer.from(result);
  }

  /** The ClosePreparedStatement action: forgets the statement. */
  close(body: Uint8Array): void {
    const request = unpackAs(body, 'ActionClosePreparedStatementRequest');
    if (!request)
      throw new StatusError(
        Status.INVALID_ARGUMENT,
        'ClosePreparedStatement needs an ActionClosePreparedStatementRequest',
      );
    this.lookup(request.preparedStatementHandle);
    this.statements.delete(Buffer.from(request.preparedStatementHandle).toString());
  }
}
