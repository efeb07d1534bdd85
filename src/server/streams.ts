/**
 * Stream plumbing for the FlightService handlers: writing Arrow batches to a DoGet with
 * backpressure. Kept apart so the handlers read as dispatch.
 */
import type { ServerWritableStream } from '@grpc/grpc-js';
import { once } from 'node:events';
import type { RecordBatch, Schema } from 'apache-arrow';
import { FlightDataEncoder, limitBuffering, type OutgoingFlightData } from '../flight';

/** Writes a schema and batches to a server stream, waiting for 'drain' when the client is slow. */
export async function streamBatches(
  call: ServerWritableStream<unknown, OutgoingFlightData>,
  schema: Schema,
  batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
  signal: AbortSignal,
  alignBody: boolean,
): Promise<void> {
  const encoder = new FlightDataEncoder({ alignBody });
  limitBuffering(call, 'writable');
  const write = async (message: OutgoingFlightData) => {
    if (call.write(message)) return;
    try {
      await once(call, 'drain', { signal });
    } catch (err) {
      if (!signal.aborted) throw err;
    }
  };
  await write(encoder.schema(schema));
  for await (const batch of batches) {
    if (signal.aborted) return;
    for (const message of encoder.batch(batch)) {
      await write(message);
      if (signal.aborted) return;
    }
  }
}
