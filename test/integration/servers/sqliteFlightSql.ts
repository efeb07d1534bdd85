/**
 * Arrow C++'s SQLiteFlightSqlServer (cpp/src/arrow/flight/sql/example/sqlite_server.cc) with the
 * dispatch of FlightSqlServerBase (cpp/src/arrow/flight/sql/server.cc), over sql.js.
 *
 * Where it differs from the example, and why:
 * - One SQLite connection (sql.js has no shared-cache URIs): a transaction is BEGIN on it, so
 *   statements outside the transaction see its changes (Arrow C++ gives each transaction its
 *   own connection), and only one transaction is open at a time.
 * - Parameter batches are checked against the declared parameter schema (Arrow C++'s
 *   integration-test server's `Wrong schema for DoPutPreparedStatementQuery: expected "…",
 *   got "…"`), unless `strictParameterSchema: false`; the example itself checks only the column
 *   count.
 * - A SQLite error other than SQLITE_ERROR (a constraint, say) fails the call; the example
 *   retries the step forever on an update and ends a query's stream early.
 * - SqlInfo without ids lists them in ascending order (Arrow C++ walks an unordered_map).
 * - sql.js gaps: see sqliteStatement.ts.
 * `legacyCatalogs` gives the catalogs of the example of Arrow C++ 10 and older (see
 * sqliteMetadata.ts); its binding, which that version did otherwise, stays as today's.
 */
import { Schema, type Field } from 'apache-arrow';
import * as pb from '../../../src/proto/Flight';
import * as sql from '../../../src/proto/FlightSql';
import { encodeSchema, packCommand, unpackCommand, type Command } from '../../../src/protocol';
import { Status } from './arrowStatus';
import { schemaText, schemasEqual } from './arrowText';
import {
  field,
  foreignKeysSchema,
  metadataSchema,
  primaryKeysSchema,
  sqlInfoSchema,
  tableTypesSchema,
  unknownColumnType,
  xdbcTypeInfoSchema,
} from './flightSqlSchemas';
import type { FlightSqlHandlers, PutInput } from './grpcService';
import { SqliteStatementBatchReader, type StreamResult } from './sqliteBatchReader';
import { sqlInfoBatch, xdbcTypeInfoBatch } from './sqliteInfo';
import {
  catalogsResult,
  dbSchemasResult,
  foreignKeysQuery,
  keyFilter,
  primaryKeysQuery,
  queryResult,
  tablesResult,
} from './sqliteMetadata';
import type { SqliteEngine } from './sqliteApi';
import { SqliteStatement } from './sqliteStatement';

/** Options of the emulated server. */
export interface SqliteFlightSqlOptions {
  /** Refuse parameter batches whose schema is not the declared one (default true). */
  readonly strictParameterSchema?: boolean;
  /**
   * Catalogs as the example of Arrow C++ 10 and older had them (before ARROW-17867): none from
   * GetCatalogs and GetDbSchemas, a null catalog for every table (default false: 'main').
   */
  readonly legacyCatalogs?: boolean;
  /**
   * Declares parameter `index` (named `name` by SQLite) as this field instead of the example's
   * nullable dense union; e.g. `id: int64` as Arrow C++'s integration-test server declares it.
   * Binding takes the types Arrow C++'s Bind takes (int32, int64, float, double, utf8).
   */
  readonly parameterField?: (name: string, index: number) => Field;
}

const text = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString('utf8');

/** Arrow C++'s `GenerateRandomString`: 16 characters of 0-9 and A-Z. */
function randomHandle(): string {
  const chars = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return Array.from({ length: 16 }, () => chars[Math.floor(Math.random() * chars.length)]).join('');
}

/** The FlightInfo of `GetFlightInfoForCommand`: one endpoint whose ticket is the command. */
function infoFor(
  descriptor: pb.FlightDescriptor,
  schema: Schema,
  ticket: Uint8Array = descriptor.cmd,
): pb.FlightInfo {
  return {
    schema: Buffer.from(encodeSchema(schema)),
    flightDescriptor: descriptor,
    endpoint: [{ ticket: { ticket: Buffer.from(ticket) }, location: [], appMetadata: Buffer.alloc(0) }],
    totalRecords: -1n,
    totalBytes: -1n,
    ordered: false,
    appMetadata: Buffer.alloc(0),
  };
}

