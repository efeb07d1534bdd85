import type { DuckDBConnection } from '@duckdb/node-api';
import { status } from '@grpc/grpc-js';
import {
  Binary,
  Bool,
  DataType,
  DenseUnion,
  Field,
  Int32,
  Int64,
  List,
  Map_,
  Null,
  Schema,
  Struct,
  Table,
  Type,
  UnionMode,
  Uint32,
  Uint8,
  Utf8,
  tableFromIPC,
  tableToIPC,
} from 'apache-arrow';
import { decodeSchema } from '../../../src/flight/types';
import { SqlInfo, UpdateDeleteRules, XdbcDataType } from '../../../src/proto/FlightSql';
import { DuckDBEngine, StatusError } from '../../../src/server/DuckDBEngine';
import {
  isMetadataCommand,
  metadataSchema,
  runMetadata,
  type MetadataCommand,
  type MetadataKind,
  type MetadataResult,
} from '../../../src/server/metadata';
import { unpackCommand, packCommand } from '../../../src/sql/commands';
import { RowConverter } from '../../../src/values';

let engine: DuckDBEngine;
/** A session: DuckDB's temporary tables belong to one connection. */
let session: DuckDBConnection;

beforeAll(async () => {
  engine = await DuckDBEngine.create();
  session = await engine.connect();
  await session.run(`
    CREATE SCHEMA sales;
    CREATE TABLE parent(id INTEGER PRIMARY KEY, name VARCHAR NOT NULL);
    CREATE TABLE pair(a INTEGER, b VARCHAR, label VARCHAR, PRIMARY KEY (a, b));
    CREATE TABLE child(
      id INTEGER PRIMARY KEY,
      parent_id INTEGER REFERENCES PARENT(ID),
      pa INTEGER,
      pb VARCHAR,
      FOREIGN KEY (pa, pb) REFERENCES pair(a, b));
    CREATE TABLE a_b(x INTEGER);
    CREATE TABLE axb(x INTEGER);
    CREATE TABLE sales.orders(
      order_id BIGINT PRIMARY KEY,
      amount DECIMAL(10, 2) NOT NULL,
      placed TIMESTAMP,
      tags VARCHAR[],
      status ENUM('new', 'done'),
      meta STRUCT(k VARCHAR, v INTEGER),
      "Mixed ""Case""" DOUBLE);
    COMMENT ON COLUMN sales.orders.amount IS 'in euros';
    CREATE TABLE sales.lines(order_id BIGINT REFERENCES sales.orders(order_id), line INTEGER, PRIMARY KEY (order_id, line));
    CREATE VIEW parent_names AS SELECT name FROM parent;
    CREATE TABLE gone(x INTEGER);
    CREATE VIEW broken AS SELECT x FROM gone;
    DROP TABLE gone;
    CREATE TEMP TABLE scratch(t VARCHAR NOT NULL);
  `);
});

afterAll(() => {
  session?.closeSync();
  engine?.close();
});

/** Runs `kind` with `message` on the session connection. */
function run<K extends MetadataKind>(
  kind: K,
  message: Partial<Extract<MetadataCommand, { kind: K }>['message']> = {},
): Promise<MetadataResult> {
  // Through the wire form, as the service receives it (proto defaults filled in).
  const command = unpackCommand(packCommand(kind, message as never)) as MetadataCommand;
  return runMetadata(engine, command, { connection: session });
}

/** A field as text, recursively: `name: type [not null] <children>`. */
function describe_(field: Field): string {
  return `${field.name}: ${typeText(field.type)}${field.nullable ? '' : ' not null'}`;
}

function typeText(type: DataType): string {
  const children = (type.children ?? []) as Field[];
  if (children.length === 0) return String(type);
  let name = Type[type.typeId];
  if (type.typeId === Type.Union) {
    const union = type as DenseUnion;
    name = `${union.mode === UnionMode.Dense ? 'DenseUnion' : 'SparseUnion'}[${Array.from(union.typeIds).join(',')}]`;
  }
  return `${name}<${children.map(describe_).join(', ')}>`;
}

function schemaText(schema: Schema): string[] {
  return schema.fields.map(describe_);
}

/** The result after an IPC round trip, as plain row objects (checks the schema survives). */
function rowsOf(result: MetadataResult): Record<string, unknown>[] {
  for (const batch of result.batches) expect(schemaText(batch.schema)).toEqual(schemaText(result.schema));
  const table = tableFromIPC(tableToIPC(new Table(result.schema, result.batches)));
  expect(schemaText(table.schema)).toEqual(schemaText(result.schema));
  const converter = new RowConverter(table.schema, { rowMode: 'object' });
  return table.batches.flatMap((b) => converter.rows(b) as Record<string, unknown>[]);
}

const utf8 = (name: string, nullable = true) => new Field(name, new Utf8(), nullable);
const int32 = (name: string, nullable = true) => new Field(name, new Int32(), nullable);

