/**
 * The metadata half of FlightSQLClient, kept in its own file: each Flight SQL metadata command
 * as a typed, decoded result (`getTables`) and as the raw stream (`getTablesReader`). Every
 * command goes through one helper: GetFlightInfo, then DoGet of each endpoint.
 */
import type { Table } from 'apache-arrow';
import type { CallOptions, FlightClient, FlightInfo, FlightStreamReader } from '../flight';
import { traceStatement, type QueryContext, type StatementKind } from '../diagnostics';
import { protocolError } from '../errors';
import type { XdbcDataType } from '../proto/FlightSql';
import { FlightInfoReader, type FlightInfoReaderOptions } from './FlightInfoReader';
import { packCommand, type CommandKind, type CommandMessage, type MetadataKind } from './commands';
import {
  crossReferenceMessage,
  dbSchemasMessage,
  decodeCatalogs,
  decodeDbSchemas,
  decodeForeignKeys,
  decodePrimaryKeys,
  decodeSqlInfo,
  decodeTables,
  decodeTableTypes,
  decodeXdbcTypeInfo,
  tableRefMessage,
  tablesMessage,
  type DbSchemaInfo,
  type ForeignKeyInfo,
  type GetDbSchemasOptions,
  type GetTablesOptions,
  type PrimaryKeyInfo,
  type SqlInfoValue,
  type TableInfo,
  type TableRef,
  type XdbcTypeInfo,
} from './metadata';

/** Flight SQL metadata commands over a FlightClient. */
export class MetadataMethods {
  /** The database the client's headers name (`database`), for traces. */
  readonly #database: string | undefined;

  /**
   * @param flight the Flight client underneath, for plain Flight RPCs.
   * @param headers the headers `flight` sends with every call (read for the database name only).
   */
  constructor(
    readonly flight: FlightClient,
    headers?: Readonly<Record<string, string>>,
  ) {
    this.#database = databaseOf(headers);
  }

