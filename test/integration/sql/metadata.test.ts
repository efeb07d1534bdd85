import { createFlightSqlClient } from '@lakehouse-rs/flight-sql-client';
import { tableFromIPC, Type } from 'apache-arrow';
import { SqlInfo } from '../../../src';
import { XdbcDataType } from '../../../src/proto/FlightSql';
import { useServer } from '../fixture';

/** Every metadata command through FlightSQLClient against the embedded server, and through an independent client. */
describe('Flight SQL metadata against the embedded server', () => {
  const fx = useServer();

  beforeAll(async () => {
    await fx.exec(`
      CREATE SCHEMA shop;
      CREATE TABLE shop.customers(id INTEGER PRIMARY KEY, name VARCHAR NOT NULL);
      CREATE TABLE shop.orders(id INTEGER, line INTEGER, customer INTEGER REFERENCES shop.customers(id), total DECIMAL(10,2), PRIMARY KEY (id, line));
      CREATE TABLE shop.a_b(x INTEGER);
      CREATE TABLE shop.axb(x INTEGER);
      CREATE VIEW shop.big_orders AS SELECT * FROM shop.orders WHERE total > 100;`);
  });

  test('getCatalogs and getDbSchemas (with a LIKE pattern)', async () => {
    expect(await fx.client.getCatalogs()).toContain('memory');
    const schemas = await fx.client.getDbSchemas({ catalog: 'memory', dbSchemaFilterPattern: 'sh%' });
    expect(schemas).toEqual([{ catalog: 'memory', dbSchema: 'shop' }]);
    expect(await fx.client.getDbSchemas({ catalog: '' })).toEqual([]);
  });

  test('getTables: patterns with %, _ and an escaped literal, types, and table schemas', async () => {
    const names = (
      await fx.client.getTables({ dbSchemaFilterPattern: 'shop', tableNameFilterPattern: 'a_b' })
    ).map((t) => t.tableName);
    expect(names.sort()).toEqual(['a_b', 'axb']);
    const exact = await fx.client.getTables({
      dbSchemaFilterPattern: 'shop',
      tableNameFilterPattern: 'a\\_b',
    });
    expect(exact.map((t) => t.tableName)).toEqual(['a_b']);
    const views = await fx.client.getTables({ dbSchemaFilterPattern: 'shop', tableTypes: ['VIEW'] });
    expect(views.map((t) => [t.tableName, t.tableType])).toEqual([['big_orders', 'VIEW']]);
    const [orders] = await fx.client.getTables({
      dbSchemaFilterPattern: 'shop',
      tableNameFilterPattern: 'orders',
      includeSchema: true,
    });
    expect(orders!.tableSchema!.fields.map((f) => [f.name, f.typeId])).toEqual([
      ['id', Type.Int],
      ['line', Type.Int],
      ['customer', Type.Int],
      ['total', Type.Decimal],
    ]);
    expect(await fx.client.getTableTypes()).toEqual(expect.arrayContaining(['TABLE', 'VIEW']));
  });

  test('keys: primary, exported, imported and cross reference', async () => {
    const pk = await fx.client.getPrimaryKeys({ dbSchema: 'shop', table: 'orders' });
    expect(pk.map((k) => [k.columnName, k.keySequence])).toEqual([
      ['id', 1],
      ['line', 2],
    ]);
    const exported = await fx.client.getExportedKeys({ dbSchema: 'shop', table: 'customers' });
    expect(exported.map((k) => [k.pkTableName, k.pkColumnName, k.fkTableName, k.fkColumnName])).toEqual([
      ['customers', 'id', 'orders', 'customer'],
    ]);
    const imported = await fx.client.getImportedKeys({ dbSchema: 'shop', table: 'orders' });
    expect(imported).toEqual(exported);
    const cross = await fx.client.getCrossReference(
      { dbSchema: 'shop', table: 'customers' },
      { dbSchema: 'shop', table: 'orders' },
    );
    expect(cross).toEqual(exported);
    expect(await fx.client.getPrimaryKeys({ dbSchema: 'shop', table: 'nope' })).toEqual([]);
  });

  test('getSqlInfo decodes the dense union into plain values', async () => {
    const info = await fx.client.getSqlInfo([
      SqlInfo.FLIGHT_SQL_SERVER_NAME,
      SqlInfo.SQL_IDENTIFIER_QUOTE_CHAR,
      SqlInfo.FLIGHT_SQL_SERVER_READ_ONLY,
    ]);
    expect(info.get(SqlInfo.SQL_IDENTIFIER_QUOTE_CHAR)).toBe('"');
    expect(info.get(SqlInfo.FLIGHT_SQL_SERVER_READ_ONLY)).toBe(false);
    expect(String(info.get(SqlInfo.FLIGHT_SQL_SERVER_NAME))).toMatch(/DuckDB/);
    expect(info.size).toBe(3);
    expect((await fx.client.getSqlInfo()).size).toBeGreaterThan(20);
  });

  test('getXdbcTypeInfo, all and filtered', async () => {
    const all = await fx.client.getXdbcTypeInfo();
    expect(all.map((t) => t.typeName)).toEqual(expect.arrayContaining(['INTEGER', 'VARCHAR', 'TIMESTAMP']));
    const ints = await fx.client.getXdbcTypeInfo(XdbcDataType.XDBC_INTEGER);
    expect(ints.every((t) => t.dataType === XdbcDataType.XDBC_INTEGER)).toBe(true);
    expect(ints.length).toBeGreaterThan(0);
  });

  test('every command also as a stream', async () => {
    const reader = await fx.client.getTablesReader({ dbSchemaFilterPattern: 'shop' });
    expect(reader.schema.fields.map((f) => f.name)).toEqual([
      'catalog_name',
      'db_schema_name',
      'table_name',
      'table_type',
    ]);
    expect((await reader.readAll()).numRows).toBe(5);
    const info = await fx.client.flight
      .getSchema({ type: 'cmd', cmd: new Uint8Array(0) })
      .catch((e: unknown) => e);
    expect(info).toBeInstanceOf(Error);
  });

  test('an independent client (@lakehouse-rs, Rust arrow-flight) reads catalogs, schemas and tables', async () => {
    const client = await createFlightSqlClient({
      host: '127.0.0.1',
      port: fx.server.port,
      tls: false,
      headers: [],
    });
    const catalogs = tableFromIPC(await client.getCatalogs());
    expect(catalogs.getChild('catalog_name')!.toArray()).toContain('memory');
    const schemas = tableFromIPC(await client.getDbSchemas({ dbSchemaFilterPattern: 'shop' }));
    expect(schemas.getChild('db_schema_name')!.get(0)).toBe('shop');
    const tables = tableFromIPC(
      await client.getTables({
        dbSchemaFilterPattern: 'shop',
        tableNameFilterPattern: 'cust%',
        includeSchema: true,
      }),
    );
    expect(tables.getChild('table_name')!.get(0)).toBe('customers');
    expect(tables.schema.fields.map((f) => f.name)).toContain('table_schema');
  });
});
