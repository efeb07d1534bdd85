/**
 * Catalog queries with bound parameters: filters are built as SQL text over our own column
 * names, and every value that comes from a request travels as a parameter, never as SQL.
 */
import type { DuckDBConnection } from '@duckdb/node-api';

/** The escape character of Flight SQL filter patterns (`\_` is a literal underscore). */
export const PATTERN_ESCAPE = '\\';

/** The WHERE clause of a catalog query, with its parameters. */
export class Conditions {
  readonly #clauses: string[] = [];
  readonly #params: string[] = [];

  #param(value: string): string {
    this.#params.push(value);
    return `$${this.#params.length}`;
  }

  /**
   * `column = value`; no condition when `value` is undefined. An empty string is compared
   * like any other: DuckDB names every catalog and schema, so '' ("objects without one")
   * matches nothing.
   */
  equals(column: string, value: string | undefined): this {
    if (value !== undefined) this.#clauses.push(`${column} = ${this.#param(value)}`);
    return this;
  }

  /** `column LIKE pattern ESCAPE '\'` (`%`, `_`, `\` escapes); none when `pattern` is undefined. */
  like(column: string, pattern: string | undefined): this {
    if (pattern !== undefined) {
      this.#clauses.push(`${column} LIKE ${this.#param(pattern)} ESCAPE '${PATTERN_ESCAPE}'`);
    }
    return this;
  }

  /** `column IN (values)`; no condition when `values` is empty. */
  oneOf(column: string, values: readonly string[]): this {
    if (values.length > 0) {
      this.#clauses.push(`${column} IN (${values.map((v) => this.#param(v)).join(', ')})`);
    }
    return this;
  }

  /** `WHERE a AND b`, or '' without conditions. */
  get where(): string {
    return this.#clauses.length === 0 ? '' : `WHERE ${this.#clauses.join(' AND ')}`;
  }

  get params(): string[] {
    return [...this.#params];
  }
}

/** Runs `sql` with positional parameters and returns its rows as JS objects. */
export async function readRows(
  connection: DuckDBConnection,
  sql: string,
  params: readonly string[] = [],
): Promise<Record<string, unknown>[]> {
  const reader = await connection.runAndReadAll(sql, [...params]);
  return reader.getRowObjectsJS() as Record<string, unknown>[];
}

/** A double-quoted SQL identifier (for names read from DuckDB's own catalog). */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A single-quoted SQL string literal. */
export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