/** Written out by hand from the comments of FlightSql.proto. */
const PROTO = {
  CommandGetCatalogs: new Schema([utf8('catalog_name', false)]),
  CommandGetDbSchemas: new Schema([utf8('catalog_name'), utf8('db_schema_name', false)]),
  CommandGetTables: new Schema([
    utf8('catalog_name'),
    utf8('db_schema_name'),
    utf8('table_name', false),
    utf8('table_type', false),
  ]),
  CommandGetTableTypes: new Schema([utf8('table_type', false)]),
  CommandGetPrimaryKeys: new Schema([
    utf8('catalog_name'),
    utf8('db_schema_name'),
    utf8('table_name', false),
    utf8('column_name', false),
    utf8('key_name'),
    int32('key_sequence', false),
  ]),
  keys: new Schema([
    utf8('pk_catalog_name'),
    utf8('pk_db_schema_name'),
    utf8('pk_table_name', false),
    utf8('pk_column_name', false),
    utf8('fk_catalog_name'),
    utf8('fk_db_schema_name'),
    utf8('fk_table_name', false),
    utf8('fk_column_name', false),
    int32('key_sequence', false),
    utf8('fk_key_name'),
    utf8('pk_key_name'),
    new Field('update_rule', new Uint8(), false),
    new Field('delete_rule', new Uint8(), false),
  ]),
  CommandGetSqlInfo: new Schema([
    new Field('info_name', new Uint32(), false),
    new Field(
      'value',
      new DenseUnion(
        [0, 1, 2, 3, 4, 5],
        [
          utf8('string_value'),
          new Field('bool_value', new Bool(), true),
          new Field('bigint_value', new Int64(), true),
          int32('int32_bitmask'),
          new Field('string_list', new List(utf8('string_data')), true),
          new Field(
            'int32_to_int32_list_map',
            new Map_(
              new Field(
                'entries',
                new Struct<any>([int32('key', false), new Field('value', new List(int32('$data$')), true)]),
                false,
              ),
            ),
            true,
          ),
        ],
      ),
      true,
    ),
  ]),
  CommandGetXdbcTypeInfo: new Schema([
    utf8('type_name', false),
    int32('data_type', false),
    int32('column_size'),
    utf8('literal_prefix'),
    utf8('literal_suffix'),
    new Field('create_params', new List(utf8('item', false)), true),
    int32('nullable', false),
    new Field('case_sensitive', new Bool(), false),
    int32('searchable', false),
    new Field('unsigned_attribute', new Bool(), true),
    new Field('fixed_prec_scale', new Bool(), false),
    new Field('auto_increment', new Bool(), true),
    utf8('local_type_name'),
    int32('minimum_scale'),
    int32('maximum_scale'),
    int32('sql_data_type', false),
    int32('datetime_subcode'),
    int32('num_prec_radix'),
    int32('interval_precision'),
  ]),
};
const TABLES_WITH_SCHEMA = new Schema([
  ...PROTO.CommandGetTables.fields,
  new Field('table_schema', new Binary(), false),
]);

describe('metadataSchema', () => {
  test.each([
    ['CommandGetCatalogs', PROTO.CommandGetCatalogs],
    ['CommandGetDbSchemas', PROTO.CommandGetDbSchemas],
    ['CommandGetTables', PROTO.CommandGetTables],
    ['CommandGetTableTypes', PROTO.CommandGetTableTypes],
    ['CommandGetPrimaryKeys', PROTO.CommandGetPrimaryKeys],
    ['CommandGetExportedKeys', PROTO.keys],
    ['CommandGetImportedKeys', PROTO.keys],
    ['CommandGetCrossReference', PROTO.keys],
    ['CommandGetSqlInfo', PROTO.CommandGetSqlInfo],
    ['CommandGetXdbcTypeInfo', PROTO.CommandGetXdbcTypeInfo],
  ] as [MetadataKind, Schema][])('%s is the proto schema', (kind, expected) => {
    expect(schemaText(metadataSchema(kind))).toEqual(schemaText(expected));
  });

  test('GetTables with include_schema adds table_schema: binary not null', () => {
    const command = unpackCommand(
      packCommand('CommandGetTables', { includeSchema: true }),
    ) as MetadataCommand;
    expect(schemaText(metadataSchema(command))).toEqual(schemaText(TABLES_WITH_SCHEMA));
    const without = unpackCommand(packCommand('CommandGetTables', {})) as MetadataCommand;
    expect(schemaText(metadataSchema(without))).toEqual(schemaText(PROTO.CommandGetTables));
  });

  test('isMetadataCommand tells metadata commands apart', () => {
    expect(isMetadataCommand(unpackCommand(packCommand('CommandGetCatalogs', {})))).toBe(true);
    expect(isMetadataCommand(unpackCommand(packCommand('CommandStatementQuery', { query: 'x' })))).toBe(
      false,
    );
  });
});

