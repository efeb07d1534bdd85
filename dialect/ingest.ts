/**
 * The opt-in bulk insert: `knex(table).insert(rows).options({ ingest: true })` sends the rows
 * as one Arrow batch by CommandStatementIngest (append), typed by the table's own schema.
 */
import { Field, Schema } from 'apache-arrow';
import { parameterBatches, ProgrammingError, type Connection } from 'flightsql';
import { reflectTables } from './reflection';

/** Appends `rows` to the table; the count the server reports. */
export async function ingestRows(
  connection: Connection<Record<string, unknown>>,
  target: { table: string; schema?: string; rows: readonly Record<string, unknown>[] },
): Promise<number> {
  const [table] = await reflectTables(
    connection.client,
    {},
    {
      schema: target.schema,
      tables: [target.table],
      columns: true,
      keys: false,
    },
  );
  if (!table)
    throw new ProgrammingError(
      `bulk ingest: no table ${target.schema ? `${target.schema}.` : ''}${target.table}`,
    );
  const names = new Set(target.rows.flatMap((row) => Object.keys(row)));
  const unknown = [...names].filter((n) => !table.columns.some((c) => c.name === n));
  if (unknown.length)
    throw new ProgrammingError(`bulk ingest: ${table.name} has no column ${unknown.join(', ')}`);
  const columns = table.columns.filter((c) => names.has(c.name));
  const schema = new Schema(columns.map((c) => new Field(c.name, c.arrowType, true)));
  const batches = parameterBatches(
    schema,
    target.rows.map((row) => columns.map((c) => row[c.name] ?? null)),
  );
  const transaction = await connection._transaction();
  return connection.client.executeIngest(batches, {
    table: table.name,
    schema: table.schema ?? undefined,
    catalog: table.catalog ?? undefined,
    mode: 'append',
    transaction,
  });
}
