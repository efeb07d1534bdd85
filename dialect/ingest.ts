/**
 * The opt-in bulk insert: `knex(table).insert(rows).options({ ingest: true })` sends the rows
 * as one Arrow batch by CommandStatementIngest (append), typed by the table's own schema.
 */
import { Field, Schema, Type, type RecordBatch } from 'apache-arrow';
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
  // Keys gathered without an array per row: a bulk insert may have millions of rows.
  const names = new Set<string>();
  for (const row of target.rows)
    for (const key in row) if (!names.has(key) && Object.hasOwn(row, key)) names.add(key);
  const unknown = [...names].filter((n) => !table.columns.some((c) => c.name === n));
  if (unknown.length)
    throw new ProgrammingError(`bulk ingest: ${table.name} has no column ${unknown.join(', ')}`);
  const columns = table.columns.filter((c) => names.has(c.name));
  const schema = new Schema(columns.map((c) => new Field(c.name, c.arrowType, true)));
  const batches = ingestBatches(schema, target.rows);
  const transaction = await connection._transaction();
  return connection.client.executeIngest(batches, {
    table: table.name,
    schema: table.schema ?? undefined,
    catalog: table.catalog ?? undefined,
    mode: 'append',
    transaction,
  });
}

/** Rows per conversion: as many as one parameter batch holds. */
const CHUNK_ROWS = 65_536;

/**
 * The rows as parameter batches of the table's types, converted to positional arrays a chunk at
 * a time: arrays that die young cost the garbage collector little, a million of them kept alive
 * until the end cost it seconds. A column typed from its values (an open, Null-typed one) needs
 * every row at once, so that every batch has the same type.
 */
function ingestBatches(schema: Schema, rows: readonly Record<string, unknown>[]): RecordBatch[] {
  const keys = schema.fields.map((f) => f.name);
  const step = schema.fields.some((f) => f.type.typeId === Type.Null) ? rows.length : CHUNK_ROWS;
  const batches: RecordBatch[] = [];
  for (let start = 0; start < rows.length; start += step) {
    const part: unknown[][] = [];
    for (let r = start; r < Math.min(rows.length, start + step); r++) {
      const row = rows[r]!;
      const values = new Array<unknown>(keys.length);
      for (let c = 0; c < keys.length; c++) values[c] = row[keys[c]!] ?? null;
      part.push(values);
    }
    batches.push(...parameterBatches(schema, part));
  }
  return batches;
}