describe('GetCatalogs', () => {
  test("lists DuckDB's databases, internal ones included, ordered", async () => {
    const result = await run('CommandGetCatalogs');
    expect(schemaText(result.schema)).toEqual(schemaText(PROTO.CommandGetCatalogs));
    expect(rowsOf(result)).toEqual([
      { catalog_name: 'memory' },
      { catalog_name: 'system' },
      { catalog_name: 'temp' },
    ]);
  });
});

describe('GetDbSchemas', () => {
  const pairs = async (message: { catalog?: string; dbSchemaFilterPattern?: string }) =>
    rowsOf(await run('CommandGetDbSchemas', message)).map((r) => `${r.catalog_name}.${r.db_schema_name}`);

  test('every schema, ordered by catalog then schema', async () => {
    const result = await run('CommandGetDbSchemas');
    expect(schemaText(result.schema)).toEqual(schemaText(PROTO.CommandGetDbSchemas));
    expect(await pairs({})).toEqual([
      'memory.main',
      'memory.sales',
      'system.information_schema',
      'system.main',
      'system.pg_catalog',
      'temp.main',
    ]);
  });

  test('catalog filter and LIKE patterns', async () => {
    expect(await pairs({ catalog: 'memory' })).toEqual(['memory.main', 'memory.sales']);
    expect(await pairs({ dbSchemaFilterPattern: 's%' })).toEqual(['memory.sales']);
    expect(await pairs({ dbSchemaFilterPattern: '_ain' })).toEqual([
      'memory.main',
      'system.main',
      'temp.main',
    ]);
    expect(await pairs({ catalog: 'system', dbSchemaFilterPattern: '%\\_%' })).toEqual([
      'system.information_schema',
      'system.pg_catalog',
    ]);
  });

  test("catalog '' (schemas without a catalog) is empty: DuckDB has none", async () => {
    const result = await run('CommandGetDbSchemas', { catalog: '' });
    expect(result.batches).toHaveLength(1);
    expect(rowsOf(result)).toEqual([]);
  });
});