  /** Sends CommandGetCatalogs: the catalog names. */
  async getCatalogs(options: CallOptions = {}): Promise<string[]> {
    return decodeCatalogs(await this.#table('CommandGetCatalogs', {}, options));
  }

  /** CommandGetCatalogs as a stream. */
  getCatalogsReader(options: CallOptions = {}): Promise<FlightStreamReader> {
    return this.#reader('CommandGetCatalogs', {}, options);
  }

  /** Sends CommandGetDbSchemas: schemas by catalog, filtered by a LIKE pattern. */
  async getDbSchemas(options: GetDbSchemasOptions & CallOptions = {}): Promise<DbSchemaInfo[]> {
    return decodeDbSchemas(await this.#table('CommandGetDbSchemas', dbSchemasMessage(options), options));
  }

  /** CommandGetDbSchemas as a stream. */
  getDbSchemasReader(options: GetDbSchemasOptions & CallOptions = {}): Promise<FlightStreamReader> {
    return this.#reader('CommandGetDbSchemas', dbSchemasMessage(options), options);
  }

  /** Sends CommandGetTables: tables with their types and, with `includeSchema`, their Arrow schemas. */
  async getTables(options: GetTablesOptions & CallOptions = {}): Promise<TableInfo[]> {
    return decodeTables(await this.#table('CommandGetTables', tablesMessage(options), options));
  }

  /** CommandGetTables as a stream. */
  getTablesReader(options: GetTablesOptions & CallOptions = {}): Promise<FlightStreamReader> {
    return this.#reader('CommandGetTables', tablesMessage(options), options);
  }

  /** Sends CommandGetTableTypes: the table types the server knows (TABLE, VIEW, ...). */
  async getTableTypes(options: CallOptions = {}): Promise<string[]> {
    return decodeTableTypes(await this.#table('CommandGetTableTypes', {}, options));
  }

  /** CommandGetTableTypes as a stream. */
  getTableTypesReader(options: CallOptions = {}): Promise<FlightStreamReader> {
    return this.#reader('CommandGetTableTypes', {}, options);
  }

  /** Sends CommandGetPrimaryKeys for one table. */
  async getPrimaryKeys(table: TableRef, options: CallOptions = {}): Promise<PrimaryKeyInfo[]> {
    return decodePrimaryKeys(await this.#table('CommandGetPrimaryKeys', tableRefMessage(table), options));
  }

  /** CommandGetPrimaryKeys as a stream. */
  getPrimaryKeysReader(table: TableRef, options: CallOptions = {}): Promise<FlightStreamReader> {
    return this.#reader('CommandGetPrimaryKeys', tableRefMessage(table), options);
  }

  /** Sends CommandGetExportedKeys: foreign keys that refer to `table`'s primary key. */
  async getExportedKeys(table: TableRef, options: CallOptions = {}): Promise<ForeignKeyInfo[]> {
    return decodeForeignKeys(await this.#table('CommandGetExportedKeys', tableRefMessage(table), options));
  }

  /** CommandGetExportedKeys as a stream. */
  getExportedKeysReader(table: TableRef, options: CallOptions = {}): Promise<FlightStreamReader> {
    return this.#reader('CommandGetExportedKeys', tableRefMessage(table), options);
  }

  /** Sends CommandGetImportedKeys: the foreign keys of `table`. */
  async getImportedKeys(table: TableRef, options: CallOptions = {}): Promise<ForeignKeyInfo[]> {
    return decodeForeignKeys(await this.#table('CommandGetImportedKeys', tableRefMessage(table), options));
  }

  /** CommandGetImportedKeys as a stream. */
  getImportedKeysReader(table: TableRef, options: CallOptions = {}): Promise<FlightStreamReader> {
    return this.#reader('CommandGetImportedKeys', tableRefMessage(table), options);
  }

  /** Sends CommandGetCrossReference: foreign keys of `fkTable` that refer to `pkTable`. */
  async getCrossReference(
    pkTable: TableRef,
    fkTable: TableRef,
    options: CallOptions = {},
  ): Promise<ForeignKeyInfo[]> {
    const message = crossReferenceMessage(pkTable, fkTable);
    return decodeForeignKeys(await this.#table('CommandGetCrossReference', message, options));
  }

  /** CommandGetCrossReference as a stream. */
  getCrossReferenceReader(
    pkTable: TableRef,
    fkTable: TableRef,
    options: CallOptions = {},
  ): Promise<FlightStreamReader> {
    return this.#reader('CommandGetCrossReference', crossReferenceMessage(pkTable, fkTable), options);
  }

  /**
   * Sends CommandGetSqlInfo for `ids` (all when empty or undefined); the dense-union values
   * decoded into plain values keyed by SqlInfo id.
   */
  async getSqlInfo(
    ids: readonly number[] = [],
    options: CallOptions = {},
  ): Promise<Map<number, SqlInfoValue>> {
    return decodeSqlInfo(await this.#table('CommandGetSqlInfo', { info: [...ids] }, options));
  }

  /** CommandGetSqlInfo as a stream. */
  getSqlInfoReader(ids: readonly number[] = [], options: CallOptions = {}): Promise<FlightStreamReader> {
    return this.#reader('CommandGetSqlInfo', { info: [...ids] }, options);
  }

  /** Sends CommandGetXdbcTypeInfo: the server's types, all or those of one XDBC data type. */
  async getXdbcTypeInfo(dataType?: XdbcDataType, options: CallOptions = {}): Promise<XdbcTypeInfo[]> {
    return decodeXdbcTypeInfo(await this.#table('CommandGetXdbcTypeInfo', { dataType }, options));
  }

  /** CommandGetXdbcTypeInfo as a stream. */
  getXdbcTypeInfoReader(dataType?: XdbcDataType, options: CallOptions = {}): Promise<FlightStreamReader> {
    return this.#reader('CommandGetXdbcTypeInfo', { dataType }, options);
  }

  /** Sends `kind` through GetFlightInfo (the one place commands become descriptors). */
  protected infoFor<K extends CommandKind>(
    kind: K,
    message: Partial<CommandMessage<K>>,
    options: CallOptions,
  ): Promise<FlightInfo> {
    return this.flight.getFlightInfo({ type: 'cmd', cmd: packCommand(kind, message) }, options);
  }

  /**
   * The whole result of `info`, across all its endpoints: in order when `info.ordered`, else a
   * few at once; each endpoint's locations are followed (with failover).
   */
  readFlightInfo(info: FlightInfo, options: FlightInfoReaderOptions = {}): FlightInfoReader {
    return new FlightInfoReader(this.flight, info, options);
  }

  /**
   * @internal The `flightsql:query` context of a statement (called only when it is traced):
   * the SQL and command, never parameters or headers.
   */
  _traceContext(
    kind: StatementKind,
    command: string,
    sql: string | undefined,
    options: CallOptions,
    extra?: { readonly table?: string; readonly prepared?: boolean },
  ): () => QueryContext {
    return () => {
      const database = databaseOf(options.headers) ?? this.#database;
      return { kind, sql, command, server: this.flight.location, ...(database && { database }), ...extra };
    };
  }

  // Metadata results are small: the typed form reads every endpoint into one Table.
  async #table<K extends MetadataKind>(
    kind: K,
    message: Partial<CommandMessage<K>>,
    options: CallOptions,
  ): Promise<Table> {
    const info = await traceStatement(
      this._traceContext('metadata', kind, undefined, options),
      async (trace) => {
        const info = await this.infoFor(kind, message, options);
        trace?.expectInfo(info); // the trace ends when the reader below stops
        return info;
      },
    );
    return this.readFlightInfo(info, options).readAll();
  }

  #reader<K extends MetadataKind>(
    kind: K,
    message: Partial<CommandMessage<K>>,
    options: CallOptions,
  ): Promise<FlightStreamReader> {
    return traceStatement(this._traceContext('metadata', kind, undefined, options), async (trace) => {
      const info = await this.infoFor(kind, message, options);
      // Metadata results come in one endpoint from every server we know; the first is read.
      const endpoint = info.endpoints[0];
      if (!endpoint) throw protocolError(`${kind} returned a FlightInfo without endpoints`);
      trace?.expectTickets([endpoint.ticket]); // the trace ends with the stream
      return this.flight.doGet(endpoint.ticket, options);
    });
  }
}

/** The database a set of headers names, read as InfluxDB 3 reads them (`database` first). */
function databaseOf(headers: Readonly<Record<string, string>> | undefined): string | undefined {
  if (!headers) return undefined;
  const byName = new Map(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]));
  for (const name of DATABASE_HEADERS) {
    const value = byName.get(name);
    if (value) return value;
  }
  return undefined;
}

const DATABASE_HEADERS = ['database', 'bucket', 'bucket-name', 'iox-namespace-name'];
