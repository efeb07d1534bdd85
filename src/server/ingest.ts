/**
 * CommandStatementIngest on DuckDB: create, append to or replace a table as the table
 * definition options say, then append the uploaded rows, exactly, in one transaction.
 */
import { randomUUID } from 'node:crypto';
import { status as Status } from '@grpc/grpc-js';
import { DataType, type Field, type RecordBatch, type Schema } from 'apache-arrow';
import { batchesWithRows, type Batches } from './batchStream';
import {
  CommandStatementIngest_TableDefinitionOptions_TableExistsOption as IfExists,
  CommandStatementIngest_TableDefinitionOptions_TableNotExistOption as IfNotExists,
  type CommandStatementIngest,
} from '../proto/FlightSql';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DuckDBEngine } from './DuckDBEngine';
import { ArrowChunks } from './duckdb/arrowChunks';
import { quoteIdentifier } from './metadata/sql';
import { StatusError, statusForDuckDBError } from './statusErrors';

/** Where the rows go: the table's catalog (undefined: the current one), schema and name. */
interface Target {
  readonly catalog: string | undefined;
  readonly schema: string;
  readonly table: string;
  /** The qualified, quoted name. */
  readonly sql: string;
}

/** The target's columns, in order: names and DuckDB's type text. */
async function columnsOf(
  connection: DuckDBConnection,
  target: Target,
): Promise<{ name: string; type: string }[]> {
  const params = [target.table, target.schema, ...(target.catalog === undefined ? [] : [target.catalog])];
  const sql = `SELECT column_name AS name, data_type AS type FROM duckdb_columns() WHERE table_name = $1 AND schema_name = $2 AND database_name = ${
    target.catalog === undefined ? 'current_database()' : '$3'
  } ORDER BY column_index`;
  return (await connection.runAndReadAll(sql, params)).getRowObjectsJS() as { name: string; type: string }[];
}

/**
 * Appends straight into the target when its columns are the upload's, by name and exact type (a
 * table this ingest created, or one an earlier ingest of the same schema did). Otherwise the
 * appender would need the table's own column order and types: undefined, and the caller stages.
 */
async function appendDirectly(
  connection: DuckDBConnection,
  target: Target,
  fields: readonly Field[],
  chunks: ArrowChunks,
  batches: AsyncIterable<RecordBatch>,
  signal: AbortSignal | undefined,
): Promise<number | undefined> {
  const columns = await columnsOf(connection, target);
  if (columns.length !== fields.length || columns.some((c, i) => c.name !== fields[i]!.name))
    return undefined;
  const appender = await connection.createAppender(target.table, target.schema, target.catalog);
  const types = chunks.types;
  for (let i = 0; i < fields.length; i++) {
    if (appender.columnType(i).toString() !== types[i]!.toString()) {
      appender.closeSync();
      return undefined;
    }
  }
  return chunks.appendAndClose(appender, batches, signal);
}

/**
 * Appends into a temporary staging table of the upload's exact types, then INSERTs from it by
 * column name: the target's other columns take their defaults and each value is cast to its
 * column's type as DuckDB casts on INSERT. One statement, so a failure inside a client's own
 * transaction leaves none of the upload behind.
 */
async function appendStaged(
  connection: DuckDBConnection,
  target: Target,
  fields: readonly Field[],
  chunks: ArrowChunks,
  batches: AsyncIterable<RecordBatch>,
  signal: AbortSignal | undefined,
): Promise<number> {
  const staging: Target = {
    catalog: 'temp',
    schema: 'main',
    table: `__flightsql_ingest_${randomUUID().replace(/-/g, '')}`,
    sql: '',
  };
  const stagingSql = `temp.main.${quoteIdentifier(staging.table)}`;
  await connection.run(`CREATE TEMP TABLE ${stagingSql} (${columnList(fields, chunks)})`);
  try {
    const appender = await connection.createAppender(staging.table, staging.schema, staging.catalog);
    await chunks.appendAndClose(appender, batches, signal);
    const targetTypes = new Map((await columnsOf(connection, target)).map((c) => [c.name, c.type]));
    const values = fields.map((f) => {
      // Zoned nanosecond timestamps are staged as TIMESTAMP_NS holding the UTC instant: read them
      // as UTC, whatever the session's TimeZone, when the target column is zoned.
      const t = f.type as { timezone?: string | null; unit?: number };
      const zoned = DataType.isTimestamp(f.type) && t.timezone && t.unit === 3;
      return zoned && targetTypes.get(f.name) === 'TIMESTAMP WITH TIME ZONE'
        ? `timezone('UTC', ${quoteIdentifier(f.name)})`
        : quoteIdentifier(f.name);
    });
    const names = fields.map((f) => quoteIdentifier(f.name)).join(', ');
    const result = await connection.run(
      `INSERT INTO ${target.sql} (${names}) SELECT ${values.join(', ')} FROM ${stagingSql}`,
    );
    return result.rowsChanged;
  } finally {
    // After a failed INSERT the transaction may refuse this; ending it drops the table anyway.
    await connection.run(`DROP TABLE IF EXISTS ${stagingSql}`).catch(() => undefined);
  }
}