describe('GetTables', () => {
  const names = async (message: Parameters<typeof run<'CommandGetTables'>>[1]) =>
    rowsOf(await run('CommandGetTables', message)).map(
      (r) => `${r.catalog_name}.${r.db_schema_name}.${r.table_name}:${r.table_type}`,
    );

  test('user tables and views of a catalog, ordered', async () => {
    const result = await run('CommandGetTables', { catalog: 'memory' });
    expect(schemaText(result.schema)).toEqual(schemaText(PROTO.CommandGetTables));
    expect(await names({ catalog: 'memory' })).toEqual([
      'memory.main.a_b:TABLE',
      'memory.main.axb:TABLE',
      'memory.main.broken:VIEW',
      'memory.main.child:TABLE',
      'memory.main.pair:TABLE',
      'memory.main.parent:TABLE',
      'memory.main.parent_names:VIEW',
      'memory.sales.lines:TABLE',
      'memory.sales.orders:TABLE',
    ]);
  });

  test("temporary tables are LOCAL TEMPORARY in catalog 'temp' (visible to their session)", async () => {
    expect(await names({ catalog: 'temp' })).toEqual(['temp.main.scratch:LOCAL TEMPORARY']);
    // A fresh connection (the default) is another session: it sees no temporary table.
    const fresh = await runMetadata(engine, {
      kind: 'CommandGetTables',
      message: { catalog: 'temp', tableTypes: [], includeSchema: false },
    });
    expect(rowsOf(fresh)).toEqual([]);
  });

  test("DuckDB's internal views are listed too", async () => {
    const all = await names({});
    expect(all).toContain('system.information_schema.tables:VIEW');
    expect(all).toContain('system.main.duckdb_tables:VIEW');
    expect(all).toContain('memory.main.parent:TABLE');
    expect(all).toEqual([...all].sort());
  });

  test('LIKE patterns: %, _ and an escaped \\_', async () => {
    expect(await names({ catalog: 'memory', tableNameFilterPattern: 'a\\_b' })).toEqual([
      'memory.main.a_b:TABLE',
    ]);
    expect(await names({ catalog: 'memory', tableNameFilterPattern: 'a_b' })).toEqual([
      'memory.main.a_b:TABLE',
      'memory.main.axb:TABLE',
    ]);
    expect(await names({ catalog: 'memory', tableNameFilterPattern: 'pa%' })).toEqual([
      'memory.main.pair:TABLE',
      'memory.main.parent:TABLE',
      'memory.main.parent_names:VIEW',
    ]);
    expect(await names({ dbSchemaFilterPattern: 'sal%', tableNameFilterPattern: '%' })).toEqual([
      'memory.sales.lines:TABLE',
      'memory.sales.orders:TABLE',
    ]);
  });

  test('patterns are bound, never spliced into SQL', async () => {
    expect(await names({ tableNameFilterPattern: "x' OR '1'='1" })).toEqual([]);
    expect(await names({ catalog: "memory' OR 1=1 --" })).toEqual([]);
  });

  test("catalog '' is empty", async () => {
    expect(await names({ catalog: '' })).toEqual([]);
  });

  test('table type filter', async () => {
    expect(await names({ catalog: 'memory', tableTypes: ['VIEW'] })).toEqual([
      'memory.main.broken:VIEW',
      'memory.main.parent_names:VIEW',
    ]);
    expect(await names({ tableTypes: ['LOCAL TEMPORARY'] })).toEqual(['temp.main.scratch:LOCAL TEMPORARY']);
    expect(await names({ dbSchemaFilterPattern: 'sales', tableTypes: ['TABLE', 'VIEW'] })).toEqual([
      'memory.sales.lines:TABLE',
      'memory.sales.orders:TABLE',
    ]);
    expect(await names({ catalog: 'memory', tableTypes: ['BASE TABLE'] })).toEqual([]);
  });

  test('include_schema: each table as the server streams it, nullability from DuckDB', async () => {
    const result = await run('CommandGetTables', { dbSchemaFilterPattern: 'sales', includeSchema: true });
    expect(schemaText(result.schema)).toEqual(schemaText(TABLES_WITH_SCHEMA));
    const rows = rowsOf(result);
    expect(rows.map((r) => r.table_name)).toEqual(['lines', 'orders']);
    const orders = decodeSchema(rows[1]!.table_schema as Uint8Array);
    expect(schemaText(orders)).toEqual([
      'order_id: Int64 not null',
      'amount: Decimal[10e+2] not null',
      'placed: Timestamp<MICROSECOND>',
      'tags: List<item: Utf8>',
      'status: Dictionary<Int8, Utf8>',
      'meta: Struct<k: Utf8, v: Int32>',
      'Mixed "Case": Float64',
    ]);
    // The same types as a query of the table streams.
    const streamed = await engine.schemaOf('SELECT * FROM sales.orders');
    expect(orders.fields.map((f) => String(f.type))).toEqual(streamed.fields.map((f) => String(f.type)));
    // ... and the columns duckdb_columns() lists.
    const columns = await session.runAndReadAll(
      "SELECT column_name, is_nullable FROM duckdb_columns() WHERE table_name = 'orders' ORDER BY column_index",
    );
    expect(orders.fields.map((f) => [f.name, f.nullable])).toEqual(
      columns.getRows().map(([name, nullable]) => [name, nullable]),
    );
    const amount = orders.fields[1]!.metadata;
    expect(Object.fromEntries(amount)).toEqual({
      'ARROW:FLIGHT:SQL:CATALOG_NAME': 'memory',
      'ARROW:FLIGHT:SQL:DB_SCHEMA_NAME': 'sales',
      'ARROW:FLIGHT:SQL:TABLE_NAME': 'orders',
      'ARROW:FLIGHT:SQL:TYPE_NAME': 'DECIMAL(10,2)',
      'ARROW:FLIGHT:SQL:PRECISION': '10',
      'ARROW:FLIGHT:SQL:SCALE': '2',
      'ARROW:FLIGHT:SQL:IS_AUTO_INCREMENT': '0',
      'ARROW:FLIGHT:SQL:IS_READ_ONLY': '0',
      'ARROW:FLIGHT:SQL:REMARKS': 'in euros',
    });
    const lines = decodeSchema(rows[0]!.table_schema as Uint8Array);
    expect(schemaText(lines)).toEqual(['order_id: Int64 not null', 'line: Int32 not null']);
  });

  test('include_schema for views, temporary tables and a view that no longer binds', async () => {
    const rows = rowsOf(
      await run('CommandGetTables', {
        tableNameFilterPattern: '%',
        tableTypes: ['VIEW', 'LOCAL TEMPORARY'],
        includeSchema: true,
        catalog: undefined,
        dbSchemaFilterPattern: 'main',
      }),
    );
    const byName = new Map(rows.map((r) => [r.table_name, decodeSchema(r.table_schema as Uint8Array)]));
    expect(schemaText(byName.get('parent_names')!)).toEqual(['name: Utf8']);
    expect(byName.get('parent_names')!.fields[0]!.metadata.get('ARROW:FLIGHT:SQL:IS_READ_ONLY')).toBe('1');
    expect(schemaText(byName.get('scratch')!)).toEqual(['t: Utf8 not null']);
    // DuckDB still knows the broken view's column, not what it would stream as.
    expect(byName.get('broken')!.fields.map((f) => [f.name, f.type])).toEqual([['x', new Null()]]);
    expect(byName.get('broken')!.fields[0]!.metadata.get('ARROW:FLIGHT:SQL:TYPE_NAME')).toBe('INTEGER');
    // Internal views describe themselves as well.
    expect(byName.get('duckdb_tables')!.fields.map((f) => f.name)).toContain('table_name');
  });
});

describe('GetTableTypes', () => {
  test('TABLE, VIEW and LOCAL TEMPORARY, ordered', async () => {
    const result = await run('CommandGetTableTypes');
    expect(schemaText(result.schema)).toEqual(schemaText(PROTO.CommandGetTableTypes));
    expect(rowsOf(result)).toEqual([
      { table_type: 'LOCAL TEMPORARY' },
      { table_type: 'TABLE' },
      { table_type: 'VIEW' },
    ]);
  });
});