function parse(bytes: Uint8Array, what: string): Command {
  try {
    return unpackCommand(bytes);
  } catch {
    throw Status.invalid(what);
  }
}

const typeUrl = (command: Command) =>
  command.kind === 'unknown'
    ? command.typeUrl
    : `type.googleapis.com/arrow.flight.protocol.sql.${command.kind}`;

/** The SQLite example server's handlers. */
export class SqliteFlightSql implements FlightSqlHandlers {
  readonly #engine: SqliteEngine;
  readonly #strict: boolean;
  readonly #legacyCatalogs: boolean;
  readonly #parameterField: (name: string, index: number) => Field;
  readonly #prepared = new Map<string, SqliteStatement>();
  #transaction: string | undefined;

  constructor(engine: SqliteEngine, options: SqliteFlightSqlOptions = {}) {
    this.#engine = engine;
    this.#strict = options.strictParameterSchema ?? true;
    this.#legacyCatalogs = options.legacyCatalogs ?? false;
    this.#parameterField = options.parameterField ?? ((name) => field(name, unknownColumnType()));
  }

  getFlightInfo(descriptor: pb.FlightDescriptor): pb.FlightInfo {
    const command = parse(descriptor.cmd, 'Unable to parse command');
    const metadata = metadataSchema(command);
    if (metadata) return infoFor(descriptor, metadata);
    switch (command.kind) {
      case 'CommandStatementQuery': {
        const { query, transactionId } = command.message;
        const txn = this.#connection(transactionId);
        const statement = SqliteStatement.create(this.#engine, query);
        try {
          const schema = statement.getSchema();
          const ticket = packCommand('TicketStatementQuery', {
            statementHandle: Buffer.from(`${txn}:${query}`),
          });
          return infoFor(descriptor, schema, ticket);
        } finally {
          statement.free();
        }
      }
      case 'CommandPreparedStatementQuery':
        return infoFor(
          descriptor,
          this.#statement(command.message.preparedStatementHandle, 'Invalid').getSchema(),
        );
      case 'CommandStatementSubstraitPlan':
        throw Status.notImplemented('GetFlightInfoSubstraitPlan not implemented');
      default:
        throw Status.invalid('The defined request is invalid.');
    }
  }

  getSchema(descriptor: pb.FlightDescriptor): pb.SchemaResult {
    const command = parse(descriptor.cmd, 'Unable to parse command');
    const metadata = metadataSchema(command);
    if (metadata) return { schema: Buffer.from(encodeSchema(metadata)) };
    switch (command.kind) {
      case 'CommandStatementQuery':
        throw Status.notImplemented('GetSchemaStatement not implemented');
      case 'CommandStatementSubstraitPlan':
        throw Status.notImplemented('GetSchemaSubstraitPlan not implemented');
      case 'CommandPreparedStatementQuery':
        throw Status.notImplemented('GetSchemaPreparedStatement not implemented');
      default:
        throw Status.notImplemented(`Command not recognized: ${typeUrl(command)}`);
    }
  }

  doGet(ticket: Uint8Array): StreamResult {
    const command = parse(ticket, 'Unable to parse ticket');
    const engine = this.#engine;
    switch (command.kind) {
      case 'TicketStatementQuery': {
        const handle = text(command.message.statementHandle);
        const divider = handle.indexOf(':');
        if (divider < 0) throw Status.invalid('Malformed ticket');
        this.#connection(Buffer.from(handle.slice(0, divider)));
        const statement = SqliteStatement.create(engine, handle.slice(divider + 1));
        try {
          return SqliteStatementBatchReader.create(statement).readAll();
        } finally {
          statement.free();
        }
      }
      case 'CommandPreparedStatementQuery': {
        const statement = this.#statement(command.message.preparedStatementHandle, 'Invalid');
        return SqliteStatementBatchReader.create(statement).readAll();
      }
      case 'CommandGetCatalogs':
        return catalogsResult(this.#legacyCatalogs);
      case 'CommandGetDbSchemas':
        return dbSchemasResult(command.message, this.#legacyCatalogs);
      case 'CommandGetTables':
        return tablesResult(engine, command.message, this.#legacyCatalogs);
      case 'CommandGetTableTypes':
        return queryResult(engine, 'SELECT DISTINCT type as table_type FROM sqlite_master', tableTypesSchema);
      case 'CommandGetXdbcTypeInfo':
        return { schema: xdbcTypeInfoSchema, batches: [xdbcTypeInfoBatch(command.message.dataType)] };
      case 'CommandGetSqlInfo':
        return { schema: sqlInfoSchema, batches: [sqlInfoBatch(command.message.info)] };
      case 'CommandGetPrimaryKeys':
        return queryResult(engine, primaryKeysQuery(command.message), primaryKeysSchema);
      case 'CommandGetImportedKeys':
        return queryResult(engine, foreignKeysQuery(keyFilter('fk', command.message)), foreignKeysSchema);
      case 'CommandGetExportedKeys':
        return queryResult(engine, foreignKeysQuery(keyFilter('pk', command.message)), foreignKeysSchema);
      case 'CommandGetCrossReference': {
        const m = command.message;
        const filter = `${keyFilter('pk', { catalog: m.pkCatalog, dbSchema: m.pkDbSchema, table: m.pkTable })} AND ${keyFilter(
          'fk',
          { catalog: m.fkCatalog, dbSchema: m.fkDbSchema, table: m.fkTable },
        )}`;
        return queryResult(engine, foreignKeysQuery(filter), foreignKeysSchema);
      }
      default:
        throw Status.invalid('The defined request is invalid.');
    }
  }

  doPut({ descriptor, schema, batches }: PutInput): pb.PutResult[] {
    const command = parse(descriptor.cmd, 'Unable to parse command');
    const updated = (count: number): pb.PutResult[] => [
      { appMetadata: Buffer.from(sql.DoPutUpdateResult.encode({ recordCount: BigInt(count) }).finish()) },
    ];
    switch (command.kind) {
      case 'CommandStatementUpdate': {
        this.#connection(command.message.transactionId);
        const statement = SqliteStatement.create(this.#engine, command.message.query);
        try {
          return updated(statement.executeUpdate());
        } finally {
          statement.free();
        }
      }
      case 'CommandPreparedStatementQuery': {
        const statement = this.#statement(command.message.preparedStatementHandle, 'KeyError');
        this.#checkParameters('DoPutPreparedStatementQuery', statement, schema);
        statement.setParameters(batches);
        return [];
      }
      case 'CommandPreparedStatementUpdate': {
        const statement = this.#statement(command.message.preparedStatementHandle, 'KeyError');
        this.#checkParameters('DoPutPreparedStatementUpdate', statement, schema);
        if (statement.parameterCount === 0) return updated(statement.executeUpdate());
        let count = 0;
        for (const batch of batches) {
          if (batch.numRows === 0) continue;
          statement.setParameters([batch]);
          for (let row = 0; row < batch.numRows; row++) {
            statement.clearBindings();
            statement.bind(0, row);
            count += statement.executeUpdate();
            statement.reset();
          }
        }
        return updated(count);
      }
      case 'CommandStatementSubstraitPlan':
        throw Status.notImplemented('DoPutCommandSubstraitPlan not implemented');
      case 'CommandStatementIngest':
        throw Status.notImplemented('DoPutCommandStatementIngest not implemented');
      default:
        throw Status.notImplemented(`Command not recognized: ${typeUrl(command)}`);
    }
  }

  doAction(action: pb.Action): Uint8Array[] {
    const body = () => parse(action.body, `Unable to unpack ${action.type} request`);
    switch (action.type) {
      case 'CreatePreparedStatement': {
        const request = body();
        if (request.kind !== 'ActionCreatePreparedStatementRequest')
          throw Status.invalid('Unable to unpack request');
        this.#connection(request.message.transactionId);
        const statement = SqliteStatement.create(this.#engine, request.message.query);
        const handle = randomHandle();
        this.#prepared.set(handle, statement);
        const datasetSchema = statement.getSchema();
        const parameterSchema = this.#parameterSchema(statement);
        return [
          packCommand('ActionCreatePreparedStatementResult', {
            preparedStatementHandle: Buffer.from(handle),
            datasetSchema: Buffer.from(encodeSchema(datasetSchema)),
            parameterSchema: Buffer.from(encodeSchema(parameterSchema)),
          }),
        ];
      }
      case 'ClosePreparedStatement': {
        const request = body();
        if (request.kind !== 'ActionClosePreparedStatementRequest')
          throw Status.invalid('Unable to unpack request');
        const handle = text(request.message.preparedStatementHandle);
        const statement = this.#prepared.get(handle);
        if (!statement) throw Status.invalid('Prepared statement not found');
        this.#prepared.delete(handle);
        statement.free();
        return [];
      }
      case 'BeginTransaction':
        return [packCommand('ActionBeginTransactionResult', { transactionId: Buffer.from(this.#begin()) })];
      case 'EndTransaction': {
        const request = body();
        if (request.kind !== 'ActionEndTransactionRequest') throw Status.invalid('Unable to unpack request');
        this.#end(request.message);
        return [];
      }
      case 'CancelFlightInfo':
      case 'CancelQuery':
        throw Status.notImplemented('CancelFlightInfo not implemented');
      case 'RenewFlightEndpoint':
      case 'BeginSavepoint':
      case 'EndSavepoint':
      case 'CreatePreparedSubstraitPlan':
      case 'SetSessionOptions':
      case 'GetSessionOptions':
      case 'CloseSession':
        throw Status.notImplemented(`${action.type} not implemented`);
      default:
        throw Status.notImplemented(`Action not implemented: ${action.type}`);
    }
  }

  listActions(): pb.ActionType[] {
    return [
      'CancelFlightInfo',
      'RenewFlightEndpoint',
      'BeginSavepoint',
      'BeginTransaction',
      'CancelQuery',
      'CreatePreparedStatement',
      'CreatePreparedSubstraitPlan',
      'ClosePreparedStatement',
      'EndSavepoint',
      'EndTransaction',
      'SetSessionOptions',
      'GetSessionOptions',
      'CloseSession',
    ].map((type) => ({ type, description: '' }));
  }

  /** `GetConnection`: the default connection for no transaction; an unknown one is a KeyError. */
  #connection(transactionId: Uint8Array | undefined): string {
    const id = text(transactionId);
    if (id !== '' && id !== this.#transaction) throw Status.keyError(`Unknown transaction ID: ${id}`);
    return id;
  }

  #statement(handle: Uint8Array, kind: 'Invalid' | 'KeyError'): SqliteStatement {
    const statement = this.#prepared.get(text(handle));
    if (statement) return statement;
    throw kind === 'KeyError'
      ? Status.keyError('Prepared statement not found')
      : Status.invalid('Prepared statement not found');
  }

  /** The declared parameters: `dense_union<string, bytes, bigint, double>` each, named as SQLite names them. */
  #parameterSchema(statement: SqliteStatement): Schema {
    return new Schema(
      statement.parameterNames.map((name, i) => this.#parameterField(name ?? `parameter_${i + 1}`, i)),
    );
  }

  #checkParameters(what: string, statement: SqliteStatement, schema: Schema | undefined): void {
    if (!this.#strict || !schema) return;
    const expected = this.#parameterSchema(statement);
    if (!schemasEqual(expected, schema)) {
      throw Status.invalid(
        `Wrong schema for ${what}: expected "${schemaText(expected)}", got "${schemaText(schema)}"`,
      );
    }
  }

  #begin(): string {
    if (this.#transaction !== undefined) {
      throw Status.invalid(
        `Can't open new connection: this server has one SQLite connection and transaction ${this.#transaction} is open`,
      );
    }
    const handle = randomHandle();
    this.#exec('BEGIN TRANSACTION');
    this.#transaction = handle;
    return handle;
  }

  #end(request: sql.ActionEndTransactionRequest): void {
    const id = text(request.transactionId);
    if (request.action === sql.ActionEndTransactionRequest_EndTransaction.END_TRANSACTION_UNSPECIFIED) {
      throw Status.invalid('ActionEndTransactionRequest.action was END_TRANSACTION_UNSPECIFIED');
    }
    if (id !== this.#transaction) throw Status.keyError(`Unknown transaction ID: ${id}`);
    this.#transaction = undefined;
    const commit = request.action === sql.ActionEndTransactionRequest_EndTransaction.END_TRANSACTION_COMMIT;
    this.#exec(commit ? 'COMMIT' : 'ROLLBACK');
  }

  /** `ExecuteSql`: an error is an IOError with SQLite's message. */
  #exec(statement: string): void {
    try {
      this.#engine.db.run(statement);
    } catch (err) {
      throw Status.ioError(err instanceof Error ? err.message : String(err));
    }
  }
}
