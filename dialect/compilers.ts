/**
 * The dialect's query, table and column compilers: Knex's PostgreSQL compilers, narrowed to what
 * the engine's profile accepts (RETURNING, ON CONFLICT, locks, column types, `increments()` as a
 * sequence), with LIMIT/OFFSET written as numbers and `columnInfo` compiled to a Flight SQL
 * metadata request instead of information_schema SQL. The schema compiler is schemaCompiler.ts.
 */
import QueryCompiler_PG from 'knex/lib/dialects/postgres/query/pg-querycompiler.js';
import ColumnCompiler_PG from 'knex/lib/dialects/postgres/schema/pg-columncompiler.js';
import TableCompiler_PG from 'knex/lib/dialects/postgres/schema/pg-tablecompiler.js';
import type { Knex } from 'knex';
import { NotSupportedError, ProgrammingError } from 'flightsql';
import type { EngineProfile } from './profiles';
import { columnInfoOf, type MetadataRequest, type ReflectedTable } from './reflection';
import { profileOf, stateOf } from './state';
import { quoteString } from './literals';
import { sequenceKey } from './sequences';

/** The query object of a metadata request: `sql` is a comment (it is logged, never run). */
export interface MetadataQuery {
  readonly sql: string;
  readonly bindings: readonly unknown[];
  readonly flightSql: MetadataRequest;
  readonly output: (tables: ReflectedTable[]) => unknown;
}

/** The query object of a bulk ingest (`insert(rows).options({ ingest: true })`). */
export interface IngestQuery {
  readonly sql: string;
  readonly bindings: readonly unknown[];
  readonly ingest: {
    readonly table: string;
    readonly schema?: string;
    readonly rows: readonly Record<string, unknown>[];
  };
}

/** Logs `what` once per client and the clients Knex derives from it (a chain may compile a clause several times). */
function warnOnce(client: Knex.Client, what: string): void {
  const warned = stateOf(client).warned;
  if (warned.has(what)) return;
  warned.add(what);
  client.logger.warn?.(`flightsql dialect: ${what}`);
}

function refuse(profile: EngineProfile, what: string): never {
  throw new NotSupportedError(`${what} is not supported on ${profile.name} engines (the dialect's profile)`);
}

