import type { DuckDBConnection } from '@duckdb/node-api';
import {
  Dictionary,
  Field,
  Int32,
  Int64,
  Schema,
  SparseUnion,
  Table,
  Type,
  UnionMode,
  Utf8,
  makeBuilder,
  makeData,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
  DenseUnion,
  RecordBatch,
  Struct,
  type Data,
  type DataType,
  type Vector,
} from 'apache-arrow';
import { ProtocolError } from '../../../src/errors';
import { SqlInfo, UpdateDeleteRules, XdbcDataType } from '../../../src/proto/FlightSql';
import { DuckDBEngine } from '../../../src/server/DuckDBEngine';
import { runMetadata, type MetadataCommand, type MetadataKind } from '../../../src/server/metadata';
import { packCommand, unpackCommand, type CommandMessage } from '../../../src/sql/commands';
import {
  crossReferenceMessage,
  dbSchemasMessage,
  decodeCatalogs,
  decodeDbSchemas,
  decodeForeignKeys,
  decodePrimaryKeys,
  decodeSqlInfo,
  decodeTableTypes,
  decodeTables,
  decodeXdbcTypeInfo,
  tableRefMessage,
  tablesMessage,
} from '../../../src/sql/metadata';
import { RowConverter, valueAt } from '../../../src/values';

let engine: DuckDBEngine;
let session: DuckDBConnection;

beforeAll(async () => {
  engine = await DuckDBEngine.create();
  session = await engine.connect();
  await session.run(`
    CREATE SCHEMA sales;
    CREATE TABLE pair(a INTEGER, b VARCHAR, PRIMARY KEY (a, b));
    CREATE TABLE child(id INTEGER PRIMARY KEY, pa INTEGER, pb VARCHAR, FOREIGN KEY (pa, pb) REFERENCES pair(a, b));
    CREATE TABLE sales.orders(order_id BIGINT PRIMARY KEY, amount DECIMAL(10, 2) NOT NULL);
    CREATE VIEW pair_view AS SELECT a FROM pair;
    CREATE TEMP TABLE scratch(t VARCHAR);
  `);
});

afterAll(() => {
  session?.closeSync();
  engine?.close();
});

/** What a client reads: the server function's batches, through IPC, as one Table. */
async function fetch<K extends MetadataKind>(
  kind: K,
  message: Partial<CommandMessage<K>> = {},
): Promise<Table> {
  const command = unpackCommand(packCommand(kind, message)) as MetadataCommand;
  const result = await runMetadata(engine, command, { connection: session });
  return tableFromIPC(tableToIPC(new Table(result.batches)));
}

/**
 * The same result as another server might send it: strings dictionary-encoded, integers
 * 64-bit (bigint), other columns as they were.
 */
function variant(table: Table): Table {
  const converter = new RowConverter(table.schema);
  const vectors: Record<string, Vector> = {};
  table.schema.fields.forEach((field, c) => {
    const values = table.batches.flatMap((b) => converter.column(b, c));
    if (field.type.typeId === Type.Utf8) {
      vectors[field.name] = vectorFromArray(
        values as (string | null)[],
        new Dictionary(new Utf8(), new Int32()),
      );
    } else if (field.type.typeId === Type.Int) {
      vectors[field.name] = vectorFromArray(
        values.map((v) => (v === null ? null : BigInt(v as number))),
        new Int64(),
      );
    } else {
      vectors[field.name] = table.getChild(field.name)!;
    }
  });
  const out = tableFromIPC(tableToIPC(new Table(vectors)));
  expect(out.schema.fields.map((f) => f.name)).toEqual(table.schema.fields.map((f) => f.name));
  return out;
}

