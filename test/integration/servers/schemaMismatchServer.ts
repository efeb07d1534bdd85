/**
 * The SQLite example server (sqliteServer.ts) with FlightInfos whose `schema` is another
 * command's, as Arrow C++'s Flight SQL integration-test server answers GetFlightInfo for
 * CommandGetCrossReference with the GetTableTypes schema; DoGet still streams the right schema
 * and data. FlightSql.proto: clients "must not assume that this schema, if provided, will be
 * accurate"; the stream's own schema is the truth.
 *
 * Variant 'extra-column' also changes the streams: metadata results gain a trailing vendor
 * column, and every stream's fields change nullability where the data allows it (documented
 * not-null fields arrive nullable, nullable fields without nulls arrive not null). A client that
 * reads columns by name and trusts the stream reads the same values.
 */
import {
  RecordBatch,
  Schema,
  Struct,
  Utf8,
  makeData,
  vectorFromArray,
  type Data,
  type Field,
} from 'apache-arrow';
import { encodeSchema, unpackCommand, type CommandKind } from '../../../src/protocol';
import { catalogsSchema, dbSchemasSchema, field, tableTypesSchema } from './flightSqlSchemas';
import type { FlightSqlHandlers } from './grpcService';
import type { StreamResult } from './sqliteBatchReader';
import { startSqliteServer, type SqliteServer, type SqliteServerOptions } from './sqliteServer';

/** The schema each command's FlightInfo carries instead of its own. */
export const FLIGHT_INFO_SCHEMAS: Partial<Record<CommandKind, Schema>> = {
  CommandGetCrossReference: tableTypesSchema,
  CommandGetImportedKeys: tableTypesSchema,
  CommandGetExportedKeys: tableTypesSchema,
  CommandGetPrimaryKeys: catalogsSchema,
  CommandGetTables: dbSchemasSchema,
  CommandGetTableTypes: catalogsSchema,
  CommandGetCatalogs: tableTypesSchema,
  CommandGetDbSchemas: catalogsSchema,
  CommandGetSqlInfo: tableTypesSchema,
  CommandGetXdbcTypeInfo: tableTypesSchema,
  CommandStatementQuery: catalogsSchema,
  CommandPreparedStatementQuery: catalogsSchema,
};

/** The trailing column metadata streams gain in the 'extra-column' variant. */
export const EXTRA_COLUMN = 'vendor_extra';

const METADATA_TICKETS = new Set<string>([
  'CommandGetCatalogs',
  'CommandGetDbSchemas',
  'CommandGetTables',
  'CommandGetTableTypes',
  'CommandGetPrimaryKeys',
  'CommandGetImportedKeys',
  'CommandGetExportedKeys',
  'CommandGetCrossReference',
  'CommandGetSqlInfo',
  'CommandGetXdbcTypeInfo',
]);

export type MismatchVariant = 'other-schema' | 'extra-column';

function hasNulls(batches: readonly RecordBatch[], index: number): boolean {
  return batches.some((b) => b.getChildAt(index)!.nullCount > 0);
}

/** The stream of the 'extra-column' variant: nullability flipped where allowed, maybe a vendor column. */
function widened(result: StreamResult, extraColumn: boolean): StreamResult {
  const fields: Field[] = result.schema.fields.map((f, i) =>
    field(f.name, f.type, f.nullable ? hasNulls(result.batches, i) : true, f.metadata),
  );
  if (extraColumn) fields.push(field(EXTRA_COLUMN, new Utf8()));
  const schema = new Schema(fields, result.schema.metadata);
  const batches = result.batches.map((batch) => {
    const children: Data[] = [...batch.data.children];
    if (extraColumn) children.push(vectorFromArray(new Array(batch.numRows).fill('x'), new Utf8()).data[0]!);
    return new RecordBatch(
      schema,
      makeData({ type: new Struct(fields), length: batch.numRows, nullCount: 0, children }),
    );
  });
  return { ...result, schema, batches };
}

/** `base` with FlightInfo schemas swapped (and, for 'extra-column', streams widened). */
export function mismatchHandlers(base: FlightSqlHandlers, variant: MismatchVariant): FlightSqlHandlers {
  return {
    getFlightInfo(descriptor) {
      const info = base.getFlightInfo(descriptor);
      const kind = unpackCommand(descriptor.cmd).kind;
      const other = kind === 'unknown' ? undefined : FLIGHT_INFO_SCHEMAS[kind];
      return other ? { ...info, schema: Buffer.from(encodeSchema(other)) } : info;
    },
    getSchema: (descriptor) => base.getSchema(descriptor),
    doGet(ticket) {
      const result = base.doGet(ticket);
      if (variant !== 'extra-column') return result;
      return widened(result, METADATA_TICKETS.has(unpackCommand(ticket).kind));
    },
    doPut: (input) => base.doPut(input),
    doAction: (action) => base.doAction(action),
    listActions: () => base.listActions(),
  };
}

/** Starts the SQLite example server with mismatched FlightInfo schemas. */
export function startSchemaMismatchServer(
  variant: MismatchVariant = 'other-schema',
  options: SqliteServerOptions = {},
): Promise<SqliteServer> {
  return startSqliteServer({ ...options, wrap: (base) => mismatchHandlers(base, variant) });
}
