/**
 * Flight SQL transactions for the embedded server: the BeginTransaction and EndTransaction
 * actions, and the DuckDB connection each open transaction's statements run on.
 */
import { status as Status } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { packCommand, unpackAs } from '../sql/commands';
import * as sql from '../proto/FlightSql';
import type { DuckDBEngine } from './DuckDBEngine';
import { StatusError, statusForDuckDBError } from './statusErrors';

/** The open transactions of a server, each on its own DuckDB connection. */
export class Transactions {
  /** Connection of each open transaction, by the hex of its id. */
  private readonly open = new Map<string, DuckDBConnection>();

  constructor(private readonly engine: DuckDBEngine) {}

  /** The connection of transaction `id`: undefined when there is no id, NOT_FOUND when it is unknown. */
  sessionFor(id: Uint8Array | undefined): DuckDBConnection | undefined {
    if (!id?.byteLength) return undefined;
    const session = this.open.get(Buffer.from(id).toString('hex'));
    if (!session)
      throw new StatusError(Status.NOT_FOUND, 'unknown transaction (ended, or from another server)');
    return session;
  }

  /**
   * The BeginTransaction action: opens a connection (in the database of the call's `engine`),
   * begins there, answers the new id.
   */
  async begin(body: Uint8Array, engine: DuckDBEngine = this.engine): Promise<Buffer> {
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
      this.engine.endSession(session);
      throw statusForDuckDBError(err);
    }
    const id = Buffer.from(randomUUID().replace(/-/g, ''), 'hex');
    this.open.set(id.toString('hex'), session);
    return Buffer.from(packCommand('ActionBeginTransactionResult', { transactionId: id }));
  }

  /** The EndTransaction action: commits or rolls back, then closes the transaction's connection. */
  async end(body: Uint8Array): Promise<void> {
    const request = unpackAs(body, 'ActionEndTransactionRequest');
    if (!request)
      throw new StatusError(Status.INVALID_ARGUMENT, 'EndTransaction needs an ActionEndTransactionRequest');
    const session = this.sessionFor(request.transactionId);
    if (!session) throw new StatusError(Status.INVALID_ARGUMENT, 'EndTransaction needs a transaction id');
    const sqlText =
      request.action === sql.ActionEndTransactionRequest_EndTransaction.END_TRANSACTION_COMMIT
        ? 'COMMIT'
        : request.action === sql.ActionEndTransactionRequest_EndTransaction.END_TRANSACTION_ROLLBACK
          ? 'ROLLBACK'
          : undefined;
    if (!sqlText) throw new StatusError(Status.INVALID_ARGUMENT, 'EndTransaction needs COMMIT or ROLLBACK');
    this.open.delete(Buffer.from(request.transactionId).toString('hex'));
    try {
      await session.run(sqlText);
    } catch (err) {
      throw statusForDuckDBError(err);
    } finally {
      this.engine.endSession(session);
    }
  }
}
