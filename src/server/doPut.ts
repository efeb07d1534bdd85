/**
 * DoPut for the embedded server: a statement update, a bulk ingest, parameters bound to a
 * prepared query, or a prepared update. Each is answered as soon as the stream shows what it
 * needs. Commands that carry no data are run after the first message, half-closed or not:
 * Arrow C++'s client reads a statement update's result before it half-closes. Commands that
 * carry data are run once the client half-closes, after the last batch.
 */
import { status as Status, type ServerDuplexStream } from '@grpc/grpc-js';
import type { RecordBatch, Schema } from 'apache-arrow';
import { messageOf } from '../errors';
import { FlightDataDecoder, type DecodedPayload, type RawFlightData } from '../flight';
import * as pb from '../proto/Flight';
import * as sql from '../proto/FlightSql';
import type { Command } from '../sql/commands';
import type { DuckDBEngine } from './DuckDBEngine';
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
  readonly batches: RecordBatch[];
}

/** Decodes one uploaded message; what cannot be decoded is the client's error. */
function take(upload: Upload, message: RawFlightData): void {
  let payload: DecodedPayload;
  try {
    payload = upload.decoder.decode(message);
  } catch (err) {
    throw new StatusError(Status.INVALID_ARGUMENT, `malformed Arrow data in DoPut: ${messageOf(err)}`);
  }
  if (payload.kind === 'batch' && payload.batch.numRows > 0) upload.batches.push(payload.batch);
}

/**
 * The stream's schema: read up to its Schema message. Undefined when the client half-closed
 * without one (arrow-rs sends a prepared update as a bare descriptor).
 */
async function schemaOf(upload: Upload): Promise<Schema | undefined> {
  while (!upload.decoder.schema) {
    const message = await upload.reader.next();
    if (!message) return undefined;
    take(upload, message);
  }
  return upload.decoder.schema;
}

/** Every batch up to the client's half-close: the data of ingest and parameter bindings. */
async function allBatches(upload: Upload): Promise<readonly RecordBatch[]> {
  for (let message = await upload.reader.next(); message; message = await upload.reader.next()) {
    take(upload, message);
  }
  return upload.batches;
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
    const upload: Upload = { reader, decoder: new FlightDataDecoder(), batches: [] };
    take(upload, first);
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
      const batches = await allBatches(upload);
      return updateResult(
        await ingest(engine, command.message, upload.decoder.schema, batches, session, signal),
      );
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
      // Parameters are batches of the schema's columns: a schema without fields (Arrow C++ and
      // arrow-go send one when nothing is bound) or none (arrow-rs) means no data follows, and
      // the statement runs with the parameters bound before, if any.
      const schema = await schemaOf(upload);
      const batches = schema?.fields.length ? await allBatches(upload) : [];
      const rows = batches.length ? await parameterRows(batches) : statement.parameters;
      const count = await executeUpdate(
        engine,
        statement.sql,
        rows.length ? rows : [[]],
        transactions.sessionFor(statement.txn),
        signal,
      );
      return updateResult(count);
    }
    default:
      // Substrait updates among them (SqlInfo says the server has no Substrait), answered at once
      // like a Substrait query.
      throw unsupported(command);
  }
}
