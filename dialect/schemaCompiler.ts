/**
 * The dialect's schema compiler: Knex's PostgreSQL one, with `hasTable` and `hasColumn` compiled
 * to Flight SQL metadata requests (GetTables), or, in a transaction on an engine whose
 * information_schema answers there, to information_schema SQL; and `dropTable` as a request that
 * also drops the sequences of the table's `increments()` columns (sequences.ts).
 */
import SchemaCompiler_PG from 'knex/lib/dialects/postgres/schema/pg-compiler.js';
import type { Knex } from 'knex';
import { wantedTable, type ReflectedTable } from './reflection';
import { dropTableRequest, type DropTableRequest } from './sequences';
import { profileOf } from './state';

/** The name Knex would write for `name`, unquoted: the user's `wrapIdentifier` applied. */
function mappedName(client: Knex.Client, name: string): string {
  return client.customWrapIdentifier(name, (x: unknown) => x, undefined) as string;
}

/**
 * Schema compiler: `hasTable`/`hasColumn` from GetTables; on engines with sequences, `dropTable`
 * also drops the sequences of the table's `increments()` columns.
 */
export class SchemaCompiler_FlightSQL extends SchemaCompiler_PG {
  /**
   * Whether this runs in a transaction on an engine whose information_schema answers there:
   * GetTables takes no transaction, and would not see what the transaction created (a migration
   * asking for a table an earlier migration of its batch made).
   */
  #inTransaction(): boolean {
    return (
      Boolean((this.client as { transacting?: boolean }).transacting) &&
      profileOf(this.client).informationSchema
    );
  }

  /** hasTable (`tables`) or hasColumn (`columns`) from information_schema, in the transaction. */
  #askInformationSchema(view: 'tables' | 'columns', tableName: string, columnName?: string): void {
    const name = this.schema === undefined && tableName.includes('.') ? tableName.split('.') : [tableName];
    const table = name.pop()!;
    const schema = this.schema ?? name.pop();
    const conditions = ['table_name = ?', ...(schema === undefined ? [] : ['table_schema = ?'])];
    const bindings: string[] = [table, ...(schema === undefined ? [] : [schema])];
    if (columnName !== undefined) {
      conditions.push('column_name = ?');
      bindings.push(columnName);
    }
    const type = view === 'tables' ? 'table_type' : `'' as table_type`;
    this.pushQuery({
      sql: `select table_catalog, table_schema, table_name, ${type} from information_schema.${view} where ${conditions.join(' and ')}`,
      bindings,
      output: (resp: { rows: Record<string, string>[] }) =>
        resp.rows.some((row) =>
          wantedTable(
            { schema },
            {
              catalog: row['table_catalog'] ?? null,
              dbSchema: row['table_schema'] ?? null,
              tableName: row['table_name']!,
              tableType: row['table_type'] ?? '',
            },
          ),
        ),
    });
  }

  dropTable(tableName: string): void {
    this.#dropTable(tableName, false);
  }

  dropTableIfExists(tableName: string): void {
    this.#dropTable(tableName, true);
  }

  #dropTable(tableName: string, ifExists: boolean): void {
    const self = this as unknown as { formatter: { wrap(value: unknown): string } };
    const name = self.formatter.wrap(this.schema ? `${this.schema}.${tableName}` : tableName);
    const sql = `drop table ${ifExists ? 'if exists ' : ''}${name}`;
    if (!profileOf(this.client).sequences) {
      this.pushQuery(sql);
      return;
    }
    const request = dropTableRequest(
      this.schema === undefined ? undefined : mappedName(this.client, this.schema),
      tableName
        .split('.')
        .map((part) => mappedName(this.client, part))
        .join('.'),
    );
    this.pushQuery({ sql, bindings: [], flightSql: request satisfies DropTableRequest });
  }

  hasTable(tableName: string): void {
    if (this.#inTransaction()) {
      this.#askInformationSchema('tables', tableName);
      return;
    }
    this.pushQuery({
      sql: `/* flightsql: GetTables ${this.schema ? `${this.schema}.` : ''}${tableName} (hasTable) */`,
      bindings: [],
      flightSql: { kind: 'tables', table: tableName, schema: this.schema, columns: false },
      output: (tables: ReflectedTable[]) => tables.length > 0,
    });
  }

  hasColumn(tableName: string, columnName: string): void {
    if (this.#inTransaction()) {
      this.#askInformationSchema('columns', tableName, columnName);
      return;
    }
    this.pushQuery({
      sql: `/* flightsql: GetTables ${this.schema ? `${this.schema}.` : ''}${tableName} (hasColumn ${columnName}) */`,
      bindings: [],
      flightSql: { kind: 'tables', table: tableName, schema: this.schema, columns: true },
      output: (tables: ReflectedTable[]) => tables.some((t) => t.columns.some((c) => c.name === columnName)),
    });
  }
}