describe('decoders over the server results', () => {
  test('decodeCatalogs', async () => {
    const table = await fetch('CommandGetCatalogs');
    expect(decodeCatalogs(table)).toEqual(['memory', 'system', 'temp']);
    expect(decodeCatalogs(variant(table))).toEqual(['memory', 'system', 'temp']);
  });

  test('decodeDbSchemas', async () => {
    const table = await fetch('CommandGetDbSchemas', dbSchemasMessage({ catalog: 'memory' }));
    const expected = [
      { catalog: 'memory', dbSchema: 'main' },
      { catalog: 'memory', dbSchema: 'sales' },
    ];
    expect(decodeDbSchemas(table)).toEqual(expected);
    expect(decodeDbSchemas(variant(table))).toEqual(expected);
    expect(decodeDbSchemas(await fetch('CommandGetDbSchemas', dbSchemasMessage({ catalog: '' })))).toEqual(
      [],
    );
  });

  test('decodeTables, with and without schemas', async () => {
    const plain = await fetch('CommandGetTables', tablesMessage({ catalog: 'memory' }));
    const expected = [
      { catalog: 'memory', dbSchema: 'main', tableName: 'child', tableType: 'TABLE' },
      { catalog: 'memory', dbSchema: 'main', tableName: 'pair', tableType: 'TABLE' },
      { catalog: 'memory', dbSchema: 'main', tableName: 'pair_view', tableType: 'VIEW' },
      { catalog: 'memory', dbSchema: 'sales', tableName: 'orders', tableType: 'TABLE' },
    ];
    expect(decodeTables(plain)).toEqual(expected);
    expect(decodeTables(variant(plain))).toEqual(expected);

    const withSchemas = await fetch(
      'CommandGetTables',
      tablesMessage({
        tableNameFilterPattern: '%r%',
        tableTypes: ['TABLE', 'LOCAL TEMPORARY'],
        includeSchema: true,
      }),
    );
    for (const table of [withSchemas, variant(withSchemas)]) {
      const tables = decodeTables(table);
      expect(tables.map((t) => `${t.catalog}.${t.dbSchema}.${t.tableName}:${t.tableType}`)).toEqual([
        'memory.main.pair:TABLE',
        'memory.sales.orders:TABLE',
        'temp.main.scratch:LOCAL TEMPORARY',
      ]);
      const orders = tables[1]!.tableSchema!;
      expect(orders.fields.map((f) => [f.name, String(f.type), f.nullable])).toEqual([
        ['order_id', 'Int64', false],
        ['amount', 'Decimal[10e+2]', false],
      ]);
      expect(orders.fields[1]!.metadata.get('ARROW:FLIGHT:SQL:TYPE_NAME')).toBe('DECIMAL(10,2)');
      expect(tables[2]!.tableSchema!.fields.map((f) => f.name)).toEqual(['t']);
    }
  });

  test('decodeTableTypes', async () => {
    const table = await fetch('CommandGetTableTypes');
    expect(decodeTableTypes(table)).toEqual(['LOCAL TEMPORARY', 'TABLE', 'VIEW']);
    expect(decodeTableTypes(variant(table))).toEqual(['LOCAL TEMPORARY', 'TABLE', 'VIEW']);
  });

  test('decodePrimaryKeys', async () => {
    const table = await fetch('CommandGetPrimaryKeys', tableRefMessage({ table: 'pair' }));
    const expected = [
      {
        catalog: 'memory',
        dbSchema: 'main',
        tableName: 'pair',
        columnName: 'a',
        keySequence: 1,
        keyName: 'pair_a_b_pkey',
      },
      {
        catalog: 'memory',
        dbSchema: 'main',
        tableName: 'pair',
        columnName: 'b',
        keySequence: 2,
        keyName: 'pair_a_b_pkey',
      },
    ];
    expect(decodePrimaryKeys(table)).toEqual(expected);
    expect(decodePrimaryKeys(variant(table))).toEqual(expected);
    const orders = await fetch(
      'CommandGetPrimaryKeys',
      tableRefMessage({ catalog: 'memory', dbSchema: 'sales', table: 'orders' }),
    );
    expect(decodePrimaryKeys(orders).map((k) => k.columnName)).toEqual(['order_id']);
  });

  test('decodeForeignKeys for exported, imported and cross-reference results', async () => {
    const expected = [1, 2].map((seq) => ({
      pkCatalog: 'memory',
      pkDbSchema: 'main',
      pkTableName: 'pair',
      pkColumnName: seq === 1 ? 'a' : 'b',
      fkCatalog: 'memory',
      fkDbSchema: 'main',
      fkTableName: 'child',
      fkColumnName: seq === 1 ? 'pa' : 'pb',
      keySequence: seq,
      fkKeyName: 'child_pa_pb_a_b_fkey',
      pkKeyName: 'pair_a_b_pkey',
      updateRule: UpdateDeleteRules.NO_ACTION,
      deleteRule: UpdateDeleteRules.NO_ACTION,
    }));
    const exported = await fetch('CommandGetExportedKeys', tableRefMessage({ table: 'pair' }));
    const imported = await fetch('CommandGetImportedKeys', tableRefMessage({ table: 'child' }));
    const cross = await fetch(
      'CommandGetCrossReference',
      crossReferenceMessage({ catalog: 'memory', table: 'pair' }, { dbSchema: 'main', table: 'child' }),
    );
    for (const table of [exported, imported, cross]) {
      expect(decodeForeignKeys(table)).toEqual(expected);
      expect(decodeForeignKeys(variant(table))).toEqual(expected);
    }
    expect(
      decodeForeignKeys(await fetch('CommandGetExportedKeys', tableRefMessage({ table: 'child' }))),
    ).toEqual([]);
  });

  test('decodeSqlInfo: every union member to its JS form', async () => {
    const table = await fetch('CommandGetSqlInfo', {
      info: [
        SqlInfo.FLIGHT_SQL_SERVER_NAME,
        SqlInfo.FLIGHT_SQL_SERVER_READ_ONLY,
        SqlInfo.SQL_MAX_COLUMNS_IN_TABLE,
        SqlInfo.SQL_IDENTIFIER_CASE,
        SqlInfo.SQL_KEYWORDS,
        SqlInfo.SQL_SUPPORTS_CONVERT,
      ],
    });
    const info = decodeSqlInfo(table);
    expect([...info.keys()]).toEqual([0, 3, 548, 503, 508, 517]);
    expect(info.get(SqlInfo.FLIGHT_SQL_SERVER_NAME)).toBe('flightsql embedded (DuckDB)');
    expect(info.get(SqlInfo.FLIGHT_SQL_SERVER_READ_ONLY)).toBe(false);
    expect(info.get(SqlInfo.SQL_MAX_COLUMNS_IN_TABLE)).toBe(0n);
    expect(info.get(SqlInfo.SQL_IDENTIFIER_CASE)).toBe(1);
    expect(info.get(SqlInfo.SQL_KEYWORDS)).toEqual(expect.arrayContaining(['SELECT', 'WHERE']));
    const convert = info.get(SqlInfo.SQL_SUPPORTS_CONVERT) as Map<number, number[]>;
    expect(convert).toBeInstanceOf(Map);
    expect(convert.get(4)).toEqual([3, 4, 11, 16, 19]);
    expect([...convert.keys()]).toHaveLength(20);

    const all = decodeSqlInfo(await fetch('CommandGetSqlInfo'));
    expect(all.get(SqlInfo.SQL_IDENTIFIER_QUOTE_CHAR)).toBe('"');
    expect(all.get(SqlInfo.SQL_NULL_ORDERING)).toBe(3);
    expect(all.size).toBeGreaterThan(60);
  });

  test('decodeXdbcTypeInfo', async () => {
    const table = await fetch('CommandGetXdbcTypeInfo', { dataType: XdbcDataType.XDBC_DECIMAL });
    const expected = [
      {
        typeName: 'DECIMAL',
        dataType: XdbcDataType.XDBC_DECIMAL,
        columnSize: 38,
        literalPrefix: null,
        literalSuffix: null,
        createParams: ['precision', 'scale'],
        nullable: 1,
        caseSensitive: false,
        searchable: 2,
        unsignedAttribute: false,
        fixedPrecScale: false,
        autoIncrement: false,
        localTypeName: null,
        minimumScale: 0,
        maximumScale: 38,
        sqlDataType: XdbcDataType.XDBC_DECIMAL,
        datetimeSubcode: null,
        numPrecRadix: 10,
        intervalPrecision: null,
      },
      expect.objectContaining({ typeName: 'HUGEINT', columnSize: 38, createParams: null, maximumScale: 0 }),
    ];
    expect(decodeXdbcTypeInfo(table)).toEqual(expected);
    expect(decodeXdbcTypeInfo(variant(table))).toEqual(expected);
    const all = decodeXdbcTypeInfo(await fetch('CommandGetXdbcTypeInfo'));
    expect(all.find((t) => t.typeName === 'TIMESTAMP WITH TIME ZONE')).toMatchObject({
      dataType: XdbcDataType.XDBC_TIMESTAMP,
      sqlDataType: XdbcDataType.XDBC_DATETIME,
      datetimeSubcode: 5,
      literalPrefix: "TIMESTAMPTZ '",
    });
  });
});

