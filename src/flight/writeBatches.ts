/**
 * The writing half of DoPut and DoExchange: a Schema message carrying the descriptor, then
 * every batch, with backpressure from the transport.
 */
import { once } from 'node:events';
import { RecordBatch, Table, type Schema } from 'apache-arrow';
import type { ClientDuplexStream } from '@grpc/grpc-js';
import { InterfaceError } from '../errors';
import * as pb from '../proto/Flight';
import { FlightDataEncoder } from './encode';
import type { OutgoingFlightData } from './flightData';

/** Input of DoPut/DoExchange: batches, a Table, or an (async) iterable of batches. */
export type BatchSource = Table | RecordBatch | Iterable<RecordBatch> | AsyncIterable<RecordBatch>;

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
  const batches: Iterable<RecordBatch> | AsyncIterable<RecordBatch> =
    source instanceof Table ? source.batches : source instanceof RecordBatch ? [source] : source;
  if (source instanceof Table && !schema) schema = source.schema;
  if (schema) await sendSchema(schema);
  for await (const batch of batches) {
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
