/**
 * Statements with parameters and updates on DuckDB: what the embedded server needs for
 * CommandStatementUpdate and prepared statements. Parameters arrive as Arrow rows (one row per
 * execution) and are bound by position.
 */
import { DataType, Field as ArrowField, Null, Schema, type Field, type RecordBatch } from 'apache-arrow';
import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import { status as Status } from '@grpc/grpc-js';
import { RowConverter } from '../values';
import { loadRuntime } from './duckdb/runtime';
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

/** Parameter values whose Arrow type JS values do not carry: bound as DuckDB DATE, TIME, TIMESTAMP. */
type Tagged = { timestampNs: bigint } | { dateDays: number } | { timeMicros: bigint };

/** The parameter rows of the given batches, as JS values DuckDB can bind. */
export function parameterRows(batches: readonly RecordBatch[]): unknown[][] {
  if (batches.length === 0) return [];
  const converter = new RowConverter(batches[0]!.schema, { timestamps: 'bigint' });
  const tags = batches[0]!.schema.fields.map(
    (f): ((v: unknown, data: RecordBatch, row: number, col: number) => unknown) => {
      if (DataType.isTimestamp(f.type)) return (v) => (typeof v === 'bigint' ? { timestampNs: v } : v);
      if (DataType.isDate(f.type))
        return (v) => (v instanceof Date ? { dateDays: Math.floor(v.getTime() / 86_400_000) } : v);
      if (DataType.isTime(f.type)) {
        const perMicro = [1e-6, 1e-3, 1, 1e3][f.type.unit]!;
        return (v, data, row, col) => {
          if (v === null) return v;
          const raw = data.getChildAt(col)!.get(row) as number | bigint;
          const micros = perMicro >= 1 ? BigInt(raw) / BigInt(perMicro) : BigInt(raw) * BigInt(1 / perMicro);
          return { timeMicros: micros };
        };
      }
      return (v) => v;
    },
  );
  const rows: unknown[][] = [];
  for (const batch of batches) {
    (converter.rows(batch) as unknown[][]).forEach((row, r) => {
      rows.push(row.map((v, c) => tags[c]!(v, batch, r, c)));
    });
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
  const duckdb = (await loadRuntime()).api;
  values.forEach((value, i) => {
    const index = i + 1;
    if (value === null || value === undefined) prepared.bindNull(index);
    else if (typeof value === 'boolean') prepared.bindBoolean(index, value);
    else if (typeof value === 'bigint' || typeof value === 'number') {
      const known = isKnown(prepared.parameterTypeId(index));
      // An open parameter takes the value's own type: BIGINT for bigint, DOUBLE for number.
      if (known) prepared.bindValue(index, value, prepared.parameterType(index));
      else if (typeof value === 'bigint' && BigInt.asIntN(64, value) === value)
        prepared.bindBigInt(index, value);
      else if (typeof value === 'number') prepared.bindDouble(index, value);
      else prepared.bindValue(index, value);
    } else if (typeof value === 'string') prepared.bindVarchar(index, value);
    else if (value instanceof Uint8Array) prepared.bindBlob(index, value);
    else if (value instanceof Date)
      prepared.bindTimestamp(index, duckdb.timestampValue(BigInt(value.getTime()) * 1000n));
    else if (typeof value === 'object' && 'timestampNs' in value) {
      prepared.bindTimestamp(
        index,
        duckdb.timestampValue((value as Tagged & { timestampNs: bigint }).timestampNs / 1000n),
      );
    } else if (typeof value === 'object' && 'dateDays' in value) {
      prepared.bindDate(index, duckdb.dateValue((value as Tagged & { dateDays: number }).dateDays));
    } else if (typeof value === 'object' && 'timeMicros' in value) {
      prepared.bindTime(index, duckdb.timeValue((value as Tagged & { timeMicros: bigint }).timeMicros));
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
  signal?: AbortSignal,
): Promise<number> {
  return engine.withConnection(
    session,
    async (connection) => {
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
    },
    signal,
  );
}

/** Named parameters (InfluxDB's JSON ticket `params`: `$name` in the query). */
export type NamedParameters = Readonly<Record<string, string | number | boolean | null>>;

/**
 * Binds one parameter row to `prepared` (used by the engine's query path): positional values,
 * or named ones, matched to the statement's `$name` placeholders (integers bind as BIGINT).
 */
export async function bindParameters(
  prepared: DuckDBPreparedStatement,
  row: readonly unknown[] | NamedParameters,
): Promise<void> {
  if (Array.isArray(row)) return bind(prepared, row);
  const named = row as NamedParameters;
  const values: unknown[] = [];
  for (let i = 1; i <= prepared.parameterCount; i++) {
    const name = prepared.parameterName(i);
    if (!Object.hasOwn(named, name)) {
      throw new StatusError(
        Status.INVALID_ARGUMENT,
        `no value for parameter $${name} (params has ${Object.keys(named).join(', ') || 'none'})`,
      );
    }
    const value = named[name];
    values.push(typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value);
  }
  await bind(prepared, values);
}