describe('GetPrimaryKeys', () => {
  test('a composite key, 1-based key_sequence', async () => {
    const result = await run('CommandGetPrimaryKeys', { table: 'pair' });
    expect(schemaText(result.schema)).toEqual(schemaText(PROTO.CommandGetPrimaryKeys));
    expect(rowsOf(result)).toEqual([
      {
        catalog_name: 'memory',
        db_schema_name: 'main',
        table_name: 'pair',
        column_name: 'a',
        key_name: 'pair_a_b_pkey',
        key_sequence: 1,
      },
      {
        catalog_name: 'memory',
        db_schema_name: 'main',
        table_name: 'pair',
        column_name: 'b',
        key_name: 'pair_a_b_pkey',
        key_sequence: 2,
      },
    ]);
  });

  test('catalog and schema narrow; exact table names; empty strings match nothing', async () => {
    const key = async (message: { catalog?: string; dbSchema?: string; table: string }) =>
      rowsOf(await run('CommandGetPrimaryKeys', message)).map(
        (r) => `${r.db_schema_name}.${r.table_name}.${r.column_name}#${r.key_sequence}`,
      );
    expect(await key({ catalog: 'memory', dbSchema: 'sales', table: 'lines' })).toEqual([
      'sales.lines.order_id#1',
      'sales.lines.line#2',
    ]);
    expect(await key({ table: 'parent' })).toEqual(['main.parent.id#1']);
    expect(await key({ dbSchema: 'sales', table: 'parent' })).toEqual([]);
    expect(await key({ catalog: '', table: 'parent' })).toEqual([]);
    expect(await key({ dbSchema: '', table: 'parent' })).toEqual([]);
    expect(await key({ table: 'par%' })).toEqual([]);
    expect(await key({ table: 'a_b' })).toEqual([]);
  });
});

describe('foreign keys', () => {
  const fk = (r: Record<string, unknown>) =>
    `${r.pk_table_name}.${r.pk_column_name} <- ${r.fk_table_name}.${r.fk_column_name} #${r.key_sequence} ${r.fk_key_name}/${r.pk_key_name}`;

  test('GetExportedKeys: the keys that reference a table, ordered by the fk side', async () => {
    const result = await run('CommandGetExportedKeys', { table: 'pair' });
    expect(schemaText(result.schema)).toEqual(schemaText(PROTO.keys));
    const rows = rowsOf(result);
    expect(rows[0]).toEqual({
      pk_catalog_name: 'memory',
      pk_db_schema_name: 'main',
      pk_table_name: 'pair',
      pk_column_name: 'a',
      fk_catalog_name: 'memory',
      fk_db_schema_name: 'main',
      fk_table_name: 'child',
      fk_column_name: 'pa',
      key_sequence: 1,
      fk_key_name: 'child_pa_pb_a_b_fkey',
      pk_key_name: 'pair_a_b_pkey',
      update_rule: UpdateDeleteRules.NO_ACTION,
      delete_rule: UpdateDeleteRules.NO_ACTION,
    });
    expect(rows.map(fk)).toEqual([
      'pair.a <- child.pa #1 child_pa_pb_a_b_fkey/pair_a_b_pkey',
      'pair.b <- child.pb #2 child_pa_pb_a_b_fkey/pair_a_b_pkey',
    ]);
  });

  test('REFERENCES written in another case resolves to the real table and key', async () => {
    const rows = rowsOf(
      await run('CommandGetExportedKeys', { catalog: 'memory', dbSchema: 'main', table: 'parent' }),
    );
    expect(rows.map(fk)).toEqual(['parent.id <- child.parent_id #1 child_parent_id_id_fkey/parent_id_pkey']);
  });

  test("GetImportedKeys: a table's own foreign keys, ordered by the pk side", async () => {
    const result = await run('CommandGetImportedKeys', { table: 'child' });
    expect(schemaText(result.schema)).toEqual(schemaText(PROTO.keys));
    expect(rowsOf(result).map(fk)).toEqual([
      'pair.a <- child.pa #1 child_pa_pb_a_b_fkey/pair_a_b_pkey',
      'pair.b <- child.pb #2 child_pa_pb_a_b_fkey/pair_a_b_pkey',
      'parent.id <- child.parent_id #1 child_parent_id_id_fkey/parent_id_pkey',
    ]);
    const sales = rowsOf(await run('CommandGetImportedKeys', { dbSchema: 'sales', table: 'lines' }));
    expect(
      sales.map(
        (r) => `${r.pk_db_schema_name}.${r.pk_table_name} <- ${r.fk_db_schema_name}.${r.fk_table_name}`,
      ),
    ).toEqual(['sales.orders <- sales.lines']);
    expect(rowsOf(await run('CommandGetImportedKeys', { table: 'pair' }))).toEqual([]);
    expect(rowsOf(await run('CommandGetImportedKeys', { catalog: '', table: 'child' }))).toEqual([]);
  });

  test('GetCrossReference: one pk table, one fk table', async () => {
    const result = await run('CommandGetCrossReference', { pkTable: 'pair', fkTable: 'child' });
    expect(schemaText(result.schema)).toEqual(schemaText(PROTO.keys));
    expect(rowsOf(result).map(fk)).toEqual([
      'pair.a <- child.pa #1 child_pa_pb_a_b_fkey/pair_a_b_pkey',
      'pair.b <- child.pb #2 child_pa_pb_a_b_fkey/pair_a_b_pkey',
    ]);
    const parent = await run('CommandGetCrossReference', {
      pkCatalog: 'memory',
      pkDbSchema: 'main',
      pkTable: 'parent',
      fkCatalog: 'memory',
      fkDbSchema: 'main',
      fkTable: 'child',
    });
    expect(rowsOf(parent).map(fk)).toEqual([
      'parent.id <- child.parent_id #1 child_parent_id_id_fkey/parent_id_pkey',
    ]);
    expect(rowsOf(await run('CommandGetCrossReference', { pkTable: 'child', fkTable: 'pair' }))).toEqual([]);
  });
});