/** Query compiler: PostgreSQL's, shaped by the engine profile. */
export class QueryCompiler_FlightSQL extends QueryCompiler_PG {
  /** Drops RETURNING where the engine has none (with a warning), as Knex's Redshift dialect does. */
  #withoutReturning<T>(compile: () => T): T {
    const profile = profileOf(this.client);
    if (profile.returning || !this.single.returning) return compile();
    warnOnce(this.client, `.returning() is not supported on ${profile.name} engines and was dropped`);
    const returning = this.single.returning;
    this.single.returning = undefined;
    try {
      return compile();
    } finally {
      this.single.returning = returning;
    }
  }

  override insert(): string | { sql: string; returning?: unknown } | IngestQuery {
    const options = Object.assign({}, ...((this as unknown as { options?: object[] }).options ?? [])) as {
      ingest?: boolean;
    };
    if (options.ingest) return this.#ingest();
    const profile = profileOf(this.client);
    if (this.single.onConflict && !profile.onConflict) refuse(profile, '.onConflict()');
    return this.#withoutReturning(() => super.insert());
  }

  override update(): { sql: string; returning?: unknown } {
    return this.#withoutReturning(() => super.update());
  }

  override del(): { sql: string; returning?: unknown } {
    return this.#withoutReturning(() => super.del());
  }

  // Knex binds LIMIT and OFFSET; engines such as InfluxDB 3 take parameters only in WHERE.
  // Knex has already made them integers.
  override limit(): string {
    const limit = this.single['limit'];
    if (limit === undefined || limit === null || limit === false) return '';
    return `limit ${checkedCount(limit, 'limit')}`;
  }

  override offset(): string {
    const offset = this.single['offset'];
    if (!offset) return '';
    return `offset ${checkedCount(offset, 'offset')}`;
  }

  override forUpdate(): string {
    return this.#lock(() => super.forUpdate());
  }

  override forShare(): string {
    return this.#lock(() => super.forShare());
  }

  override forNoKeyUpdate(): string {
    return this.#lock(() => super.forNoKeyUpdate());
  }

  override forKeyShare(): string {
    return this.#lock(() => super.forKeyShare());
  }

  override skipLocked(): string {
    return this.#lock(() => super.skipLocked());
  }

  override noWait(): string {
    return this.#lock(() => super.noWait());
  }

  /**
   * An aggregate without an alias is named after its function (`count`, `max`, ...), as
   * PostgreSQL names it, rather than as the engine would (DuckDB: `count_star()`).
   */
  aggregate(stmt: { value: unknown; method: string; alias?: string }): string[] {
    const base = (QueryCompiler_PG.prototype as unknown as { aggregate(s: unknown): string[] }).aggregate;
    const plain = typeof stmt.value === 'string' && !stmt.alias && !/\s+as\s+/i.test(stmt.value);
    if (plain) return base.call(this, { ...stmt, alias: stmt.method });
    const compiled = base.call(this, stmt);
    if (Array.isArray(stmt.value) && !stmt.alias)
      return compiled.map((sql) => `${sql} as ${this.formatter.wrap(stmt.method)}`);
    return compiled;
  }

  override truncate(): string {
    return `truncate ${this.tableName}`;
  }

  /** `columnInfo()` from GetTables (the table's Arrow schema and its Flight SQL column metadata). */
  columnInfo(): MetadataQuery {
    const column = this.single.columnInfo;
    const table = this.client.customWrapIdentifier(this.single.table, (x: unknown) => x, undefined) as string;
    const schema = this.single.schema
      ? (this.client.customWrapIdentifier(this.single.schema, (x: unknown) => x, undefined) as string)
      : undefined;
    return {
      sql: `/* flightsql: GetTables ${schema ? `${schema}.` : ''}${table} (columnInfo) */`,
      bindings: [],
      flightSql: { kind: 'tables', table, schema, columns: true },
      output: (tables) => {
        const found = tables[0];
        if (!found) return {};
        const out = columnInfoOf(found);
        return (column && out[column]) || out;
      },
    };
  }

  #lock(compile: () => string): string {
    const profile = profileOf(this.client);
    if (profile.locks) return compile();
    warnOnce(
      this.client,
      `row locks (forUpdate, forShare, ...) are not supported on ${profile.name} engines and were dropped`,
    );
    return '';
  }

  #ingest(): IngestQuery {
    const data = this.single['insert'];
    const rows = (Array.isArray(data) ? data : [data]) as Record<string, unknown>[];
    if (rows.length === 0 || rows.some((r) => r === null || typeof r !== 'object')) {
      throw new NotSupportedError('a bulk ingest takes rows as objects');
    }
    const table = this.single.table as string;
    return {
      sql: `/* flightsql: bulk ingest of ${rows.length} rows into ${this.tableName} */`,
      bindings: [],
      ingest: { table, schema: this.single.schema, rows },
    };
  }
}

function checkedCount(value: unknown, what: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new ProgrammingError(`${what} must be a non-negative integer`);
  return n;
}

/** A statement Knex's table builder groups under `alterTable` (`primary`, `unique`, `foreign`, ...). */
interface TableStatement {
  method: string;
  args: unknown[];
}

/** The members of Knex's table compiler used below (its public typing declares none). */
interface TableCompilerInternals {
  grouped: { alterTable?: TableStatement[] };
  formatter: { wrap(value: unknown): string; columnize(value: unknown): string };
  tableNameRaw: string;
  alterColumnsPrefix: string;
  single: { comment?: unknown };
  tableName(): string;
  pushQuery(query: unknown): void;
  _indexCommand(type: string, table: string, columns: unknown): string;
}

function pgTableMethod(name: string): (this: unknown, ...args: unknown[]) => void {
  return (
    TableCompiler_PG.prototype as unknown as Record<string, (this: unknown, ...args: unknown[]) => void>
  )[name]!;
}

/**
 * Table compiler: foreign keys and unique constraints are written inside CREATE TABLE (standard
 * SQL), not added by a later ALTER TABLE ... ADD CONSTRAINT, which DuckDB and other engines do
 * not take; ALTER TABLE makes one change per statement (DuckDB's rule).
 */
