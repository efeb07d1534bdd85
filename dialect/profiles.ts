/**
 * Engine profiles: what SQL the dialect may generate for the engine behind a Flight SQL server.
 * Picked per server from GetSqlInfo (server name, read-only flag, transaction support), or
 * named in the config. The SQL is PostgreSQL-flavoured for all of them (double-quoted
 * identifiers, `$n` placeholders), as DataFusion, DuckDB and Dremio read it.
 */
import { SqlInfo, type ServerInfo, type SqlInfoValue } from 'flightsql';

/** The engines the dialect knows. */
export type ProfileName = 'duckdb' | 'datafusion' | 'generic';

/** What an engine accepts beyond the common subset. */
export interface EngineProfile {
  /** The profile's name. */
  readonly name: ProfileName;
  /** `insert/update/delete ... returning`. */
  readonly returning: boolean;
  /** `insert ... on conflict do nothing / do update`. */
  readonly onConflict: boolean;
  /** `select ... for update/share`. */
  readonly locks: boolean;
  /**
   * Sequences (`CREATE SEQUENCE`, `nextval()` in a column default): `increments()` becomes one,
   * as DuckDB has no SERIAL. Without them `increments()` is a NotSupportedError.
   */
  readonly sequences: boolean;
  /**
   * `information_schema` that answers inside a transaction: `hasTable`/`hasColumn` in a
   * transaction ask it there, where GetTables (which takes no transaction) would not see tables
   * the transaction created.
   */
  readonly informationSchema: boolean;
  /** How a binary value is written inline: DuckDB `'\xAA'::BLOB`, others `X'AA'`. */
  readonly blobLiteral: 'duckdb' | 'hex';
  /**
   * Column types for the schema builder where the engine differs from PostgreSQL; `null` means
   * the engine has no such type (the builder says so rather than emit SQL that fails later).
   */
  readonly columnTypes: Readonly<Record<string, string | null>>;
}

/** The known engines' profiles, by name. */
export const PROFILES: Readonly<Record<ProfileName, EngineProfile>> = {
  duckdb: {
    name: 'duckdb',
    returning: true,
    onConflict: true,
    locks: false,
    sequences: true,
    informationSchema: true,
    blobLiteral: 'duckdb',
    columnTypes: {
      jsonb: 'json',
      json: 'json',
      binary: 'blob',
      floating: 'real',
    },
  },
  datafusion: {
    name: 'datafusion',
    returning: false,
    onConflict: false,
    locks: false,
    sequences: false,
    informationSchema: false,
    blobLiteral: 'hex',
    columnTypes: {
      jsonb: null,
      json: null,
      binary: 'bytea',
      uuid: null,
    },
  },
  generic: {
    name: 'generic',
    returning: false,
    onConflict: false,
    locks: false,
    sequences: false,
    informationSchema: false,
    blobLiteral: 'hex',
    columnTypes: {},
  },
};

/** What the dialect knows of a server: its profile and the GetSqlInfo facts it uses. */
export interface ServerFacts {
  /** The engine profile: named in the config, or chosen from the server's name. */
  readonly profile: EngineProfile;
  /** FLIGHT_SQL_SERVER_NAME. */
  readonly serverName?: string;
  /** FLIGHT_SQL_SERVER_READ_ONLY. */
  readonly readOnly: boolean;
  /** Whether the server has Flight SQL transactions. */
  readonly transactions: boolean;
  /** Whether the server has Flight SQL savepoints. */
  readonly savepoints: boolean;
  /** SQL_SEARCH_STRING_ESCAPE: escapes `%` and `_` in metadata filter patterns. */
  readonly searchEscape?: string;
  /** SQL_IDENTIFIER_QUOTE_CHAR. */
  readonly quote: string;
}

/** The SqlInfo ids the dialect reads when it first connects (name and transactions come with the connection). */
export const DIALECT_SQL_INFO: readonly number[] = [
  SqlInfo.FLIGHT_SQL_SERVER_READ_ONLY,
  SqlInfo.SQL_SEARCH_STRING_ESCAPE,
  SqlInfo.SQL_IDENTIFIER_QUOTE_CHAR,
];

/** The profile a server name suggests: DuckDB, DataFusion (InfluxDB 3 among them), or generic. */
export function profileForServer(name: string | undefined): ProfileName {
  const text = (name ?? '').toLowerCase();
  if (text.includes('duckdb') || text.includes('sqlflite')) return 'duckdb';
  if (/datafusion|influx|iox|ballista|dremio/.test(text)) return 'datafusion';
  return 'generic';
}

/**
 * ServerFacts from what the connection learnt (`server`: name and transaction support) and the
 * dialect's own GetSqlInfo values; `profile` (from the config) wins over the server name.
 */
export function serverFacts(
  server: ServerInfo,
  values: ReadonlyMap<number, SqlInfoValue>,
  profile?: ProfileName,
): ServerFacts {
  const text = (id: number) => {
    const v = values.get(id);
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  return {
    profile: PROFILES[profile ?? profileForServer(server.name)],
    serverName: server.name,
    readOnly: values.get(SqlInfo.FLIGHT_SQL_SERVER_READ_ONLY) === true,
    transactions: server.transactions,
    savepoints: server.savepoints,
    searchEscape: text(SqlInfo.SQL_SEARCH_STRING_ESCAPE),
    quote: text(SqlInfo.SQL_IDENTIFIER_QUOTE_CHAR) ?? '"',
  };
}
