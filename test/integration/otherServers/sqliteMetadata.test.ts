/**
 * The metadata calls against a server that behaves as Arrow C++'s SQLite example server
 * (../servers/sqliteServer.ts): catalog 'main' (none before Arrow C++ 11) with null schemas in
 * GetTables, null catalogs and schemas in keys, key sequences from SQLite's pragmas, its SqlInfo
 * and XDBC type rows.
 */
import { type Schema } from 'apache-arrow';
import { FlightSQLClient, SqlInfo } from '../../../src';
import { packCommand } from '../../../src/protocol';
import { KEYED_TABLES } from '../servers/fixtures';
import { startSqliteServer, type SqliteServer } from '../servers/sqliteServer';

let server: SqliteServer;
let client: FlightSQLClient;

beforeAll(async () => {
  server = await startSqliteServer();
  server.db.exec(KEYED_TABLES);
  client = new FlightSQLClient({ host: server.location });
});

afterAll(async () => {
  await client.close();
  await server.close();
});

describe('metadata', () => {
  test('getCatalogs: main', async () => {
    expect(await client.getCatalogs()).toEqual(['main']);
  });

  test("getDbSchemas: one unnamed schema of 'main', none for another pattern", async () => {
    // Arrow C++ sends a null db_schema_name here (in a column it declares not null).
    expect(await client.getDbSchemas()).toEqual([{ catalog: 'main', dbSchema: null }]);
    expect(await client.getDbSchemas({ dbSchemaFilterPattern: 'x%' })).toEqual([]);
  });

  test("getTables: catalog 'main', null schema, everything in sqlite_master", async () => {
    const tables = await client.getTables();
    expect(tables.map((t) => [t.tableName, t.tableType])).toEqual([
      ['child', 'table'],
      ['child_label', 'index'],
      ['foreignTable', 'table'],
      ['intTable', 'table'],
      ['pair', 'table'],
      ['pair_ref', 'table'],
      ['parent', 'table'],
      ['sqlite_autoindex_pair_1', 'index'],
      ['sqlite_sequence', 'table'],
    ]);
    expect(new Set(tables.map((t) => `${t.catalog}/${t.dbSchema}`))).toEqual(new Set(['main/null']));
    expect(tables.every((t) => t.tableSchema === undefined)).toBe(true);
  });

  test('getTables filters: a db_schema pattern matches nothing, a catalog only main', async () => {
    expect(await client.getTables({ dbSchemaFilterPattern: '%' })).toEqual([]);
    expect(await client.getTables({ catalog: 'other' })).toEqual([]);
    const parents = await client.getTables({
      catalog: 'main',
      tableNameFilterPattern: 'par%',
      tableTypes: ['table'],
    });
    expect(parents.map((t) => t.tableName)).toEqual(['parent']);
  });

  test('getTables with includeSchema: each table as SQLite declares it', async () => {
    const [child] = await client.getTables({ tableNameFilterPattern: 'child', includeSchema: true });
    const schema = child!.tableSchema!;
    expect(schema.fields.map((f) => [f.name, String(f.type), f.nullable])).toEqual([
      ['id', 'Int64', true], // INTEGER PRIMARY KEY: SQLite's pragma says nullable
      ['parent_id', 'Int64', false],
      ['label', 'Utf8', true],
      ['score', 'Float64', true],
      ['data', 'Binary', true],
    ]);
    expect(Object.fromEntries(schema.fields[0]!.metadata)).toEqual({
      'ARROW:FLIGHT:SQL:SCALE': '15',
      'ARROW:FLIGHT:SQL:IS_AUTO_INCREMENT': '0',
      'ARROW:FLIGHT:SQL:IS_READ_ONLY': '0',
      'ARROW:FLIGHT:SQL:TABLE_NAME': 'child',
      'ARROW:FLIGHT:SQL:PRECISION': '10',
    });
    const [index] = await client.getTables({ tableNameFilterPattern: 'child_label', includeSchema: true });
    expect(index!.tableSchema!.fields).toEqual([]);
  });

  test('getTableTypes: the types in sqlite_master', async () => {
    expect((await client.getTableTypes()).sort()).toEqual(['index', 'table']);
  });

  test('getPrimaryKeys: key columns in order, null catalog and schema', async () => {
    expect(await client.getPrimaryKeys({ table: 'pair' })).toEqual([
      { catalog: null, dbSchema: null, tableName: 'pair', columnName: 'a', keySequence: 1, keyName: null },
      { catalog: null, dbSchema: null, tableName: 'pair', columnName: 'b', keySequence: 2, keyName: null },
    ]);
    // The keys' catalog is null, so naming one (even the 'main' GetTables reports) matches nothing.
    expect(await client.getPrimaryKeys({ table: 'pair', catalog: 'main' })).toEqual([]);
  });

  const childFk = {
    pkCatalog: null,
    pkDbSchema: null,
    pkTableName: 'parent',
    pkColumnName: 'id',
    fkCatalog: null,
    fkDbSchema: null,
    fkTableName: 'child',
    fkColumnName: 'parent_id',
    keySequence: 0, // pragma_foreign_key_list's seq, as Arrow C++ sends it
    fkKeyName: null,
    pkKeyName: null,
    updateRule: 3, // NO ACTION
    deleteRule: 0, // CASCADE
  };

  test('getImportedKeys / getExportedKeys / getCrossReference of tables without catalog or schema', async () => {
    expect(await client.getImportedKeys({ table: 'child' })).toEqual([childFk]);
    expect(await client.getExportedKeys({ table: 'parent' })).toEqual([childFk]);
    expect(await client.getCrossReference({ table: 'parent' }, { table: 'child' })).toEqual([childFk]);
    expect(await client.getCrossReference({ table: 'child' }, { table: 'parent' })).toEqual([]);
    const composite = await client.getImportedKeys({ table: 'pair_ref' });
    expect(composite.map((k) => [k.fkColumnName, k.pkTableName, k.pkColumnName, k.keySequence])).toEqual([
      ['pa', 'pair', 'a', 0],
      ['pb', 'pair', 'b', 1],
    ]);
  });

  test('getSqlInfo: the values of sqlite_sql_info.cc, each in its union member', async () => {
    const info = await client.getSqlInfo();
    expect(info.get(SqlInfo.FLIGHT_SQL_SERVER_NAME)).toBe('db_name');
    expect(info.get(SqlInfo.FLIGHT_SQL_SERVER_VERSION)).toBe('sqlite 3');
    expect(info.get(SqlInfo.FLIGHT_SQL_SERVER_READ_ONLY)).toBe(false);
    expect(info.get(SqlInfo.FLIGHT_SQL_SERVER_TRANSACTION)).toBe(1);
    expect(info.get(SqlInfo.SQL_DDL_CATALOG)).toBe(false);
    expect(info.get(SqlInfo.SQL_IDENTIFIER_CASE)).toBe(1n);
    expect(info.get(SqlInfo.SQL_IDENTIFIER_QUOTE_CHAR)).toBe('"');
    expect(info.get(SqlInfo.SQL_NULL_ORDERING)).toBe(2n);
    expect(info.get(SqlInfo.SQL_KEYWORDS)).toEqual(expect.arrayContaining(['ABORT', 'SELECT', 'WITHOUT']));
    expect(info.get(SqlInfo.SQL_STRING_FUNCTIONS)).toEqual(
      'SUBSTR TRIM LTRIM RTRIM LENGTH REPLACE UPPER LOWER INSTR'.split(' '),
    );
    expect(info.get(SqlInfo.SQL_SUPPORTS_CONVERT)).toEqual(new Map([[0, [7]]]));
    expect(info.size).toBe(20);
    expect(await client.getSqlInfo([SqlInfo.FLIGHT_SQL_SERVER_NAME])).toEqual(
      new Map([[SqlInfo.FLIGHT_SQL_SERVER_NAME, 'db_name']]),
    );
    await expect(client.getSqlInfo([SqlInfo.SQL_SEARCH_STRING_ESCAPE])).rejects.toThrow(
      `No information for SQL info number ${SqlInfo.SQL_SEARCH_STRING_ESCAPE}`,
    );
  });

  test('getXdbcTypeInfo: the 17 types of sqlite_type_info.cc, or those of one data type', async () => {
    const all = await client.getXdbcTypeInfo();
    expect(all.map((t) => t.typeName)).toEqual([
      'bit',
      'tinyint',
      'bigint',
      'longvarbinary',
      'varbinary',
      'text',
      'longvarchar',
      'char',
      'integer',
      'smallint',
      'float',
      'double',
      'numeric',
      'varchar',
      'date',
      'time',
      'timestamp',
    ]);
    expect(all[5]).toMatchObject({
      typeName: 'text',
      dataType: -1,
      columnSize: 65536,
      literalPrefix: "'",
      literalSuffix: "'",
      createParams: ['length'],
      nullable: 1,
      caseSensitive: false,
      searchable: 3,
    });
    expect((await client.getXdbcTypeInfo(4)).map((t) => t.typeName)).toEqual(['integer']);
    expect((await client.getXdbcTypeInfo(-1)).map((t) => t.typeName)).toEqual(['text', 'longvarchar']);
    expect(await client.getXdbcTypeInfo(3)).toEqual([]);
  });

  test('GetSchema of a metadata command is its documented schema', async () => {
    const schema: Schema = await client.flight.getSchema({
      type: 'cmd',
      cmd: packCommand('CommandGetTableTypes', {}),
    });
    expect(schema.fields.map((f) => [f.name, f.nullable])).toEqual([['table_type', false]]);
  });
});

