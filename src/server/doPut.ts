/**
 * DoPut for the embedded server: reads the uploaded stream, then runs its command — a statement
 * update, a bulk ingest, parameters bound to a prepared query, or a prepared update.
 */
import { status as Status, type ServerDuplexStream } from '@grpc/grpc-js';
import type { RecordBatch } from 'apache-arrow';
import { FlightDataDecoder, type RawFlightData } from '../flight';
import * as pb from '../proto/Flight';
import * as sql from '../proto/FlightSql';
import type { Command } from '../sql/commands';
import type { DuckDBEngine } from './DuckDBEngine';
import { ingest } from './ingest';
import type { PreparedStatements } from './PreparedStatements';
import { executeUpdate, parameterRows } from './statements';
import { StatusError, unsupported } from './statusErrors';
import { readAll } from './streams';
import { commandOf } from './tickets';
import type { Transactions } from './Transactions';

/** What DoPut works on: the engine and the server's transactions and prepared statements. */
export interface PutContext {
  readonly engine: DuckDBEngine;
  readonly transactions: Transactions;
  readonly prepared: PreparedStatements;
}

function updateResult(count: number): pb.PutResult {
  return { appMetadata: Buffer.from(sql.DoPutUpdateResult.encode({ recordCount: BigInt(count) }).finish()) };
}

/** Reads a DoPut's whole stream and runs its command, writing the one PutResult it answers with. */
export async function executePut(
  call: ServerDuplexStream<RawFlightData, pb.PutResult>,
  { engine, transactions, prepared }: PutContext,
): Promise<void> {
  // A client that gives up (deadline, cancel) interrupts the statement it started.
  const cancelled = new AbortController();
  call.once('cancelled', () => cancelled.abort());
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
      const session = transactions.sessionFor(command.message.transactionId);
      const count = await executeUpdate(engine, command.message.query, [], session, cancelled.signal);
      call.write(updateResult(count));
      return;
    }
    case 'CommandStatementIngest': {
      const session = transactions.sessionFor(command.message.transactionId);
      const count = await ingest(engine, command.message, decoder.schema, batches, session);
      call.write(updateResult(count));
      return;
    }
    case 'CommandPreparedStatementQuery': {
      const statement = prepared.lookup(command.message.preparedStatementHandle);
      statement.parameters = parameterRows(batches);
      // Stateful server: the handle stays the same; say so, as stateless servers must.
      const result = sql.DoPutPreparedStatementResult.encode({
        preparedStatementHandle: Buffer.from(command.message.preparedStatementHandle),
      }).finish();
      call.write({ appMetadata: Buffer.from(result) });
      return;
    }
    case 'CommandPreparedStatementUpdate': {
      const statement = prepared.lookup(command.message.preparedStatementHandle);
      const rows = batches.length ? parameterRows(batches) : statement.parameters;
      const count = await executeUpdate(
        engine,
        statement.sql,
        rows.length ? rows : [[]],
        transactions.sessionFor(statement.txn),
        cancelled.signal,
      );
      call.write(updateResult(count));
      return;
    }
    default:
      throw unsupported(command);
  }
}
