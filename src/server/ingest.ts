/**
 * CommandStatementIngest on DuckDB: create, append to or replace a table as the table
 * definition options say, then insert the uploaded rows.
 */
import { status as Status } from '@grpc/grpc-js';
import { Type, type DataType, type Field, type RecordBatch, type Schema } from 'apache-arrow';
import {
  CommandStatementIngest_TableDefinitionOptions_TableExistsOption as IfExists,
  CommandStatementIngest_TableDefinitionOptions_TableNotExistOption as IfNotExists,
  type CommandStatementIngest,
} from '../proto/FlightSql';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DuckDBEngine } from './DuckDBEngine';
import { executeUpdate, parameterRows } from './statements';
import { StatusError, statusForDuckDBError } from './statusErrors';

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The DuckDB column type for an Arrow type, for CREATE TABLE. */
export function duckdbTypeFor(type: DataType): string {
  const t = type as unknown as {
    bitWidth?: number;
    isSigned?: boolean;
    precision?: number;
    scale?: number;
    unit?: number;
    timezone?: string | null;
    dictionary?: DataType;
    children?: Field[];
  };
  switch (type.typeId) {
    case Type.Bool:
      return 'BOOLEAN';
    case Type.Int: {
      const names: Record<number, string> = { 8: 'TINYINT', 16: 'SMALLINT', 32: 'INTEGER', 64: 'BIGINT' };
      return `${t.isSigned ? '' : 'U'}${names[t.bitWidth!]}`;
    }
    case Type.Float:
      return t.precision === 2 ? 'DOUBLE' : 'FLOAT';
    case Type.Decimal:
      return `DECIMAL(${t.precision}, ${t.scale})`;
    case Type.Utf8:
    case Type.LargeUtf8:
      return 'VARCHAR';
    case Type.Binary:
    case Type.LargeBinary:
    case Type.FixedSizeBinary:
      return 'BLOB';
    case Type.Date:
      return 'DATE';
    case Type.Time:
      return 'TIME';
    case Type.Timestamp:
      if (t.timezone) return 'TIMESTAMPTZ';
      return ['TIMESTAMP_S', 'TIMESTAMP_MS', 'TIMESTAMP', 'TIMESTAMP_NS'][t.unit!]!;
    case Type.Dictionary:
      return duckdbTypeFor(t.dictionary!);
    case Type.List:
      return `${duckdbTypeFor(t.children![0]!.type)}[]`;
    case Type.Struct:
      return `STRUCT(${t.children!.map((f) => `${quote(f.name)} ${duckdbTypeFor(f.type)}`).join(', ')})`;
    default:
      throw new StatusError(Status.UNIMPLEMENTED, `ingest of Arrow type ${String(type)} is not supported`);
  }
}

async function tableExists(
  engine: DuckDBEngine,
  name: string,
  schema: string,
  catalog: string | undefined,
  session: DuckDBConnection | undefined,
): Promise<boolean> {
  return engine.withConnection(session, async (connection) => {
    const params = catalog === undefined ? [name, schema] : [name, schema, catalog];
    const sql = `SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = $1 AND schema_name = $2${
      catalog === undefined ? '' : ' AND database_name = $3'
    }`;
    const rows = (await connection.runAndReadAll(sql, params)).getRowObjectsJS();
    return Number(rows[0]?.['n'] ?? 0) > 0;
  });
}

/** Runs one ingest: table options first, then the rows; returns how many rows were inserted. */
export async function ingest(
  engine: DuckDBEngine,
  command: CommandStatementIngest,
  schema: Schema | undefined,
  batches: readonly RecordBatch[],
  session?: DuckDBConnection,
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
  const dbSchema = command.temporary ? 'main' : (command.schema ?? 'main');
  const catalog = command.temporary ? 'temp' : command.catalog;
  const target = [catalog, dbSchema, command.table]
    .filter((p) => p !== undefined)
    .map((p) => quote(p!))
    .join('.');
  const ifNotExists =
    command.tableDefinitionOptions?.ifNotExist ?? IfNotExists.TABLE_NOT_EXIST_OPTION_UNSPECIFIED;
  const ifExists = command.tableDefinitionOptions?.ifExists ?? IfExists.TABLE_EXISTS_OPTION_UNSPECIFIED;
  const columns = schema.fields.map((f) => `${quote(f.name)} ${duckdbTypeFor(f.type)}`).join(', ');
  const create = `CREATE ${command.temporary ? 'TEMP ' : ''}TABLE ${target} (${columns})`;
  try {
    const exists = await tableExists(engine, command.table, dbSchema, catalog, session);
    if (exists) {
      if (ifExists === IfExists.TABLE_EXISTS_OPTION_REPLACE)
        await executeUpdate(engine, `DROP TABLE ${target}; ${create}`, [], session);
      else if (ifExists !== IfExists.TABLE_EXISTS_OPTION_APPEND) {
        throw new StatusError(Status.ALREADY_EXISTS, `table ${target} already exists`);
      }
    } else if (ifNotExists === IfNotExists.TABLE_NOT_EXIST_OPTION_CREATE) {
      await executeUpdate(engine, create, [], session);
    } else {
      throw new StatusError(Status.NOT_FOUND, `table ${target} does not exist`);
    }
    const rows = parameterRows(batches);
    if (rows.length === 0) return 0;
    const placeholders = schema.fields.map(() => '?').join(', ');
    const names = schema.fields.map((f) => quote(f.name)).join(', ');
    return await executeUpdate(
      engine,
      `INSERT INTO ${target} (${names}) VALUES (${placeholders})`,
      rows,
      session,
    );
  } catch (err) {
    throw statusForDuckDBError(err);
  }
}
