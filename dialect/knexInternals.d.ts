/**
 * Types of the Knex modules the dialect extends. Knex ships types for its public API only; these
 * declare the PostgreSQL dialect's classes (the base of ours) with the members we use.
 */
declare module 'knex/lib/dialects/postgres/index.js' {
  import type { Knex } from 'knex';
  const Client_PG: typeof Knex.Client;
  export default Client_PG;
}

declare module 'knex/lib/dialects/postgres/query/pg-querycompiler.js' {
  /** Knex's PostgreSQL query compiler (lib/dialects/postgres/query/pg-querycompiler.js). */
  class QueryCompiler_PG {
    constructor(client: unknown, builder: unknown, formatter: unknown);
    client: import('knex').Knex.Client;
    single: Record<string, unknown> & { table?: string; schema?: string; columnInfo?: string };
    grouped: Record<string, unknown>;
    tableName: string;
    formatter: { wrap(value: unknown): string; columnize(value: unknown): string };
    insert(): string | { sql: string; returning?: unknown };
    update(): { sql: string; returning?: unknown };
    del(): { sql: string; returning?: unknown };
    limit(): string;
    offset(): string;
    forUpdate(): string;
    forShare(): string;
    forNoKeyUpdate(): string;
    forKeyShare(): string;
    skipLocked(): string;
    noWait(): string;
    truncate(): string;
    _returning(value: unknown): string;
  }
  export default QueryCompiler_PG;
}

declare module 'knex/lib/dialects/postgres/schema/pg-compiler.js' {
  /** Knex's PostgreSQL schema compiler. */
  class SchemaCompiler_PG {
    constructor(client: unknown, builder: unknown);
    client: import('knex').Knex.Client;
    schema?: string;
    pushQuery(query: unknown): void;
  }
  export default SchemaCompiler_PG;
}

declare module 'knex/lib/dialects/postgres/schema/pg-columncompiler.js' {
  /** Knex's PostgreSQL column compiler. */
  class ColumnCompiler_PG {
    constructor(client: unknown, tableCompiler: unknown, columnBuilder: unknown);
    client: import('knex').Knex.Client;
  }
  export default ColumnCompiler_PG;
}

declare module 'knex/lib/dialects/postgres/execution/pg-transaction.js' {
  /** Knex's transaction (lib/execution/transaction.js) as the PostgreSQL dialect extends it. */
  class Transaction_PG {
    constructor(client: unknown, container: unknown, config: unknown, outerTx: unknown);
    client: import('knex').Knex.Client;
    txid: string;
    isolationLevel?: string;
    readOnly?: boolean;
    query(connection: unknown, sql: unknown, status?: number, value?: unknown): Promise<unknown>;
  }
  export default Transaction_PG;
}

declare module 'knex/lib/dialects/postgres/schema/pg-tablecompiler.js' {
  /** Knex's PostgreSQL table compiler. */
  class TableCompiler_PG {
    constructor(client: unknown, tableBuilder: unknown);
    client: import('knex').Knex.Client;
  }
  export default TableCompiler_PG;
}