describe('decodeSqlInfo reads the union by type id', () => {
  /** The server's union column, rebuilt as `makeUnion` says. */
  async function rebuilt(makeUnion: (value: Data<DenseUnion>) => Data): Promise<Table> {
    const table = await fetch('CommandGetSqlInfo', {
      info: [
        SqlInfo.FLIGHT_SQL_SERVER_NAME,
        SqlInfo.SQL_DDL_SCHEMA,
        SqlInfo.SQL_MAX_ROW_SIZE,
        SqlInfo.SQL_SUPPORTED_UNIONS,
        SqlInfo.SQL_KEYWORDS,
        SqlInfo.SQL_SUPPORTS_CONVERT,
      ],
    });
    const batch = table.batches[0]!;
    const names = batch.getChild('info_name')!.data[0]!;
    const value = makeUnion(batch.getChild('value')!.data[0]! as Data<DenseUnion>);
    const schema = new Schema([table.schema.fields[0]!, new Field('value', value.type, true)]);
    const struct = makeData({
      type: new Struct(schema.fields),
      length: names.length,
      nullCount: 0,
      children: [names, value],
    });
    return tableFromIPC(tableToIPC(new Table([new RecordBatch(schema, struct)])));
  }

  const check = (info: Map<number, unknown>) => {
    expect(info.get(SqlInfo.FLIGHT_SQL_SERVER_NAME)).toBe('flightsql embedded (DuckDB)');
    expect(info.get(SqlInfo.SQL_DDL_SCHEMA)).toBe(true);
    expect(info.get(SqlInfo.SQL_MAX_ROW_SIZE)).toBe(0n);
    expect(info.get(SqlInfo.SQL_SUPPORTED_UNIONS)).toBe(3);
    expect(info.get(SqlInfo.SQL_KEYWORDS)).toEqual(expect.arrayContaining(['SELECT']));
    expect((info.get(SqlInfo.SQL_SUPPORTS_CONVERT) as Map<number, number[]>).get(19)).toHaveLength(20);
  };

  test('children in another order (type ids kept) decode the same', async () => {
    const table = await rebuilt((value) => {
      const type = value.type as DenseUnion;
      const order = [5, 4, 3, 2, 1, 0];
      const permuted = new DenseUnion(
        order,
        order.map((id) => type.children[id]!),
      );
      return (makeData as (props: object) => Data)({
        type: permuted,
        length: value.length,
        nullCount: 0,
        typeIds: value.typeIds,
        valueOffsets: value.valueOffsets,
        children: order.map((id) => value.children[id]!),
      });
    });
    expect(Array.from((table.schema.fields[1]!.type as DenseUnion).typeIds)).toEqual([5, 4, 3, 2, 1, 0]);
    check(decodeSqlInfo(table));
  });

  test('a sparse union decodes the same', async () => {
    const table = await rebuilt((value) => {
      const type = value.type as DenseUnion;
      const members = type.children.map((field, id) => {
        const builder = makeBuilder({ type: field.type as DataType, nullValues: [null] });
        for (let i = 0; i < value.length; i++) {
          let cell: unknown = null;
          if (value.typeIds[i] === id) cell = valueAt(value.children[id]!, value.valueOffsets[i]!);
          if (cell !== null && id === 5) {
            cell = new Map(Object.entries(cell as object).map(([k, v]) => [Number(k), v]));
          }
          builder.append(cell as never);
        }
        return builder.finish().flush();
      });
      return (makeData as (props: object) => Data)({
        type: new SparseUnion([0, 1, 2, 3, 4, 5], type.children),
        length: value.length,
        nullCount: 0,
        typeIds: value.typeIds,
        children: members,
      });
    });
    expect((table.schema.fields[1]!.type as SparseUnion).mode).toBe(UnionMode.Sparse);
    check(decodeSqlInfo(table));
  });
});

