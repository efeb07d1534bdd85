/**
 * The part of sql.js (SQLite compiled to WebAssembly) the test servers use. sql.js ships no
 * type declarations. Besides its documented API, the servers call a few of the C functions the
 * module exports (`cwrap`), on the raw `sqlite3*` of a Database (`db.db`, kept unminified in
 * the build of 1.16.0) and of a Statement (found and checked in sqliteStatement.ts).
 */
declare module 'sql.js' {
  /** A value as sql.js reads it: INTEGER as number (or bigint with `useBigInt`), REAL, TEXT, BLOB, NULL. */
  export type SqlValue = number | bigint | string | Uint8Array | null;

  export interface QueryExecResult {
    columns: string[];
    values: SqlValue[][];
  }

  export interface Statement {
    step(): boolean;
    get(params?: null, config?: { useBigInt?: boolean }): SqlValue[];
    getBlob(index: number): Uint8Array;
    getColumnNames(): string[];
    reset(): boolean;
    free(): boolean;
  }

  export interface Database {
    /** The `sqlite3*` of this connection (not part of sql.js's documented API). */
    readonly db: number;
    run(sql: string, params?: readonly SqlValue[]): Database;
    exec(sql: string, params?: readonly SqlValue[]): QueryExecResult[];
    prepare(sql: string): Statement;
    getRowsModified(): number;
    close(): void;
  }

  export interface SqlJsStatic {
    Database: new (data?: ArrayLike<number> | null) => Database;
    cwrap(
      name: string,
      returns: 'number' | 'string' | null,
      args: ('number' | 'string')[],
    ): (...args: unknown[]) => unknown;
    stringToNewUTF8(value: string): number;
    writeArrayToMemory(array: ArrayLike<number>, pointer: number): void;
    _malloc(bytes: number): number;
    _free(pointer: number): void;
  }

  export default function initSqlJs(config?: Record<string, unknown>): Promise<SqlJsStatic>;
}