export class TableCompiler_FlightSQL extends TableCompiler_PG {
  createQuery(columns: { sql: string[] }, ifNot?: boolean, like?: boolean): void {
    const self = this as unknown as TableCompilerInternals;
    const statements = self.grouped.alterTable ?? [];
    const inline: string[] = [];
    self.grouped.alterTable = statements.filter((statement) => {
      if (statement.method !== 'unique') return true;
      const [uniqueColumns, options] = statement.args;
      let indexName = options;
      if (options !== null && typeof options === 'object') {
        const { indexName: name, useConstraint, predicate, deferrable } = options as Record<string, unknown>;
        // An index (useConstraint: false, or a predicate) stays a CREATE UNIQUE INDEX after the table.
        if (useConstraint === false || predicate || deferrable) return true;
        indexName = name;
      }
      const name = indexName
        ? self.formatter.wrap(indexName)
        : self._indexCommand('unique', self.tableNameRaw, uniqueColumns);
      inline.push(`constraint ${name} unique (${self.formatter.columnize(uniqueColumns)})`);
      return false;
    });
    if (!like) columns.sql.push(...inline);
    else self.grouped.alterTable = statements;
    pgTableMethod('createQuery').call(this, columns, ifNot, like);
  }

  /** One ALTER TABLE per added column: DuckDB takes a single change per statement. */
  addColumns(columns: { sql: string[]; bindings?: unknown[] }, prefix?: string, compilers?: unknown): void {
    const base = pgTableMethod('addColumns');
    const self = this as unknown as TableCompilerInternals;
    if (prefix === self.alterColumnsPrefix || columns.sql.length < 2 || columns.bindings?.length) {
      base.call(this, columns, prefix, compilers);
      return;
    }
    for (const sql of columns.sql) base.call(this, { sql: [sql], bindings: [] }, prefix, compilers);
  }

  /** One ALTER TABLE ... DROP COLUMN per column, for the same reason. */
  dropColumn(...names: unknown[]): void {
    const base = pgTableMethod('dropColumn');
    for (const name of names.flat()) base.call(this, name);
  }

  /** COMMENT ON TABLE with the text quoted (Knex's PostgreSQL compiler writes it unescaped). */
  comment(comment: unknown): void {
    const self = this as unknown as TableCompilerInternals;
    self.pushQuery(`comment on table ${self.tableName()} is ${quoteString(String(comment ?? ''))}`);
  }
}
Object.assign(TableCompiler_FlightSQL.prototype, { createAlterTableMethods: ['foreign'] });

function refuseIncrements(profile: EngineProfile, type: string): never {
  throw new NotSupportedError(
    `column type ${type}() is not supported on ${profile.name} engines (no sequences): use an explicit integer key instead`,
  );
}

/** Column compiler: PostgreSQL's types, with the engine's differences (profile.columnTypes). */
export class ColumnCompiler_FlightSQL extends ColumnCompiler_PG {
  /** An integer key from a sequence (`<table>_<column>_seq`) where the engine has them. */
  increments(options?: { primaryKey?: boolean }): string {
    const profile = profileOf(this.client);
    if (!profile.sequences) refuseIncrements(profile, 'increments');
    return sequenceKey(this, 'integer', options);
  }

  /** A bigint key from a sequence where the engine has them. */
  bigincrements(options?: { primaryKey?: boolean }): string {
    const profile = profileOf(this.client);
    if (!profile.sequences) refuseIncrements(profile, 'bigincrements');
    return sequenceKey(this, 'bigint', options);
  }

  /** `enu()` with its values quoted (Knex's PostgreSQL compiler writes `'b'c'` for `b'c`). */
  enu(allowed: unknown, options?: unknown): string {
    // (`allowed` is null with { useNative: true, existingType: true }.)
    const quoted = Array.isArray(allowed)
      ? allowed.map((value) => String(value).replace(/'/g, "''"))
      : allowed;
    const base = (ColumnCompiler_PG.prototype as unknown as Record<string, unknown>)['enu'] as (
      this: unknown,
      allowed: unknown,
      options?: unknown,
    ) => string;
    return base.call(this, quoted, options);
  }
}

// Column types are methods or strings on the prototype; the profile decides per call.
for (const type of ['jsonb', 'json', 'binary', 'floating', 'uuid']) {
  const base = (ColumnCompiler_PG.prototype as unknown as Record<string, unknown>)[type];
  Object.defineProperty(ColumnCompiler_FlightSQL.prototype, type, {
    configurable: true,
    get(this: ColumnCompiler_PG) {
      const profile = profileOf(this.client);
      if (!(type in profile.columnTypes)) return base;
      const mapped = profile.columnTypes[type];
      if (mapped === null) {
        return () => {
          throw new NotSupportedError(`column type ${type}() is not supported on ${profile.name} engines`);
        };
      }
      return mapped;
    },
  });
}
