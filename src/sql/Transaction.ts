/**
 * A Flight SQL transaction (arrow-go `Txn`): statements run in it by passing `{ transaction }`
 * or through its own methods; commit() or rollback() ends it, after which it refuses use.
 */
import { closedError, protocolError } from '../errors';
import type { CallOptions, FlightInfo } from '../flight';
import {
  ActionEndSavepointRequest_EndSavepoint,
  ActionEndTransactionRequest_EndTransaction,
} from '../proto/FlightSql';
import { packCommand, unpackAs } from './commands';
import type { FlightSQLClient, IngestOptions, StatementOptions, SubstraitPlan } from './FlightSQLClient';
import type { BatchSource } from '../flight';
import type { PreparedStatement } from './PreparedStatement';

/** A savepoint inside a transaction (BeginSavepoint); release() or rollback() ends it. */
export class Savepoint {
  readonly #client: FlightSQLClient;
  /** The savepoint's id, as the server issued it (BeginSavepoint). */
  readonly id: Uint8Array;
  #ended = false;

  /** @internal Use `Transaction.beginSavepoint()`. */
  constructor(client: FlightSQLClient, id: Uint8Array) {
    this.#client = client;
    this.id = id;
  }

  /** Sends EndSavepoint RELEASE. */
  release(options: CallOptions = {}): Promise<void> {
    return this.#end(ActionEndSavepointRequest_EndSavepoint.END_SAVEPOINT_RELEASE, options);
  }

  /** Sends EndSavepoint ROLLBACK: undoes what the transaction did since the savepoint. */
  rollback(options: CallOptions = {}): Promise<void> {
    return this.#end(ActionEndSavepointRequest_EndSavepoint.END_SAVEPOINT_ROLLBACK, options);
  }

  async #end(action: ActionEndSavepointRequest_EndSavepoint, options: CallOptions): Promise<void> {
    if (this.#ended) throw closedError('Savepoint');
    this.#ended = true;
    const body = packCommand('ActionEndSavepointRequest', { savepointId: Buffer.from(this.id), action });
    for await (const _ of this.#client.flight.doAction('EndSavepoint', body, options)) {
      // no result
    }
  }
}

/** An open transaction. Create it with `FlightSQLClient.beginTransaction()`. */
export class Transaction implements AsyncDisposable {
  readonly #client: FlightSQLClient;
  /** The server's transaction id. */
  readonly id: Uint8Array;
  #ended = false;

  /** @internal Use `FlightSQLClient.beginTransaction()`. */
  constructor(client: FlightSQLClient, id: Uint8Array) {
    this.#client = client;
    this.id = id;
  }

  /** Whether commit() or rollback() was called. */
  get ended(): boolean {
    return this.#ended;
  }

  /** `client.execute` inside this transaction. */
  async execute(query: string, options: StatementOptions = {}): Promise<FlightInfo> {
    return this.#client.execute(query, { ...options, transaction: this.#open() });
  }

  /** `client.executeUpdate` inside this transaction. */
  async executeUpdate(query: string, options: StatementOptions = {}): Promise<number> {
    return this.#client.executeUpdate(query, { ...options, transaction: this.#open() });
  }

  /** `client.executeSubstrait` inside this transaction. */
  async executeSubstrait(plan: SubstraitPlan, options: StatementOptions = {}): Promise<FlightInfo> {
    return this.#client.executeSubstrait(plan, { ...options, transaction: this.#open() });
  }

  /** `client.executeSubstraitUpdate` inside this transaction. */
  async executeSubstraitUpdate(plan: SubstraitPlan, options: StatementOptions = {}): Promise<number> {
    return this.#client.executeSubstraitUpdate(plan, { ...options, transaction: this.#open() });
  }

  /** `client.prepare` inside this transaction. */
  async prepare(query: string, options: StatementOptions = {}): Promise<PreparedStatement> {
    return this.#client.prepare(query, { ...options, transaction: this.#open() });
  }

  /** `client.executeIngest` inside this transaction. */
  async executeIngest(data: BatchSource, options: IngestOptions): Promise<number> {
    return this.#client.executeIngest(data, { ...options, transaction: this.#open() });
  }

  /** Sends BeginSavepoint. */
  async beginSavepoint(name: string, options: CallOptions = {}): Promise<Savepoint> {
    const body = packCommand('ActionBeginSavepointRequest', {
      transactionId: Buffer.from(this.#open().id),
      name,
    });
    let id: Uint8Array | undefined;
    for await (const bytes of this.#client.flight.doAction('BeginSavepoint', body, options)) {
      id ??= unpackAs(bytes, 'ActionBeginSavepointResult')?.savepointId;
    }
    if (!id?.byteLength) throw protocolError('BeginSavepoint returned no savepoint id');
    return new Savepoint(this.#client, id);
  }

  /** Sends EndTransaction COMMIT. */
  async commit(options: CallOptions = {}): Promise<void> {
    return this.#end(ActionEndTransactionRequest_EndTransaction.END_TRANSACTION_COMMIT, options);
  }

  /** Sends EndTransaction ROLLBACK. */
  async rollback(options: CallOptions = {}): Promise<void> {
    return this.#end(ActionEndTransactionRequest_EndTransaction.END_TRANSACTION_ROLLBACK, options);
  }

  /** Rolls back a transaction that was neither committed nor rolled back. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#ended) await this.rollback();
  }

  #open(): this {
    if (this.#ended) throw closedError('Transaction');
    return this;
  }

  async #end(action: ActionEndTransactionRequest_EndTransaction, options: CallOptions): Promise<void> {
    this.#open();
    this.#ended = true;
    const body = packCommand('ActionEndTransactionRequest', { transactionId: Buffer.from(this.id), action });
    for await (const _ of this.#client.flight.doAction('EndTransaction', body, options)) {
      // no result
    }
  }
}
