/**
 * The writing half of DoPut and DoExchange: a Schema message carrying the descriptor, then
 * every batch, with backpressure from the transport.
 */
import { once } from 'node:events';
import type { RecordBatch, Table, Schema } from 'apache-arrow';
import type { ClientDuplexStream } from '@grpc/grpc-js';
import { InterfaceError } from '../errors';
import * as pb from '../proto/Flight';
import { ownBatchSource, ownSchema } from './arrowInput';
import { FlightDataEncoder } from './encode';
import type { OutgoingFlightData } from './flightData';

/**
 * Input of DoPut/DoExchange: a Table, a RecordBatch, Arrow IPC bytes (stream or file, e.g.
 * `tableToIPC(table)`), or an (async) iterable of batches. Arrow objects of any apache-arrow copy
 * (ESM or CommonJS, 9 to 21) are accepted and re-wrapped without copying (see `arrowInput.ts`).
 */
export type BatchSource =
  Table | RecordBatch | Uint8Array | Iterable<RecordBatch> | AsyncIterable<RecordBatch>;

/** The server ended the call while we were still writing. */
export class WriteStopped extends globalThis.Error {}

/**
 * Writes a Schema message carrying `descriptor`, then every batch, waiting for 'drain' when the
 * transport is full, then half-closes.
 */
export async function writeBatches(
  call: ClientDuplexStream<OutgoingFlightData, unknown>,
  descriptor: pb.FlightDescriptor,
  source: BatchSource,
  schema: Schema | undefined,
): Promise<void> {
  // First of all: input that is not Arrow fails before anything is sent or listened to.
  const input = ownBatchSource(source);
  const first = schema == null ? input.schema : ownSchema(schema);
  const encoder = new FlightDataEncoder();
  const descriptorBytes = pb.FlightDescriptor.encode(descriptor).finish();
  // One controller for the whole upload: the call's end (or error) stops every drain wait, so
  // no listener is added per wait.
  const ended = new AbortController();
  const stop = () => ended.abort();
  call.once('status', stop);
  call.once('error', stop);
  const write = async (message: OutgoingFlightData) => {
    if (ended.signal.aborted || call.destroyed) throw new WriteStopped();
    if (call.write(message)) return;
    try {
      await once(call, 'drain', { signal: ended.signal });
    } catch {
      throw new WriteStopped();
    }
  };
  let schemaSent = false;
  const sendSchema = async (s: Schema) => {
    schemaSent = true;
    await write(encoder.schema(s, { descriptor: descriptorBytes }));
  };
  if (first) await sendSchema(first);
  for await (const batch of input.batches) {
    if (!schemaSent) await sendSchema(batch.schema);
    for (const message of encoder.batch(batch)) await write(message);
  }
  if (!schemaSent) {
    throw new InterfaceError('no schema to send: pass `schema` when the input has no batches');
  }
  call.off('status', stop);
  call.off('error', stop);
  if (!ended.signal.aborted) call.end();
}
