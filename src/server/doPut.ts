/**
 * DoPut for the embedded server: a statement update, a bulk ingest, parameters bound to a
 * prepared query, or a prepared update. Each is answered as soon as the stream shows what it
 * needs. Commands that carry no data are run after the first message, half-closed or not:
 * Arrow C++'s client reads a statement update's result before it half-closes. Commands that
 * carry data take their batches as they arrive (ingest and set-based updates append each to
 * DuckDB at once, so the server holds a few batches whatever the upload's size) and answer
 * once the client half-closes, after the last batch; a client that leaves before that changes
 * nothing.
 */
import { status as Status, type ServerDuplexStream } from '@grpc/grpc-js';
import type { RecordBatch, Schema } from 'apache-arrow';
import { messageOf } from '../errors';
import { FlightDataDecoder, type DecodedPayload, type RawFlightData } from '../flight';
import * as pb from '../proto/Flight';
import * as sql from '../proto/FlightSql';
import type { Command } from '../sql/commands';
import type { DuckDBEngine } from './DuckDBEngine';
import { executeUpdateBatches } from './bulkUpdates';
import { ingest } from './ingest';
import type { PreparedStatements } from './PreparedStatements';
import { PutReader } from './PutReader';
import { executeUpdate, parameterRows } from './statements';
import { StatusError, unsupported } from './statusErrors';
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

/** The uploaded stream as Arrow: the reader and the IPC state of what it has read so far. */
interface Upload {
  readonly reader: PutReader;
  readonly decoder: FlightDataDecoder;
  /** Batches decoded while looking for the schema (none: a batch cannot come before it). */
  readonly early: RecordBatch[];
}

/** Decodes one uploaded message: its batch, if it is one; what cannot be decoded is the client's error. */
function take(upload: Upload, message: RawFlightData): RecordBatch | undefined {
  let payload: DecodedPayload;
  try {
    payload = upload.decoder.decode(message);
  } catch (err) {
    throw new StatusError(Status.INVALID_ARGUMENT, `malformed Arrow data in DoPut: ${messageOf(err)}`);
  }
  return payload.kind === 'batch' && payload.batch.numRows > 0 ? payload.batch : undefined;
}

/**
 * The stream's schema: read up to its Schema message. Undefined when the client half-closed
 * without one (arrow-rs sends a prepared update as a bare descriptor).
 */
async function schemaOf(upload: Upload): Promise<Schema | undefined> {
  while (!upload.decoder.schema) {
    const message = await upload.reader.next();
    if (!message) return undefined;
    const batch = take(upload, message);
    if (batch) upload.early.push(batch);
  }
  return upload.decoder.schema;
}

/**
 * The batches up to the client's half-close, each read when the consumer asks for it: gRPC
 * flow control holds the client back meanwhile. Ends with CANCELLED when the client leaves.
 */
async function* batchesOf(upload: Upload): AsyncGenerator<RecordBatch> {
  yield* upload.early.splice(0);
  for (let message = await upload.reader.next(); message; message = await upload.reader.next()) {
    const batch = take(upload, message);
    if (batch) yield batch;
  }
}

/** Every batch up to the client's half-close: parameters bound to a prepared query. */
async function allBatches(upload: Upload): Promise<RecordBatch[]> {
  const batches: RecordBatch[] = [];
  for await (const batch of batchesOf(upload)) batches.push(batch);
  return batches;
}

/** Runs one DoPut: reads what its command needs, runs it, and writes the one PutResult it answers with. */
export async function executePut(
  call: ServerDuplexStream<RawFlightData, pb.PutResult>,
  context: PutContext,
): Promise<void> {
  // A client that gives up (deadline, cancel) interrupts the statement it started.
  const cancelled = new AbortController();
  call.once('cancelled', () => cancelled.abort());
  const reader = new PutReader(call);
  try {
    const first = await reader.next();
    if (!first) throw new StatusError(Status.INVALID_ARGUMENT, 'DoPut without a descriptor');
    if (!first.descriptor)
      throw new StatusError(Status.INVALID_ARGUMENT, 'the first DoPut message has no descriptor');
    const command = commandOf(pb.FlightDescriptor.decode(first.descriptor));
    const upload: Upload = { reader, decoder: new FlightDataDecoder(), early: [] };
    const batch = take(upload, first);
    if (batch) upload.early.push(batch);
    const result = await run(command, upload, context, cancelled.signal);
    // The client may have left while the statement ran; there is nobody to answer then.
    if (!cancelled.signal.aborted) call.write(result);
  } finally {
    // Drop whatever the client still sends: a client that half-closes late still completes.
    reader.close();
  }
}

async function run(
  command: Command,
  upload: Upload,
  { engine, transactions, prepared }: PutContext,
  signal: AbortSignal,
): Promise<pb.PutResult> {
  switch (command.kind) {
    // No data: its first message is all it has, whether or not the client half-closes next.
    case 'CommandStatementUpdate': {
      const session = transactions.sessionFor(command.message.transactionId);
      return updateResult(await executeUpdate(engine, command.message.query, [], session, signal));
    }
    case 'CommandStatementIngest': {
      const session = transactions.sessionFor(command.message.transactionId);
      const schema = await schemaOf(upload);
      return updateResult(await ingest(engine, command.message, schema, batchesOf(upload), session, signal));
    }
    case 'CommandPreparedStatementQuery': {
      const statement = prepared.lookup(command.message.preparedStatementHandle);
      statement.parameters = await parameterRows(await allBatches(upload));
      // Stateful server: the handle stays the same; say so, as stateless servers must.
      const result = sql.DoPutPreparedStatementResult.encode({
        preparedStatementHandle: Buffer.from(command.message.preparedStatementHandle),
      }).finish();
      return { appMetadata: Buffer.from(result) };
    }
    case 'CommandPreparedStatementUpdate': {
      const statement = prepared.lookup(command.message.preparedStatementHandle);
      const session = transactions.sessionFor(statement.txn);
      // Parameters are batches of the schema's columns: a schema without fields (Arrow C++ and
      // arrow-go send one when nothing is bound) or none (arrow-rs) means no data follows, and
      // the statement runs with the parameters bound before, if any.
      const schema = await schemaOf(upload);
      if (schema?.fields.length) {
        const count = await executeUpdateBatches(
          engine,
          statement.sql,
          schema,
          batchesOf(upload),
          session,
          signal,
        );
        if (count !== undefined) return updateResult(count);
      }
      const rows = statement.parameters;
      return updateResult(
        await executeUpdate(engine, statement.sql, rows.length ? rows : [[]], session, signal),
      );
    }
    default:
      // Substrait updates among them (SqlInfo says the server has no Substrait), answered at once
      // like a Substrait query.
      throw unsupported(command);
  }
}