describe('metadata of the example of Arrow C++ 10 and older (null catalogs)', () => {
  let legacy: SqliteServer;
  let legacyClient: FlightSQLClient;

  beforeAll(async () => {
    legacy = await startSqliteServer({ legacyCatalogs: true });
    legacyClient = new FlightSQLClient({ host: legacy.location });
  });

  afterAll(async () => {
    await legacyClient.close();
    await legacy.close();
  });

  test('no catalogs, no db schemas', async () => {
    expect(await legacyClient.getCatalogs()).toEqual([]);
    expect(await legacyClient.getDbSchemas()).toEqual([]);
  });

  test('getTables: null catalog and schema; any catalog or schema filter matches nothing', async () => {
    expect(await legacyClient.getTables()).toEqual([
      { catalog: null, dbSchema: null, tableName: 'foreignTable', tableType: 'table' },
      { catalog: null, dbSchema: null, tableName: 'intTable', tableType: 'table' },
      { catalog: null, dbSchema: null, tableName: 'sqlite_sequence', tableType: 'table' },
    ]);
    expect(await legacyClient.getTables({ catalog: '' })).toEqual([]);
    expect(await legacyClient.getTables({ catalog: 'main' })).toEqual([]);
    expect(await legacyClient.getTables({ dbSchemaFilterPattern: '%' })).toEqual([]);
  });

  test('keys of a table with a null catalog: found when the catalog is left out', async () => {
    expect(await legacyClient.getPrimaryKeys({ table: 'intTable' })).toEqual([
      {
        catalog: null,
        dbSchema: null,
        tableName: 'intTable',
        columnName: 'id',
        keySequence: 1,
        keyName: null,
      },
    ]);
    expect(await legacyClient.getPrimaryKeys({ table: 'intTable', catalog: '' })).toEqual([]);
    const [fk] = await legacyClient.getImportedKeys({ table: 'intTable' });
    expect(fk).toMatchObject({ pkTableName: 'foreignTable', pkColumnName: 'id', fkColumnName: 'foreignId' });
  });
});
