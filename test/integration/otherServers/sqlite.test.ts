/**
 * FlightSQLClient's statements against a server that behaves as Arrow C++'s SQLite example
 * server (../servers/sqliteServer.ts): every parameter a
 * `dense_union<string, bytes, bigint, double>`, FlightInfo schemas from declared types and
 * stream schemas from the first row, Arrow C++'s check of parameter batch schemas, and its
 * transactions. The metadata calls are in sqliteMetadata.test.ts.
 */
import { DenseUnion, Field, Int64, Type, UnionMode, tableFromArrays } from 'apache-arrow';
import { FlightSQLClient } from '../../../src';
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

const rowsOf = async (sql: string) =>
  (await client.readFlightInfo(await client.execute(sql)).readAll()).toArray().map((r) => r.toJSON());

const UNION_MEMBERS = [
  ['string', Type.Utf8],
  ['bytes', Type.Binary],
  ['bigint', Type.Int],
  ['double', Type.Float],
];

describe('statements', () => {
  test('execute: the FlightInfo schema comes from declared types, the stream from the first row', async () => {
    const info = await client.execute('SELECT id, keyName, value, 1 + 1 AS two FROM intTable ORDER BY id');
    expect(info.schema.fields.map((f) => [f.name, f.type.typeId])).toEqual([
      ['id', Type.Int],
      ['keyName', Type.Utf8],
      ['value', Type.Int],
      ['two', Type.Union], // an expression: SQLite declares no type
    ]);
    const table = await client.readFlightInfo(info).readAll();
    expect(table.schema.fields.map((f) => [f.name, String(f.type)])).toEqual([
      ['id', 'Int64'],
      ['keyName', 'Utf8'],
      ['value', 'Int64'],
      ['two', 'Int64'],
    ]);
    expect(table.toArray().map((r) => r.toJSON())).toEqual([
      { id: 1n, keyName: 'one', value: 1n, two: 2n },
      { id: 2n, keyName: 'zero', value: 0n, two: 2n },
      { id: 3n, keyName: 'negative one', value: -1n, two: 2n },
      { id: 4n, keyName: null, value: null, two: 2n },
      { id: 5n, keyName: 'null', value: null, two: 2n },
    ]);
  });

  test('a result without rows streams the FlightInfo schema, a union for untyped columns', async () => {
    const table = await client
      .readFlightInfo(await client.execute('SELECT id, 7 AS seven FROM parent WHERE 0'))
      .readAll();
    expect(table.numRows).toBe(0);
    expect(table.schema.fields.map((f) => [f.name, f.type.typeId])).toEqual([
      ['id', Type.Int],
      ['seven', Type.Union],
    ]);
  });

  test('executeUpdate returns the count SQLite reports for insert, update and delete', async () => {
    expect(await client.executeUpdate("INSERT INTO parent VALUES (10, 'ten'), (11, 'eleven')")).toBe(2);
    expect(await client.executeUpdate('UPDATE parent SET name = upper(name) WHERE id >= 10')).toBe(2);
    expect(await rowsOf('SELECT name FROM parent WHERE id >= 10 ORDER BY id')).toEqual([
      { name: 'TEN' },
      { name: 'ELEVEN' },
    ]);
    expect(await client.executeUpdate('DELETE FROM parent WHERE id >= 10')).toBe(2);
    expect(await client.executeUpdate('DELETE FROM parent WHERE id >= 10')).toBe(0);
  });

  test('prepare: each parameter is declared dense_union<string, bytes, bigint, double>, nullable', async () => {
    const statement = await client.prepare('SELECT id FROM intTable WHERE value > ? AND keyName <> :name');
    try {
      expect(statement.parameterSchema.fields.map((f) => [f.name, f.nullable])).toEqual([
        ['parameter_1', true],
        [':name', true],
      ]);
      for (const f of statement.parameterSchema.fields) {
        const type = f.type as DenseUnion;
        expect(type.mode).toBe(UnionMode.Dense);
        expect([...type.typeIds]).toEqual([0, 1, 2, 3]);
        expect(type.children.map((c: Field) => [c.name, c.type.typeId])).toEqual(UNION_MEMBERS);
        expect(type.children.every((c: Field) => c.nullable)).toBe(true);
      }
      expect(statement.datasetSchema.fields.map((f) => [f.name, String(f.type)])).toEqual([['id', 'Int64']]);
    } finally {
      await statement.close();
    }
  });

  test('prepare + execute: bigint, string, number and null go to their union members', async () => {
    const statement = await client.prepare(
      'SELECT id, keyName FROM intTable WHERE value >= ? AND keyName <> ? AND id < ? AND ? IS NULL ORDER BY id',
    );
    try {
      const info = await statement.execute([0n, 'zero', 2.5, null]);
      const rows = (await client.readFlightInfo(info).readAll()).toArray().map((r) => r.toJSON());
      expect(rows).toEqual([{ id: 1n, keyName: 'one' }]);
      // The statement stays bound to its parameters; new ones replace them.
      const again = await statement.execute([-1n, 'one', 10, null]);
      const ids = (await client.readFlightInfo(again).readAll()).toArray().map((r) => r.toJSON().id);
      expect(ids).toEqual([2n, 3n]);
    } finally {
      await statement.close();
    }
  });

  test('a parameter value comes back with the type of its union member; null as an untyped union', async () => {
    const statement = await client.prepare('SELECT ? AS i, ? AS s, ? AS d, ? AS n');
    try {
      const info = await statement.execute([42n, 'text', 1.5, null]);
      const table = await client.readFlightInfo(info).readAll();
      expect(table.schema.fields.map((f) => f.type.typeId)).toEqual([
        Type.Int,
        Type.Utf8,
        Type.Float,
        Type.Union,
      ]);
      expect(table.toArray().map((r) => r.toJSON())).toEqual([{ i: 42n, s: 'text', d: 1.5, n: null }]);
    } finally {
      await statement.close();
    }
  });

  test('a value the stream schema cannot hold ends the stream with the server error', async () => {
    // The first row's NULL leaves the column untyped (a union); Arrow C++ cannot put the next row's integer in it.
    const info = await client.execute(
      'SELECT CASE WHEN id = 1 THEN NULL ELSE id END AS x FROM intTable ORDER BY id',
    );
    await expect(client.readFlightInfo(info).readAll()).rejects.toThrow(
      'Not implemented SQLite data conversion to dense_union',
    );
  });

  test('binding a non-nullable int64 Arrow table conforms it to the declared nullable union', async () => {
    const statement = await client.prepare('SELECT keyName FROM intTable WHERE id = ?');
    try {
      const parameters = tableFromArrays({ id: BigInt64Array.from([1n]) });
      expect(parameters.schema.fields[0]!.nullable).toBe(false);
      const info = await statement.execute(parameters);
      expect((await client.readFlightInfo(info).readAll()).toArray().map((r) => r.toJSON())).toEqual([
        { keyName: 'one' },
      ]);
    } finally {
      await statement.close();
    }
  });

  test('an update with several parameter rows runs once per row and sums the counts', async () => {
    const insert = await client.prepare('INSERT INTO parent (id, name) VALUES (?, ?)');
    try {
      expect(
        await insert.executeUpdate([
          [20n, 'x'],
          [21n, 'y'],
          [22n, 'z'],
        ]),
      ).toBe(3);
    } finally {
      await insert.close();
    }
    const update = await client.prepare('UPDATE parent SET name = ? WHERE id = ?');
    try {
      const rows = tableFromArrays({ name: ['X', 'Y'], id: BigInt64Array.from([20n, 21n]) });
      expect(await update.executeUpdate(rows)).toBe(2);
    } finally {
      await update.close();
    }
    expect(await rowsOf('SELECT id, name FROM parent WHERE id >= 20 ORDER BY id')).toEqual([
      { id: 20n, name: 'X' },
      { id: 21n, name: 'Y' },
      { id: 22n, name: 'z' },
    ]);
    expect(await client.executeUpdate('DELETE FROM parent WHERE id >= 20')).toBe(3);
  });

  test('a binary parameter reaches the server, which refuses it with Arrow C++ words', async () => {
    const statement = await client.prepare('UPDATE child SET data = ? WHERE id = 3');
    try {
      await expect(statement.executeUpdate([new Uint8Array([1, 2])])).rejects.toThrow(
        'Received unsupported data type: binary',
      );
    } finally {
      await statement.close();
    }
  });

  test('the server refuses a parameter batch whose schema is not the declared one, as Arrow C++ does', async () => {
    const statement = await client.prepare('SELECT keyName FROM intTable WHERE id = ?');
    try {
      const batch = tableFromArrays({ id: BigInt64Array.from([1n]) }).batches[0]!;
      const cmd = packCommand('CommandPreparedStatementQuery', {
        preparedStatementHandle: Buffer.from(statement.handle),
      });
      await expect(
        client.flight.doPut({ type: 'cmd', cmd }, [batch], { schema: batch.schema }),
      ).rejects.toThrow(
        'Wrong schema for DoPutPreparedStatementQuery: expected ' +
          '"parameter_1: dense_union<string: string=0, bytes: binary=1, bigint: int64=2, double: double=3>", ' +
          'got "id: int64 not null"',
      );
    } finally {
      await statement.close();
    }
  });

  test('transactions: rollback drops the insert, commit keeps it', async () => {
    const rolledBack = await client.beginTransaction();
    expect(
      await client.executeUpdate("INSERT INTO parent VALUES (30, 'gone')", { transaction: rolledBack }),
    ).toBe(1);
    await rolledBack.rollback();
    expect(await rowsOf('SELECT id FROM parent WHERE id = 30')).toEqual([]);
    const committed = await client.beginTransaction();
    expect(
      await client.executeUpdate("INSERT INTO parent VALUES (31, 'kept')", { transaction: committed }),
    ).toBe(1);
    await committed.commit();
    expect(await rowsOf('SELECT name FROM parent WHERE id = 31')).toEqual([{ name: 'kept' }]);
    expect(await client.executeUpdate('DELETE FROM parent WHERE id = 31')).toBe(1);
  });
});

