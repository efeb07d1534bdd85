/**
 * Runs one statement for the CLI and streams its result into a ResultWriter: every endpoint
 * of the FlightInfo read as one stream (FlightInfoReader), each batch written as it arrives,
 * and with `maxRows` the streams cancelled as soon as enough rows have come, so that the
 * server stops too. Statements that return no rows (INSERT, CREATE, ...) go through
 * CommandStatementUpdate, as the PEP 249 cursor sends them.
 */
import type { Data, RecordBatch, Schema } from 'apache-arrow';
import { statementKind } from '../dbapi/statementKind';
import type { FlightSQLClient } from '../index';
import type { ResultWriter } from './output';
import { Progress } from './progress';

/** How to run a statement. */
export interface RunOptions {
  /** Stop after this many rows (the rest is never read: the server's streams are cancelled). */
  readonly maxRows?: number;
  /** Cancels the statement (Ctrl-C in the shell). */
  readonly signal?: AbortSignal;
  /** Show a progress line on stderr (only drawn when stderr is a terminal). */
  readonly progress?: boolean;
}

/** What a statement came to. */
export type RunResult =
  | { readonly kind: 'rows'; readonly rows: number; readonly bytes: number; readonly truncated: boolean }
  | { readonly kind: 'update'; readonly count: number };

/** Runs `sql` on `client`; a query's rows go to the writer that `writerFor` makes. */
export async function runStatement(
  client: FlightSQLClient,
  sql: string,
  writerFor: () => Promise<ResultWriter>,
  options: RunOptions = {},
): Promise<RunResult> {
  const call = { signal: options.signal };
  if (statementKind(sql) === 'update') {
    return { kind: 'update', count: await client.executeUpdate(sql, call) };
  }
  const info = await client.execute(sql, call);
  const reader = client.readFlightInfo(info, call);
  return writeBatches(reader, () => reader.schema, writerFor, options);
}

/**
 * Writes `batches` (a whole result) with the writer that `writerFor` makes once the schema is
 * known: the first batch's, or `schema()` for a result without batches.
 */
export async function writeBatches(
  batches: AsyncIterable<RecordBatch>,
  schema: () => Schema,
  writerFor: () => Promise<ResultWriter>,
  options: RunOptions = {},
): Promise<RunResult> {
  const limit = options.maxRows ?? Infinity;
  const progress = options.progress ? new Progress('query') : undefined;
  let writer: ResultWriter | undefined;
  let rows = 0;
  let bytes = 0;
  let truncated = false;
  try {
    if (limit > 0) {
      for await (const whole of batches) {
        if (!writer) {
          writer = await writerFor();
          await writer.start(whole.schema);
        }
        const batch = rows + whole.numRows > limit ? whole.slice(0, limit - rows) : whole;
        const size = batchBytes(batch);
        rows += batch.numRows;
        bytes += size;
        progress?.add(batch.numRows, size);
        await writer.write(batch);
        // Leaving the loop cancels every stream of the result, so the server stops working.
        if (rows >= limit) {
          truncated = true;
          break;
        }
      }
    }
  } finally {
    progress?.done();
  }
  if (!writer) {
    writer = await writerFor();
    await writer.start(schema());
  }
  await writer.end(rows);
  return { kind: 'rows', rows, bytes, truncated };
}

/**
 * The line an update prints: `OK, N rows affected` for statements that change rows (and any
 * statement the server counts rows for), `OK` for the rest (DDL, SET, ...) and when the server
 * does not know (-1).
 */
export function updateStatus(sql: string, count: number): string {
  const changesRows = /^\s*(?:with\b[\s\S]*\b)?(?:insert|update|delete|merge|upsert|replace)\b/i.test(sql);
  if (count < 0 || (count === 0 && !changesRows)) return 'OK';
  return `OK, ${count} row${count === 1 ? '' : 's'} affected`;
}

/** The bytes of a batch's Arrow buffers (what came over the wire, give or take padding). */
export function batchBytes(batch: RecordBatch): number {
  let total = 0;
  const visit = (data: Data) => {
    for (const buffer of [data.values, data.valueOffsets, data.nullBitmap, data.typeIds] as (
      ArrayBufferView | undefined
    )[]) {
      total += buffer?.byteLength ?? 0;
    }
    for (const child of data.children) visit(child);
  };
  for (const child of batch.data.children) visit(child);
  return total;
}
