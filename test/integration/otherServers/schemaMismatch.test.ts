/**
 * Every layer against servers whose FlightInfo `schema` is another command's (as Arrow C++'s
 * integration-test server answers CommandGetCrossReference with the GetTableTypes schema) while
 * DoGet streams the right schema and data; in the 'extra-column' variant the streams also carry
 * a trailing vendor column (metadata) and other nullability than documented. FlightSql.proto:
 * clients "must not assume that this schema, if provided, will be accurate".
 */
import knex, { type Knex } from 'knex';
import FlightSQLDialect, { reflect } from '../../../dialect';
import { FlightSQLClient, SqlInfo, connect, type Connection } from '../../../src';
import { packCommand } from '../../../src/protocol';
import {
  EXTRA_COLUMN,
  startSchemaMismatchServer,
  type MismatchVariant,
} from '../servers/schemaMismatchServer';
import type { SqliteServer } from '../servers/sqliteServer';

const SETUP = `
  CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
  CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent(id), note varchar(40));
  INSERT INTO parent VALUES (1, 'p1'), (2, 'p2');
  INSERT INTO child VALUES (1, 1, 'a'), (2, 1, NULL), (3, 2, 'c');
`;

const childFk = {
  pkCatalog: null,
  pkDbSchema: null,
  pkTableName: 'parent',
  pkColumnName: 'id',
  fkCatalog: null,
  fkDbSchema: null,
  fkTableName: 'child',
  fkColumnName: 'parent_id',
  keySequence: 0,
  fkKeyName: null,
  pkKeyName: null,
  updateRule: 3,
  deleteRule: 3,
};

