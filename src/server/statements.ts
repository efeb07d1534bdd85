/**
 * Statements with parameters and updates on DuckDB: what the embedded server needs for
 * CommandStatementUpdate and prepared statements. Parameters arrive as Arrow rows (one row per
 * execution) and are bound by position.
 */
import { Field as ArrowField, Null, Schema, type Field, type RecordBatch } from 'apache-arrow';
import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import { status as Status } from '@grpc/grpc-js';
import { RowConverter } from '../values';
import { arrowFieldFor, TypeId } from './duckdb/types';
import type { DuckDBEngine } from './DuckDBEngine';
import { StatusError, statusForDuckDBError } from './statusErrors';

/** What a prepared statement looks like from outside. */
export interface StatementShape {
  /** Result schema; empty for statements that return no rows (updates, DDL). */
  readonly datasetSchema: Schema;
  /** One field per parameter, in order; Null-typed where DuckDB cannot tell the type. */
  readonly parameterSchema: Schema;
  readonly isUpdate: boolean;
}

// Statements that return rows only with RETURNING; otherwise DuckDB reports a `Count` column.
function returnsCount(prepared: DuckDBPreparedStatement): boolean {
  return prepared.columnCount === 1 && prepared.columnName(0) === 'Count' && prepared.statementType !== 1; // SELECT
}

/** Prepares `sql` on a fresh connection and describes it (nothing runs). */
export async function describeStatement(
  engine: DuckDBEngine,
  sql: string,
  session?: DuckDBConnection,
): Promise<StatementShape> {
  return engine.withConnection(session, async (connection) => {
    try {
      const prepared = await connection.prepare(sql);
      const isUpdate = returnsCount(prepared);
      const columns: Field[] = [];
      if (!isUpdate) {
        for (let i = 0; i < prepared.columnCount; i++) {
          // A column that depends on an open parameter type has no type until execution.
          columns.push(
            isKnown(prepared.columnTypeId(i))
              ? arrowFieldFor(prepared.columnName(i), prepared.columnType(i))
              : new ArrowField(prepared.columnName(i), new Null(), true),
          );
        }
      }
      const parameters: Field[] = [];
      for (let i = 1; i <= prepared.parameterCount; i++) {
        // `SELECT ?` leaves the type open: a Null field lets the client pick it from the value.
        const field = isKnown(prepared.parameterTypeId(i))
          ? arrowFieldFor(prepared.parameterName(i), prepared.parameterType(i))
          : new ArrowField(prepared.parameterName(i), new Null(), true);
        parameters.push(field);
      }
      prepared.destroySync();
      return { datasetSchema: new Schema(columns), parameterSchema: new Schema(parameters), isUpdate };
    } catch (err) {
      throw statusForDuckDBError(err);
    }
  });
}

/** The parameter rows of the given batches, as JS values DuckDB can bind. */
export function parameterRows(batches: readonly RecordBatch[]): unknown[][] {
  if (batches.length === 0) return [];
  const converter = new RowConverter(batches[0]!.schema, { timestamps: 'bigint' });
  const timestampColumns = batches[0]!.schema.fields.map((f) => f.typeId === 10 /* Timestamp */);
  const rows: unknown[][] = [];
  for (const batch of batches) {
    for (const row of converter.rows(batch) as unknown[][]) {
      // Timestamps come as exact nanoseconds; DuckDB binds them as microseconds.
      rows.push(row.map((v, i) => (timestampColumns[i] && typeof v === 'bigint' ? { timestampNs: v } : v)));
    }
  }
  return rows;
}

async function bind(prepared: DuckDBPreparedStatement, values: readonly unknown[]): Promise<void> {
  if (values.length !== prepared.parameterCount) {
    throw new StatusError(
      Status.INVALID_ARGUMENT,
      `the statement takes ${prepared.parameterCount} parameter(s), ${values.length} given`,
    );
  }
  const duckdb = await import('@duckdb/node-api');
  values.forEach((value, i) => {
    const index = i + 1;
    if (value === null || value === undefined) prepared.bindNull(index);
    else if (typeof value === 'boolean') prepared.bindBoolean(index, value);
    else if (typeof value === 'bigint' || typeof value === 'number') {
      const known = isKnown(prepared.parameterTypeId(index));
      prepared.bindValue(index, value, known ? prepared.parameterType(index) : undefined);
    } else if (typeof value === 'string') prepared.bindVarchar(index, value);
    else if (value instanceof Uint8Array) prepared.bindBlob(index, value);
    else if (value instanceof Date)
      prepared.bindTimestamp(index, duckdb.timestampValue(BigInt(value.getTime()) * 1000n));
    else if (typeof value === 'object' && 'timestampNs' in value) {
      prepared.bindTimestamp(
        index,
        duckdb.timestampValue((value as { timestampNs: bigint }).timestampNs / 1000n),
      );
    } else {
      throw new StatusError(
        Status.INVALID_ARGUMENT,
        `parameter ${index}: unsupported value ${String(value)}`,
      );
    }
  });
}

function isKnown(typeId: number): boolean {
  return typeId !== 0 && typeId !== TypeId.SQLNULL && typeId !== 34;
}

/** Runs an update (or DDL) once per parameter row, or once without parameters; the affected row count. */
export async function executeUpdate(
  engine: DuckDBEngine,
  sql: string,
  rows: readonly unknown[][] = [],
  session?: DuckDBConnection,
): Promise<number> {
  return engine.withConnection(session, async (connection) => {
    try {
      // Without parameters, run the text as it is (it may hold several statements).
      if (rows.length === 0) return (await connection.run(sql)).rowsChanged;
      const prepared = await connection.prepare(sql);
      let changed = 0;
      for (const row of rows) {
        await bind(prepared, row);
        changed += (await prepared.run()).rowsChanged;
      }
      return changed;
    } catch (err) {
      throw statusForDuckDBError(err);
    }
  });
}

/** Binds one parameter row to `prepared` (used by the engine's query path). */
export async function bindParameters(
  prepared: DuckDBPreparedStatement,
  row: readonly unknown[],
): Promise<void> {
  await bind(prepared, row);
}