function columnList(fields: readonly Field[], chunks: ArrowChunks): string {
  const types = chunks.types;
  return fields.map((f, i) => `${quoteIdentifier(f.name)} ${types[i]!.toString()}`).join(', ');
}

/**
 * The table a command names. Without a schema, the connection's current one: `main`, or the
 * database the call's `database` header chose.
 */
async function targetOf(connection: DuckDBConnection, command: CommandStatementIngest): Promise<Target> {
  const catalog = command.temporary ? 'temp' : command.catalog;
  const schema = command.temporary
    ? 'main'
    : (command.schema ??
      String((await connection.runAndReadAll('SELECT current_schema()')).getRows()[0]![0]));
  return {
    catalog,
    schema,
    table: command.table,
    sql: [catalog, schema, command.table]
      .filter((p) => p !== undefined)
      .map((p) => quoteIdentifier(p!))
      .join('.'),
  };
}

/**
 * Runs one ingest: table options first, then the rows; returns how many rows were inserted.
 * Outside a client's transaction, all of it is one transaction of its own: a failed ingest
 * leaves no table and no rows behind. Rows go through DuckDB's appender in data chunks built
 * from the Arrow columns, every value exact (see duckdb/arrowVectors.ts), as `batches` arrive.
 */
export async function ingest(
  engine: DuckDBEngine,
  command: CommandStatementIngest,
  schema: Schema | undefined,
  batches: Batches,
  session?: DuckDBConnection,
  signal?: AbortSignal,
): Promise<number> {
  if (!command.table) throw new StatusError(Status.INVALID_ARGUMENT, 'ingest needs a table name');
  // A DuckDB temporary table lives as long as its connection: only a transaction's lasts.
  if (command.temporary && !session) {
    throw new StatusError(
      Status.INVALID_ARGUMENT,
      'ingest into a temporary table needs a transaction: the table lives as long as its connection',
    );
  }
  if (!schema)
    throw new StatusError(Status.INVALID_ARGUMENT, 'ingest needs the data schema (no Schema message came)');
  // Every column's type is checked before anything is created.
  const chunks = await ArrowChunks.for(schema);
  const ifNotExists =
    command.tableDefinitionOptions?.ifNotExist ?? IfNotExists.TABLE_NOT_EXIST_OPTION_UNSPECIFIED;
  const ifExists = command.tableDefinitionOptions?.ifExists ?? IfExists.TABLE_EXISTS_OPTION_UNSPECIFIED;
  return engine.withConnection(
    session,
    async (connection) => {
      const target = await targetOf(connection, command);
      const create = `CREATE ${command.temporary ? 'TEMP ' : ''}TABLE ${target.sql} (${columnList(schema.fields, chunks)})`;
      // A client's transaction is the client's business; otherwise the ingest is its own.
      const own = !session;
      try {
        if (own) await connection.run('BEGIN TRANSACTION');
        const exists = (await columnsOf(connection, target)).length > 0;
        if (exists) {
          if (ifExists === IfExists.TABLE_EXISTS_OPTION_REPLACE) {
            await connection.run(`DROP TABLE ${target.sql}`);
            await connection.run(create);
          } else if (ifExists !== IfExists.TABLE_EXISTS_OPTION_APPEND) {
            throw new StatusError(Status.ALREADY_EXISTS, `table ${target.sql} already exists`);
          }
        } else if (ifNotExists === IfNotExists.TABLE_NOT_EXIST_OPTION_CREATE) {
          await connection.run(create);
        } else {
          throw new StatusError(Status.NOT_FOUND, `table ${target.sql} does not exist`);
        }
        let rows = 0;
        // The upload streams in while it is appended (see batchStream.ts): a client that leaves
        // midway fails the read, and the transaction's rollback undoes what was appended.
        const uploaded = await batchesWithRows(batches);
        if (uploaded) {
          // Rows appended straight into the table are undone only by rolling back our own transaction.
          const direct = own
            ? await appendDirectly(connection, target, schema.fields, chunks, uploaded, signal)
            : undefined;
          rows = direct ?? (await appendStaged(connection, target, schema.fields, chunks, uploaded, signal));
        }
        if (own) await connection.run('COMMIT');
        return rows;
      } catch (err) {
        if (own) await connection.run('ROLLBACK').catch(() => undefined);
        throw statusForDuckDBError(err);
      }
    },
    signal,
  );
}