describe('a parameter declared `id: int64` (nullable), as Arrow C++ integration-test server declares it', () => {
  let typed: SqliteServer;
  let typedClient: FlightSQLClient;

  beforeAll(async () => {
    typed = await startSqliteServer({ parameterField: () => new Field('id', new Int64(), true) });
    typedClient = new FlightSQLClient({ host: typed.location });
  });

  afterAll(async () => {
    await typedClient.close();
    await typed.close();
  });

  test('the server refuses the non-nullable batch with the words of the issue', async () => {
    const statement = await typedClient.prepare('SELECT keyName FROM intTable WHERE id = ?');
    try {
      expect(statement.parameterSchema.fields.map((f) => [f.name, String(f.type), f.nullable])).toEqual([
        ['id', 'Int64', true],
      ]);
      const batch = tableFromArrays({ id: BigInt64Array.from([1n]) }).batches[0]!;
      const cmd = packCommand('CommandPreparedStatementQuery', {
        preparedStatementHandle: Buffer.from(statement.handle),
      });
      await expect(
        typedClient.flight.doPut({ type: 'cmd', cmd }, [batch], { schema: batch.schema }),
      ).rejects.toThrow(
        'Wrong schema for DoPutPreparedStatementQuery: expected "id: int64", got "id: int64 not null"',
      );
    } finally {
      await statement.close();
    }
  });

  test('the client conforms tableFromArrays({ id: BigInt64Array }) to it, for queries and updates', async () => {
    const query = await typedClient.prepare('SELECT keyName FROM intTable WHERE id = ?');
    try {
      const info = await query.execute(tableFromArrays({ id: BigInt64Array.from([3n]) }));
      expect((await typedClient.readFlightInfo(info).readAll()).toArray().map((r) => r.toJSON())).toEqual([
        { keyName: 'negative one' },
      ]);
    } finally {
      await query.close();
    }
    const update = await typedClient.prepare('UPDATE intTable SET value = value * 10 WHERE id = ?');
    try {
      expect(await update.executeUpdate(tableFromArrays({ id: BigInt64Array.from([1n, 2n, 3n]) }))).toBe(3);
      expect(await update.executeUpdate([[5n]])).toBe(1);
    } finally {
      await update.close();
    }
  });
});
