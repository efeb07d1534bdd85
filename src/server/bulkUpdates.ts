/**
 * Prepared updates with parameter batches (CommandPreparedStatementUpdate with data: what PEP
 * 249's `executemany` and `PreparedStatement.executeUpdate(rows)` send). A plain
 * `INSERT INTO t [(cols)] VALUES (?, ...)` (see insertValues.ts) runs set-based: the parameter
 * batches go, as they arrive, through DuckDB's appender into a temporary staging table of
 * their exact types, and one `INSERT INTO t [(cols)] SELECT ... FROM staging` moves them,
 * cast to the columns' types as binding would cast them. Every other statement runs once per
 * row on one prepared statement, in one transaction (statements.ts `runPerRow`).
 *
 * Either way a failure applies nothing outside a client's transaction; inside one, the call
 * fails and the client's rollback undoes the rest of its transaction. The per-row path names
 * the failing row; the set-based path reports DuckDB's error, which names the offending value
 * for key and cast violations.
 */
import { randomUUID } from 'node:crypto';
import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import { DataType, Type, type RecordBatch, type Schema } from 'apache-arrow';
import { batchesWithRows, type Batches } from './batchStream';
import type { DuckDBEngine } from './DuckDBEngine';
import { ArrowChunks } from './duckdb/arrowChunks';
import { TypeId } from './duckdb/types';
import { insertPlanOf, type InsertPlan } from './insertValues';
import { checkParameterTypes, parameterRows, runPerRow } from './statements';
import { statusForDuckDBError } from './statusErrors';

/**
 * Runs `sql` for every row of `batches` (of `schema`: one column per parameter) on `session`
 * or a connection of its own; the affected row count, or undefined when the upload held no
 * rows (the caller then runs the statement with what was bound before).
 */
export async function executeUpdateBatches(
  engine: DuckDBEngine,
  sql: string,
  schema: Schema,
  batches: Batches,
  session?: DuckDBConnection,
  signal?: AbortSignal,
): Promise<number | undefined> {
  // Every column's type is checked before anything runs (UNIMPLEMENTED for types without an
  // exact DuckDB type, as for parameters bound row by row).
  const chunks = await ArrowChunks.for(schema);
  return engine.withConnection(
    session,
    async (connection) => {
      const plan = await planOf(connection, sql, schema, chunks);
      const uploaded = await batchesWithRows(batches);
      if (!uploaded) return undefined;
      if (plan) return insertStaged(connection, plan, chunks, uploaded, !session, signal);
      // Row by row needs the whole upload first: a client that leaves midway must change
      // nothing, and a client's transaction has no savepoint to go back to.
      const all: RecordBatch[] = [];
      for await (const batch of uploaded) all.push(batch);
      return runPerRow(connection, sql, await parameterRows(all), !session);
    },
    signal,
  );
}

/** What a set-based run needs: the INSERT's shape and one SELECT expression per parameter. */
interface StagedInsert extends InsertPlan {
  readonly select: readonly string[];
}

/** The set-based plan of `sql` for parameter batches of `schema`; undefined: run per row. */
async function planOf(
  connection: DuckDBConnection,
  sql: string,
  schema: Schema,
  chunks: ArrowChunks,
): Promise<StagedInsert | undefined> {
  let prepared: DuckDBPreparedStatement;
  try {
    prepared = await connection.prepare(sql);
  } catch (err) {
    throw statusForDuckDBError(err);
  }
  try {
    // A width that does not match is reported by the per-row binding, as before.
    if (schema.fields.length !== prepared.parameterCount) return undefined;
    const plan = insertPlanOf(sql, prepared.statementType, prepared.parameterCount);
    if (!plan) return undefined;
    const types = chunks.types;
    checkParameterTypes(
      prepared,
      schema.fields.map((f, i) => (f.type.typeId === Type.Null ? undefined : types[i])),
    );
    const select = schema.fields.map((field, i) => {
      const column = `p${i + 1}`;
      // An all-null column has no type to cast from: NULL fits any column, as bindNull does.
      if (field.type.typeId === Type.Null) return 'NULL';
      // A zoned nanosecond timestamp is staged as TIMESTAMP_NS holding the UTC instant (see
      // arrowVectors.ts): read it as UTC, whatever the session's TimeZone, into a zoned column.
      const t = field.type as { timezone?: string | null; unit?: number };
      const zonedNs = DataType.isTimestamp(field.type) && t.timezone && t.unit === 3;
      if (zonedNs && prepared.parameterTypeId(i + 1) === TypeId.TIMESTAMP_TZ)
        return `timezone('UTC', ${column})`;
      return column;
    });
    return { ...plan, select };
  } finally {
    prepared.destroySync();
  }
}

/**
 * Appends the rows to a temporary staging table and inserts them from there in one statement.
 * `own`: no client transaction is open, so this runs in one of its own.
 */
async function insertStaged(
  connection: DuckDBConnection,
  plan: StagedInsert,
  chunks: ArrowChunks,
  batches: AsyncIterable<RecordBatch>,
  own: boolean,
  signal: AbortSignal | undefined,
): Promise<number> {
  const name = `__flightsql_params_${randomUUID().replace(/-/g, '')}`;
  const staging = `temp.main."${name}"`;
  const columns = chunks.types.map((type, i) => `p${i + 1} ${type.toString()}`).join(', ');
  try {
    if (own) await connection.run('BEGIN TRANSACTION');
    await connection.run(`CREATE TEMP TABLE ${staging} (${columns})`);
    // The staging table goes with a failure (the transaction's rollback).
    await chunks.appendAndClose(await connection.createAppender(name, 'main', 'temp'), batches, signal);
    const values = plan.parameters.map((p) => plan.select[p - 1]!).join(', ');
    const result = await connection.run(`${plan.head} SELECT ${values} FROM ${staging}`);
    await connection.run(`DROP TABLE ${staging}`);
    if (own) await connection.run('COMMIT');
    return result.rowsChanged;
  } catch (err) {
    if (own) await connection.run('ROLLBACK').catch(() => undefined);
    // Inside a client's transaction that DuckDB has aborted this fails; its rollback drops it.
    else await connection.run(`DROP TABLE IF EXISTS ${staging}`).catch(() => undefined);
    throw statusForDuckDBError(err);
  }
}