describe.each<MismatchVariant>(['other-schema', 'extra-column'])(
  'FlightInfo schema unlike the stream (%s)',
  (variant) => {
    let server: SqliteServer;
    let client: FlightSQLClient;
    let con: Connection;
    let db: Knex;

    beforeAll(async () => {
      server = await startSchemaMismatchServer(variant);
      server.db.exec(SETUP);
      client = new FlightSQLClient({ host: server.location });
      con = await connect(server.location);
      db = knex({ client: FlightSQLDialect, connection: { host: server.location } });
    });

    afterAll(async () => {
      await db.destroy();
      await con.close();
      await client.close();
      await server.close();
    });

    const info = (kind: 'CommandGetCrossReference' | 'CommandGetTables', message: object) =>
      client.flight.getFlightInfo({ type: 'cmd', cmd: packCommand(kind, message) });

    test('the server announces another schema than it streams', async () => {
      const statement = await client.execute('SELECT id, name FROM parent');
      expect(statement.schema.fields.map((f) => f.name)).toEqual(['catalog_name']);
      const crossReference = await info('CommandGetCrossReference', { pkTable: 'parent', fkTable: 'child' });
      expect(crossReference.schema.fields.map((f) => f.name)).toEqual(['table_type']);
      const stream = await client.doGet(crossReference.endpoints[0]!.ticket);
      const table = await stream.readAll();
      expect(table.schema.fields.map((f) => f.name)).toContain('pk_table_name');
      expect(table.schema.fields.some((f) => f.name === EXTRA_COLUMN)).toBe(variant === 'extra-column');
    });

    test('FlightSQLClient: a statement reads as its stream says', async () => {
      const table = await client
        .readFlightInfo(await client.execute('SELECT id, name FROM parent ORDER BY id'))
        .readAll();
      expect(table.schema.fields.map((f) => [f.name, String(f.type)])).toEqual([
        ['id', 'Int64'],
        ['name', 'Utf8'],
      ]);
      expect(table.toArray().map((r) => r.toJSON())).toEqual([
        { id: 1n, name: 'p1' },
        { id: 2n, name: 'p2' },
      ]);
    });

    test('FlightSQLClient: a prepared statement with parameters', async () => {
      const statement = await client.prepare('SELECT id, note FROM child WHERE parent_id = ? ORDER BY id');
      try {
        const table = await client.readFlightInfo(await statement.execute([1n])).readAll();
        expect(table.toArray().map((r) => r.toJSON())).toEqual([
          { id: 1n, note: 'a' },
          { id: 2n, note: null },
        ]);
      } finally {
        await statement.close();
      }
    });

    test('PEP 249: rows and description from the stream', async () => {
      const cur = con.cursor();
      await cur.execute('SELECT id, note FROM child WHERE parent_id = ? ORDER BY id', [1]);
      expect(await cur.fetchall()).toEqual([
        [1n, 'a'],
        [2n, null],
      ]);
      expect(cur.description!.map((d) => d[0])).toEqual(['id', 'note']);
      await cur.execute('SELECT name FROM parent ORDER BY id');
      expect(await cur.fetchall()).toEqual([['p1'], ['p2']]);
    });

    test('metadata: catalogs, tables, table types', async () => {
      expect(await client.getCatalogs()).toEqual(['main']);
      const tables = await client.getTables({ tableTypes: ['table'] });
      expect(tables.map((t) => [t.catalog, t.dbSchema, t.tableName])).toEqual([
        ['main', null, 'child'],
        ['main', null, 'foreignTable'],
        ['main', null, 'intTable'],
        ['main', null, 'parent'],
        ['main', null, 'sqlite_sequence'],
      ]);
      const [child] = await client.getTables({ tableNameFilterPattern: 'child', includeSchema: true });
      expect(child!.tableSchema!.fields.map((f) => [f.name, String(f.type), f.nullable])).toEqual([
        ['id', 'Int64', true],
        ['parent_id', 'Int64', false],
        ['note', 'Utf8', true],
      ]);
      expect(await client.getTableTypes()).toEqual(['table']);
    });

    test('metadata: db schemas (a null name, as the SQLite example sends it)', async () => {
      expect(await client.getDbSchemas()).toEqual([{ catalog: 'main', dbSchema: null }]);
    });

    test('metadata: keys, SqlInfo, XDBC types', async () => {
      expect(await client.getPrimaryKeys({ table: 'child' })).toEqual([
        {
          catalog: null,
          dbSchema: null,
          tableName: 'child',
          columnName: 'id',
          keySequence: 1,
          keyName: null,
        },
      ]);
      expect(await client.getImportedKeys({ table: 'child' })).toEqual([childFk]);
      expect(await client.getExportedKeys({ table: 'parent' })).toEqual([childFk]);
      expect(await client.getCrossReference({ table: 'parent' }, { table: 'child' })).toEqual([childFk]);
      const sqlInfo = await client.getSqlInfo([SqlInfo.FLIGHT_SQL_SERVER_NAME, SqlInfo.SQL_SUPPORTS_CONVERT]);
      expect(sqlInfo).toEqual(
        new Map<number, unknown>([
          [SqlInfo.FLIGHT_SQL_SERVER_NAME, 'db_name'],
          [SqlInfo.SQL_SUPPORTS_CONVERT, new Map([[0, [7]]])],
        ]),
      );
      const types = await client.getXdbcTypeInfo();
      expect(types).toHaveLength(17);
      expect(types[8]).toMatchObject({ typeName: 'integer', dataType: 4, columnSize: 9 });
    });

    test('Knex: builder query with bindings, update count, columnInfo', async () => {
      expect(await db('child').where('parent_id', '>', 1).select('id', 'note')).toEqual([
        { id: 3n, note: 'c' },
      ]);
      expect(await db('parent').where('id', 2).update({ name: 'P2' })).toBe(1);
      expect(await db('child').columnInfo()).toEqual({
        id: { type: 'bigint', maxLength: null, nullable: true, defaultValue: null },
        parent_id: { type: 'bigint', maxLength: null, nullable: false, defaultValue: null },
        note: { type: 'text', maxLength: null, nullable: true, defaultValue: null },
      });
    });

    test('Knex: reflect() with primary and foreign keys', async () => {
      const [child] = await reflect(db, { tables: ['child'] });
      expect(child!.primaryKey.columns).toEqual(['id']);
      expect(child!.foreignKeys).toEqual([
        expect.objectContaining({
          columns: ['parent_id'],
          referencedTable: expect.objectContaining({ name: 'parent' }),
          referencedColumns: ['id'],
        }),
      ]);
    });
  },
);
