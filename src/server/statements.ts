/**
 * Statements with parameters and updates on DuckDB: what the embedded server needs for
 * CommandStatementUpdate and prepared statements. Parameters arrive as Arrow rows (one row per
 * execution) and are bound by position.
 */
import type { JsonNumber } from './exactJson';
import { Field as ArrowField, Null, Schema, type Field, type RecordBatch } from 'apache-arrow';
import type { DuckDBConnection, DuckDBPreparedStatement, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { status as Status } from '@grpc/grpc-js';
import { messageOf } from '../errors';
import { ArrowChunks } from './duckdb/arrowChunks';
import { literalOf, TypedValue } from './duckdb/parameterValues';
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

/**
 * The parameter rows of the given batches: every value with the exact DuckDB type of its Arrow
 * column (nanosecond timestamps, decimals, lists, structs and maps included).
 */
export async function parameterRows(batches: readonly RecordBatch[]): Promise<TypedValue[][]> {
  if (batches.length === 0) return [];
  const chunks = await ArrowChunks.for(batches[0]!.schema);
  return chunks.rows(batches).map(({ values, types }) => values.map((v, i) => new TypedValue(v, types[i]!)));
}

/** How a parameter is named in errors: `$name` for named ones, its position otherwise. */
function parameterLabel(prepared: DuckDBPreparedStatement, index: number): string {
  const name = prepared.parameterName(index);
  return /^\d+$/.test(name) ? String(index) : `$${name}`;
}

async function bind(prepared: DuckDBPreparedStatement, values: readonly unknown[]): Promise<void> {
  if (values.length !== prepared.parameterCount) {
    throw new StatusError(
      Status.INVALID_ARGUMENT,
      `the statement takes ${prepared.parameterCount} parameter(s), ${values.length} given`,
    );
  }
  const { api } = await loadRuntime();
  values.forEach((value, i) => {
    const index = i + 1;
    const label = parameterLabel(prepared, index);
    const typed = literalOf(api, value, label);
    // NULL, or a DuckDBValue null read back from an Arrow column.
    if (typed === null || typed.value === null) {
      prepared.bindNull(index);
      return;
    }
    checkShape(prepared, index, label, typed.type);
    // Bound with its own type: where the parameter's differs, DuckDB casts the value (or binds the
    // statement again for it) as it would a literal of that type.
    try {
      prepared.bindValue(index, typed.value, typed.type);
    } catch (err) {
      const expected = isKnown(prepared.parameterTypeId(index))
        ? ` (the parameter is ${String(prepared.parameterType(index))})`
        : '';
      throw new StatusError(
        Status.INVALID_ARGUMENT,
        `parameter ${label}: cannot bind ${String(typed.type)} value ${shown(typed.value)}${expected}: ${messageOf(err)}`,
      );
    }
  });
}

function shown(value: DuckDBValue): string {
  const text = typeof value === 'string' ? `'${value}'` : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * The failure for a statement run without values for its parameters where its result's shape
 * depends on them (`SELECT ?`): DuckDB can tell no column type then.
 */
export function unboundParameters(prepared: DuckDBPreparedStatement): StatusError {
  const names = Array.from({ length: prepared.parameterCount }, (_, i) => parameterLabel(prepared, i + 1));
  return new StatusError(
    Status.INVALID_ARGUMENT,
    `the statement takes ${prepared.parameterCount} parameter(s) (${names.join(', ')}) and none were bound: prepare it and bind values`,
  );
}

/**
 * The shape checks of binding, for parameter columns of `types` bound as a whole (a set-based
 * update): a list where the statement takes a scalar, or the reverse, fails as binding does.
 * Undefined types (all-null columns) fit anything.
 */
export function checkParameterTypes(
  prepared: DuckDBPreparedStatement,
  types: readonly (DuckDBType | undefined)[],
): void {
  types.forEach((type, i) => {
    if (type) checkShape(prepared, i + 1, parameterLabel(prepared, i + 1), type);
  });
}

/** Nested types: DuckDB casts none of them to or from a scalar type other than VARCHAR. */
const NESTED = new Set<number>([TypeId.LIST, TypeId.ARRAY, TypeId.STRUCT, TypeId.MAP, TypeId.UNION]);

/** A list bound where the statement takes a scalar, or the reverse: said before DuckDB's cast error. */
function checkShape(prepared: DuckDBPreparedStatement, index: number, label: string, type: DuckDBType): void {
  const declared = prepared.parameterTypeId(index);
  if (!isKnown(declared) || declared === TypeId.VARCHAR || type.typeId === TypeId.VARCHAR) return;
  if (NESTED.has(declared) === NESTED.has(type.typeId)) return;
  throw new StatusError(
    Status.INVALID_ARGUMENT,
    `parameter ${label}: a ${String(type)} value cannot be bound where the statement takes ${String(prepared.parameterType(index))}`,
  );
}

function isKnown(typeId: number): boolean {
  return typeId !== 0 && typeId !== TypeId.SQLNULL && typeId !== 34;
}

/**
 * Runs an update (or DDL) once per parameter row, or once without parameters; the affected row
 * count. Several rows outside a client's transaction run in one transaction of their own: a
 * failing row (named in the error) leaves none of them applied.
 */
export async function executeUpdate(
  engine: DuckDBEngine,
  sql: string,
  rows: readonly unknown[][] = [],
  session?: DuckDBConnection,
  signal?: AbortSignal,
): Promise<number> {
  return engine.withConnection(session, (connection) => runPerRow(connection, sql, rows, !session), signal);
}

/**
 * `executeUpdate` on `connection`: one prepared statement bound and run per row. `own`: no
 * client transaction is open there, so several rows get one of their own.
 */
export async function runPerRow(
  connection: DuckDBConnection,
  sql: string,
  rows: readonly unknown[][],
  own: boolean,
): Promise<number> {
  let prepared: DuckDBPreparedStatement;
  try {
    // Without parameters, run the text as it is (it may hold several statements).
    if (rows.length === 0) return (await connection.run(sql)).rowsChanged;
    prepared = await connection.prepare(sql);
  } catch (err) {
    throw statusForDuckDBError(err);
  }
  const atomic = own && rows.length > 1;
  try {
    if (atomic) await connection.run('BEGIN TRANSACTION');
    let changed = 0;
    for (let r = 0; r < rows.length; r++) {
      try {
        await bind(prepared, rows[r]!);
        changed += (await prepared.run()).rowsChanged;
      } catch (err) {
        const status = statusForDuckDBError(err);
        if (rows.length === 1) throw status;
        throw new StatusError(status.code, `parameter row ${r + 1} of ${rows.length}: ${status.message}`);
      }
    }
    if (atomic) await connection.run('COMMIT');
    return changed;
  } catch (err) {
    if (atomic) await connection.run('ROLLBACK').catch(() => undefined);
    throw statusForDuckDBError(err);
  } finally {
    prepared.destroySync();
  }
}

/** Named parameters (InfluxDB's JSON ticket `params`: `$name` in the query). */
export type NamedParameters = Readonly<Record<string, string | number | boolean | null | JsonNumber>>;

/**
 * Binds one parameter row to `prepared` (used by the engine's query path): positional values,
 * or named ones, matched to the statement's `$name` placeholders. JSON values bind as the same
 * literal would in DuckDB SQL (see parameterValues.ts).
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
    values.push(named[name]);
  }
  await bind(prepared, values);
}