describe('GetSqlInfo', () => {
  /** Rows with the union type id each value travels under. */
  function infoRows(result: MetadataResult): { id: number; typeId: number; value: unknown }[] {
    const rows = rowsOf(result);
    const union = result.batches[0]!.getChild('value')!.data[0]!;
    return rows.map((r, i) => ({ id: r.info_name as number, typeId: union.typeIds[i]!, value: r.value }));
  }

  test('requested ids only, in the order asked; unknown ids skipped', async () => {
    const result = await run('CommandGetSqlInfo', {
      info: [
        SqlInfo.SQL_IDENTIFIER_QUOTE_CHAR,
        SqlInfo.FLIGHT_SQL_SERVER_READ_ONLY,
        99_999,
        SqlInfo.SQL_MAX_COLUMNS_IN_TABLE,
        SqlInfo.SQL_IDENTIFIER_CASE,
        SqlInfo.SQL_SUPPORTS_CONVERT,
        SqlInfo.FLIGHT_SQL_SERVER_NAME,
        SqlInfo.SQL_KEYWORDS,
      ],
    });
    expect(schemaText(result.schema)).toEqual(schemaText(PROTO.CommandGetSqlInfo));
    const rows = infoRows(result);
    expect(rows.map((r) => [r.id, r.typeId])).toEqual([
      [SqlInfo.SQL_IDENTIFIER_QUOTE_CHAR, 0],
      [SqlInfo.FLIGHT_SQL_SERVER_READ_ONLY, 1],
      [SqlInfo.SQL_MAX_COLUMNS_IN_TABLE, 2],
      [SqlInfo.SQL_IDENTIFIER_CASE, 3],
      [SqlInfo.SQL_SUPPORTS_CONVERT, 5],
      [SqlInfo.FLIGHT_SQL_SERVER_NAME, 0],
      [SqlInfo.SQL_KEYWORDS, 4],
    ]);
    expect(rows.map((r) => r.value).slice(0, 4)).toEqual(['"', false, 0n, 1]);
    expect(rows[5]!.value).toBe('flightsql embedded (DuckDB)');
    expect(rows[6]!.value).toEqual(expect.arrayContaining(['SELECT', 'FROM', 'WHERE']));
    // Map (as RowConverter shows it): SqlSupportsConvert -> the types a CAST reaches.
    const convert = rows[4]!.value as Record<string, number[]>;
    expect(convert['4']).toEqual([3, 4, 11, 16, 19]); // DATE -> CHAR, DATE, LONGVARCHAR, TIMESTAMP, VARCHAR
    expect(convert['19']).toHaveLength(20); // VARCHAR -> anything
    expect(convert['7']).toContain(5); // INTEGER -> DECIMAL
    expect(convert['7']).not.toContain(4); // INTEGER -/-> DATE
  });

  test('all ids, ascending, with truthful DuckDB values', async () => {
    const rows = infoRows(await run('CommandGetSqlInfo'));
    const ids = rows.map((r) => r.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const values = new Map(rows.map((r) => [r.id, r.value]));
    const version = (await session.runAndReadAll('SELECT version()')).getRows()[0]![0];
    expect(values.get(SqlInfo.FLIGHT_SQL_SERVER_NAME)).toBe('flightsql embedded (DuckDB)');
    expect(values.get(SqlInfo.FLIGHT_SQL_SERVER_VERSION)).toBe(version);
    expect(values.get(SqlInfo.FLIGHT_SQL_SERVER_ARROW_VERSION)).toBe('21.2.0');
    expect(values.get(SqlInfo.FLIGHT_SQL_SERVER_READ_ONLY)).toBe(false);
    expect(values.get(SqlInfo.FLIGHT_SQL_SERVER_SQL)).toBe(true);
    expect(values.get(SqlInfo.FLIGHT_SQL_SERVER_SUBSTRAIT)).toBe(false);
    // Transactions, ingest and cancellation are the Flight SQL service's to report (its overrides).
    for (const id of [
      SqlInfo.FLIGHT_SQL_SERVER_TRANSACTION,
      SqlInfo.FLIGHT_SQL_SERVER_CANCEL,
      SqlInfo.FLIGHT_SQL_SERVER_BULK_INGESTION,
      SqlInfo.SQL_TRANSACTIONS_SUPPORTED,
    ])
      expect(values.has(id)).toBe(false);
    expect(values.get(SqlInfo.SQL_DDL_CATALOG)).toBe(false);
    expect(values.get(SqlInfo.SQL_DDL_SCHEMA)).toBe(true);
    expect(values.get(SqlInfo.SQL_DDL_TABLE)).toBe(true);
    expect(values.get(SqlInfo.SQL_IDENTIFIER_CASE)).toBe(1);
    expect(values.get(SqlInfo.SQL_QUOTED_IDENTIFIER_CASE)).toBe(1);
    expect(values.get(SqlInfo.SQL_NULL_ORDERING)).toBe(3);
    expect(values.get(SqlInfo.SQL_SEARCH_STRING_ESCAPE)).toBe('\\');
    expect(values.get(SqlInfo.SQL_SUPPORTS_COLUMN_ALIASING)).toBe(true);
    expect(values.get(SqlInfo.SQL_NULL_PLUS_NULL_IS_NULL)).toBe(true);
    expect(values.get(SqlInfo.SQL_SUPPORTED_GROUP_BY)).toBe(3);
    expect(values.get(SqlInfo.SQL_SUPPORTS_LIKE_ESCAPE_CLAUSE)).toBe(true);
    expect(values.get(SqlInfo.SQL_MAX_STATEMENT_LENGTH)).toBe(0n);
    expect(values.get(SqlInfo.SQL_NUMERIC_FUNCTIONS)).toEqual(
      expect.arrayContaining(['abs', 'round', 'sqrt', 'pi']),
    );
    expect(values.get(SqlInfo.SQL_NUMERIC_FUNCTIONS)).not.toContain('upper');
    expect(values.get(SqlInfo.SQL_STRING_FUNCTIONS)).toEqual(
      expect.arrayContaining(['upper', 'lower', 'substring']),
    );
    expect(values.get(SqlInfo.SQL_STRING_FUNCTIONS)).not.toContain('abs');
    expect(values.get(SqlInfo.SQL_DATETIME_FUNCTIONS)).toEqual(
      expect.arrayContaining(['date_part', 'now', 'year']),
    );
    expect(values.get(SqlInfo.SQL_SYSTEM_FUNCTIONS)).toEqual(
      expect.arrayContaining(['current_database', 'version']),
    );
    const keywords = values.get(SqlInfo.SQL_KEYWORDS) as string[];
    const count = (
      await session.runAndReadAll('SELECT count(DISTINCT keyword_name) FROM duckdb_keywords()')
    ).getRows()[0]![0];
    expect(keywords).toHaveLength(Number(count));
    // Every id the proto reserves for servers is one of SqlInfo's.
    for (const id of ids) expect(SqlInfo[id]).toBeDefined();
    // Each value sits under the union member of its type.
    for (const r of rows) {
      const expected =
        typeof r.value === 'string'
          ? 0
          : typeof r.value === 'boolean'
            ? 1
            : typeof r.value === 'bigint'
              ? 2
              : typeof r.value === 'number'
                ? 3
                : Array.isArray(r.value)
                  ? 4
                  : 5;
      expect([r.id, r.typeId]).toEqual([r.id, expected]);
    }
  });

  test('overrides replace built-in values', async () => {
    const command = unpackCommand(
      packCommand('CommandGetSqlInfo', { info: [SqlInfo.FLIGHT_SQL_SERVER_TRANSACTION] }),
    ) as MetadataCommand;
    const result = await runMetadata(engine, command, {
      sqlInfo: new Map([[SqlInfo.FLIGHT_SQL_SERVER_TRANSACTION, 1]]),
    });
    expect(infoRows(result)).toEqual([{ id: SqlInfo.FLIGHT_SQL_SERVER_TRANSACTION, typeId: 3, value: 1 }]);
  });

  test("probing CASTs never aborts the session's open transaction", async () => {
    // A fresh engine: its CAST table is not cached yet, so this call probes.
    const other = await DuckDBEngine.create();
    const connection = await other.connect();
    try {
      await connection.run('BEGIN TRANSACTION');
      const command = unpackCommand(
        packCommand('CommandGetSqlInfo', { info: [SqlInfo.SQL_SUPPORTS_CONVERT] }),
      );
      const result = await runMetadata(other, command as MetadataCommand, { connection });
      expect(infoRows(result)[0]!.typeId).toBe(5);
      expect((await connection.runAndReadAll('SELECT 42')).getRows()).toEqual([[42]]);
      await connection.run('COMMIT');
    } finally {
      connection.closeSync();
      other.close();
    }
  });

  test('an unknown id alone gives an empty result of the right schema', async () => {
    const result = await run('CommandGetSqlInfo', { info: [12_345] });
    expect(schemaText(result.schema)).toEqual(schemaText(PROTO.CommandGetSqlInfo));
    expect(rowsOf(result)).toEqual([]);
  });
});

describe('GetXdbcTypeInfo', () => {
  test('one row per supported DuckDB type, ordered by data_type then type_name', async () => {
    const result = await run('CommandGetXdbcTypeInfo');
    expect(schemaText(result.schema)).toEqual(schemaText(PROTO.CommandGetXdbcTypeInfo));
    const rows = rowsOf(result);
    expect(rows.map((r) => `${r.data_type} ${r.type_name}`)).toEqual([
      '-7 BOOLEAN',
      '-6 TINYINT',
      '-6 UTINYINT',
      '-5 BIGINT',
      '-5 UBIGINT',
      '-3 BLOB',
      '1 UUID',
      '3 DECIMAL',
      '3 HUGEINT',
      '4 INTEGER',
      '4 UINTEGER',
      '5 SMALLINT',
      '5 USMALLINT',
      '7 FLOAT',
      '8 DOUBLE',
      '10 INTERVAL',
      '12 VARCHAR',
      '91 DATE',
      '92 TIME',
      '93 TIMESTAMP',
      '93 TIMESTAMP WITH TIME ZONE',
    ]);
    const decimal = rows.find((r) => r.type_name === 'DECIMAL');
    expect(decimal).toEqual({
      type_name: 'DECIMAL',
      data_type: XdbcDataType.XDBC_DECIMAL,
      column_size: 38,
      literal_prefix: null,
      literal_suffix: null,
      create_params: ['precision', 'scale'],
      nullable: 1,
      case_sensitive: false,
      searchable: 2,
      unsigned_attribute: false,
      fixed_prec_scale: false,
      auto_increment: false,
      local_type_name: null,
      minimum_scale: 0,
      maximum_scale: 38,
      sql_data_type: XdbcDataType.XDBC_DECIMAL,
      datetime_subcode: null,
      num_prec_radix: 10,
      interval_precision: null,
    });
    const date = rows.find((r) => r.type_name === 'DATE')!;
    expect([date.sql_data_type, date.datetime_subcode, date.literal_prefix, date.literal_suffix]).toEqual([
      XdbcDataType.XDBC_DATETIME,
      1,
      "DATE '",
      "'",
    ]);
    const varchar = rows.find((r) => r.type_name === 'VARCHAR')!;
    expect([varchar.case_sensitive, varchar.searchable, varchar.literal_prefix]).toEqual([true, 3, "'"]);
    expect(rows.find((r) => r.type_name === 'UBIGINT')!.unsigned_attribute).toBe(true);
    expect(rows.find((r) => r.type_name === 'DOUBLE')!.num_prec_radix).toBe(2);
  });

  test('the literals DuckDB is said to take are literals DuckDB takes', async () => {
    const samples: Record<string, string> = {
      VARCHAR: 'x',
      BLOB: '\\xAA',
      DATE: '2024-02-29',
      TIME: '12:34:56',
      TIMESTAMP: '2024-02-29 12:34:56',
      'TIMESTAMP WITH TIME ZONE': '2024-02-29 12:34:56+00',
      INTERVAL: '1 day',
      UUID: '00000000-0000-0000-0000-000000000001',
    };
    for (const row of rowsOf(await run('CommandGetXdbcTypeInfo'))) {
      if (row.literal_prefix === null) continue;
      const sql = `SELECT typeof(${row.literal_prefix}${samples[row.type_name as string]}${row.literal_suffix})`;
      expect((await session.runAndReadAll(sql)).getRows()[0]![0]).toBe(row.type_name);
    }
  });

  test('data_type filter', async () => {
    const ints = rowsOf(await run('CommandGetXdbcTypeInfo', { dataType: XdbcDataType.XDBC_INTEGER }));
    expect(ints.map((r) => r.type_name)).toEqual(['INTEGER', 'UINTEGER']);
    expect(ints.map((r) => r.unsigned_attribute)).toEqual([false, true]);
    expect(rowsOf(await run('CommandGetXdbcTypeInfo', { dataType: XdbcDataType.XDBC_WCHAR }))).toEqual([]);
  });
});

describe('runMetadata', () => {
  test('opens and closes its own connection by default', async () => {
    const result = await runMetadata(engine, { kind: 'CommandGetCatalogs', message: {} });
    expect(rowsOf(result)).toHaveLength(3);
  });

  test('a command that is not a metadata command is UNIMPLEMENTED', async () => {
    const command = unpackCommand(packCommand('CommandStatementQuery', { query: 'SELECT 1' }));
    await expect(runMetadata(engine, command as unknown as MetadataCommand)).rejects.toMatchObject({
      name: 'StatusError',
      code: status.UNIMPLEMENTED,
    });
    await expect(runMetadata(engine, command as unknown as MetadataCommand)).rejects.toBeInstanceOf(
      StatusError,
    );
  });
});
