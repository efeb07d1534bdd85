/** The contract between the query runner and the output formats. */
import type { RecordBatch, Schema } from 'apache-arrow';

/**
 * Writes one result as it streams: `start` once with the schema, `write` for each batch (in
 * order, possibly none), `end` once with the total number of rows written. Each call resolves
 * when its output has been handed to the destination (backpressure included).
 */
export interface ResultWriter {
  start(schema: Schema): Promise<void>;
  write(batch: RecordBatch): Promise<void>;
  end(rows: number): Promise<void>;
}

/** `(1 row)`, `(12 rows)`: the table footer, as psql prints it. */
export function rowCount(rows: number): string {
  return `(${rows} row${rows === 1 ? '' : 's'})`;
}