describe('malformed results', () => {
  test('a missing column is a ProtocolError', () => {
    const table = new Table({ name: vectorFromArray(['x']) });
    expect(() => decodeCatalogs(table)).toThrow(ProtocolError);
    expect(() => decodeCatalogs(table)).toThrow(/no column catalog_name/);
    expect(() => decodeSqlInfo(table)).toThrow(/no column info_name/);
  });

  test('a null in a required field is a ProtocolError', () => {
    const table = new Table({ catalog_name: vectorFromArray(['a', null], new Utf8()) });
    expect(() => decodeCatalogs(table)).toThrow(/null catalog_name/);
  });

  test('an empty result decodes to nothing', async () => {
    expect(decodeTables(await fetch('CommandGetTables', tablesMessage({ catalog: '' })))).toEqual([]);
  });
});

describe('request messages', () => {
  test("undefined and '' stay apart on the wire", () => {
    const any = unpackCommand(packCommand('CommandGetTables', tablesMessage({})));
    expect(any).toMatchObject({
      kind: 'CommandGetTables',
      message: { tableTypes: [], includeSchema: false },
    });
    if (any.kind === 'CommandGetTables') {
      expect(any.message.catalog).toBeUndefined();
      expect(any.message.dbSchemaFilterPattern).toBeUndefined();
    }
    const empty = unpackCommand(
      packCommand(
        'CommandGetTables',
        tablesMessage({ catalog: '', tableTypes: ['VIEW'], includeSchema: true }),
      ),
    );
    expect(empty).toMatchObject({
      kind: 'CommandGetTables',
      message: { catalog: '', tableTypes: ['VIEW'], includeSchema: true },
    });
    const keys = unpackCommand(
      packCommand('CommandGetImportedKeys', tableRefMessage({ dbSchema: '', table: 't' })),
    );
    expect(keys).toMatchObject({ kind: 'CommandGetImportedKeys', message: { dbSchema: '', table: 't' } });
    if (keys.kind === 'CommandGetImportedKeys') expect(keys.message.catalog).toBeUndefined();
    const cross = unpackCommand(
      packCommand(
        'CommandGetCrossReference',
        crossReferenceMessage({ table: 'p' }, { catalog: 'c', table: 'f' }),
      ),
    );
    expect(cross).toMatchObject({
      kind: 'CommandGetCrossReference',
      message: { pkTable: 'p', fkCatalog: 'c', fkTable: 'f' },
    });
    const schemas = unpackCommand(
      packCommand('CommandGetDbSchemas', dbSchemasMessage({ dbSchemaFilterPattern: 'a\\_%' })),
    );
    expect(schemas).toMatchObject({
      kind: 'CommandGetDbSchemas',
      message: { dbSchemaFilterPattern: 'a\\_%' },
    });
  });
});
