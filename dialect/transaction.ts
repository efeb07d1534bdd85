/**
 * Knex transactions as Flight SQL transactions (BeginTransaction / EndTransaction, savepoints
 * where the server has them), keeping Knex's own state machine: each step goes through
 * `query()` so that commit resolves, rollback rejects, and 'query' events are emitted.
 */
import Transaction_PG from 'knex/lib/dialects/postgres/execution/pg-transaction.js';
import { NotSupportedError, type Savepoint } from 'flightsql';
import type { FlightSQLDialectConfig } from './FlightSQLDialect';
import type { FlightSQLSession } from './session';
import { stateOf } from './state';

/** A transaction step: logged as `sql`, run as a Flight SQL action. */
function step(sql: string, run: () => Promise<unknown>) {
  return { sql, flightSql: { kind: 'transaction' as const, action: sql }, run, toString: () => sql };
}

export class Transaction_FlightSQL extends Transaction_PG {
  #savepoint: Savepoint | undefined;
  #atomic = true;

  /** Whether this server runs transactions, or the config lets bodies run without them. */
  #check(): boolean {
    const config = this.client.config as FlightSQLDialectConfig;
    const mode = config.transactions ?? 'auto';
    const facts = stateOf(this.client).facts;
    if (mode === 'none')
      throw new NotSupportedError('knex.transaction(): transactions are turned off (transactions: "none")');
    if (facts?.transactions) return true;
    if (mode === 'unsafe-autocommit') return false;
    throw new NotSupportedError(
      `knex.transaction(): the server${facts?.serverName ? ` (${facts.serverName})` : ''} has no Flight SQL transactions. ` +
        `Set transactions: 'unsafe-autocommit' in the Knex config to run transaction bodies without atomicity.`,
    );
  }

  begin(session: FlightSQLSession) {
    return this.query(
      session,
      step('BEGIN', async () => {
        this.#atomic = this.#check();
        if (!this.#atomic) {
          this.client.logger.warn?.(
            'flightsql dialect: no transactions on this server: the body runs without atomicity',
          );
          return;
        }
        if (this.isolationLevel || this.readOnly) {
          this.client.logger.warn?.(
            'flightsql dialect: Flight SQL transactions take no isolation level or read-only flag',
          );
        }
        session.connection.autocommit = false;
        await session.connection._transaction();
      }),
    );
  }

  commit(session: FlightSQLSession, value?: unknown) {
    return this.query(
      session,
      step('COMMIT', async () => {
        if (!this.#atomic) return;
        await session.connection.commit();
        session.connection.autocommit = true;
      }),
      1,
      value,
    );
  }

  rollback(session: FlightSQLSession, error?: unknown) {
    return this.query(
      session,
      step('ROLLBACK', async () => {
        if (!this.#atomic) {
          this.client.logger.warn?.(
            'flightsql dialect: rollback without transactions: what ran is not undone',
          );
          return;
        }
        await session.connection.rollback();
        session.connection.autocommit = true;
      }),
      2,
      error,
    );
  }

  savepoint(session: FlightSQLSession) {
    return this.query(
      session,
      step(`SAVEPOINT ${this.txid}`, async () => {
        const facts = stateOf(this.client).facts;
        if (!facts?.savepoints) {
          throw new NotSupportedError(
            `nested transactions need savepoints, which the server${facts?.serverName ? ` (${facts.serverName})` : ''} does not have`,
          );
        }
        const transaction = await session.connection._transaction();
        this.#savepoint = await transaction!.beginSavepoint(this.txid);
      }),
    );
  }

  release(session: FlightSQLSession, value?: unknown) {
    return this.query(
      session,
      step(`RELEASE SAVEPOINT ${this.txid}`, async () => this.#savepoint?.release()),
      1,
      value,
    );
  }

  rollbackTo(session: FlightSQLSession, error?: unknown) {
    return this.query(
      session,
      step(`ROLLBACK TO SAVEPOINT ${this.txid}`, async () => this.#savepoint?.rollback()),
      2,
      error,
    );
  }
}
