/**
 * Uploaded batches as a stream: DoPut hands ingest and bulk updates its batches as they arrive,
 * so that the server holds a few of them at a time whatever the size of the upload.
 */
import type { RecordBatch } from 'apache-arrow';

/** Batches, from memory or as they arrive. */
export type Batches = Iterable<RecordBatch> | AsyncIterable<RecordBatch>;

async function* nonEmpty(batches: Batches): AsyncGenerator<RecordBatch> {
  for await (const batch of batches) if (batch.numRows > 0) yield batch;
}

/**
 * The batches that have rows, once the first of them has arrived; undefined when none has
 * (the upload ended without rows). Lets callers decide what to set up before reading the rest.
 */
export async function batchesWithRows(batches: Batches): Promise<AsyncIterable<RecordBatch> | undefined> {
  const rest = nonEmpty(batches);
  const first = await rest.next();
  if (first.done) return undefined;
  return (async function* () {
    yield first.value;
    yield* rest;
  })();
}
