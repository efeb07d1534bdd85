/**
 * The PEP 249 layer against a server that behaves as Arrow C++'s SQLite example server
 * (../servers/sqliteServer.ts): `?` parameters of every JavaScript type through its
 * dense_union parameters, executemany, rowcount, description, errors and transactions.
 */
import { DataError, DatabaseError, NUMBER, STRING, BINARY, connect, type Connection } from '../../../src';
import { startSqliteServer, type SqliteServer } from '../servers/sqliteServer';

let server: SqliteServer;
let con: Connection;

beforeAll(async () => {
  server = await startSqliteServer();
  server.db.exec(`
    CREATE TABLE kinds (id INTEGER PRIMARY KEY, num REAL, whole INTEGER, big INTEGER, txt TEXT, flag INTEGER, bin BLOB);
    CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty int);
  `);
  con = await connect(server.location);
});

afterAll(async () => {
  await con.close();
  await server.close();
});

test('a query with ? parameters: rows, and a description from the stream', async () => {
  const cur = con.cursor();
  await cur.execute('SELECT id, keyName, value FROM intTable WHERE value > ? AND keyName <> ? ORDER BY id', [
    -1,
    'zero',
  ]);
  expect(await cur.fetchall()).toEqual([[1n, 'one', 1n]]);
  expect(cur.description!.map((d) => d[0])).toEqual(['id', 'keyName', 'value']);
  expect(NUMBER.equals(cur.description![0]![1])).toBe(true);
  expect(STRING.equals(cur.description![1]![1])).toBe(true);
  expect(cur.rowcount).toBe(1);
});

test('parameters of every JavaScript type: number, bigint, string, null', async () => {
  const cur = con.cursor();
  await cur.execute('INSERT INTO kinds (id, num, whole, big, txt, bin) VALUES (?, ?, ?, ?, ?, ?)', [
    1,
    2.5,
    7,
    9007199254740993n,
    'héllo ✓',
    null,
  ]);
  expect(cur.rowcount).toBe(1);
  await cur.execute('SELECT id, num, whole, big, txt, bin FROM kinds WHERE id = ?', [1n]);
  expect(await cur.fetchall()).toEqual([[1n, 2.5, 7n, 9007199254740993n, 'héllo ✓', null]]);
});

test('a boolean parameter has no member in the union: a DataError naming the parameter and the members', async () => {
  const cur = con.cursor();
  const failure = cur.executemany('INSERT INTO kinds (id, flag) VALUES (?, ?)', [
    [2, true],
    [3, false],
  ]);
  await expect(failure).rejects.toBeInstanceOf(DataError);
  await expect(failure).rejects.toThrow(
    'parameter parameter_2: no member of Union<Utf8 | Binary | Int64 | Float64> holds true (members: string: Utf8, bytes: Binary, bigint: Int64, double: Float64)',
  );
  // SQLite's booleans are integers: 1 and 0 bind through the bigint member.
  await cur.executemany('INSERT INTO kinds (id, flag) VALUES (?, ?)', [
    [2, 1],
    [3, 0],
  ]);
  expect(cur.rowcount).toBe(2);
  await cur.execute('SELECT id, flag FROM kinds WHERE id IN (2, 3) ORDER BY id');
  expect(await cur.fetchall()).toEqual([
    [2n, 1n],
    [3n, 0n],
  ]);
});

test('a Uint8Array parameter goes as bytes; the SQLite example refuses to bind those', async () => {
  const cur = con.cursor();
  const failure = cur.execute('INSERT INTO kinds (id, bin) VALUES (5, ?)', [new Uint8Array([1, 2, 3])]);
  await expect(failure).rejects.toBeInstanceOf(DatabaseError);
  await expect(failure).rejects.toThrow('Received unsupported data type: binary');
  // A blob written in SQL reads back as bytes, described as BINARY.
  await cur.execute("INSERT INTO kinds (id, bin) VALUES (4, x'010203')");
  expect(cur.rowcount).toBe(1);
  await cur.execute('SELECT bin FROM kinds WHERE id = ?', [4]);
  expect(await cur.fetchall()).toEqual([[new Uint8Array([1, 2, 3])]]);
  expect(BINARY.equals(cur.description![0]![1])).toBe(true);
});

test('executemany: one prepared insert for all rows; rowcount of insert, update and delete', async () => {
  const cur = con.cursor();
  await cur.executemany('INSERT INTO items (id, name, qty) VALUES (?, ?, ?)', [
    [1, 'apple', 3],
    [2n, 'pear', null],
    [3, 'plum', 5n],
  ]);
  expect(cur.rowcount).toBe(3);
  await cur.execute('UPDATE items SET qty = coalesce(qty, 0) + ? WHERE id >= ?', [10, 2]);
  expect(cur.rowcount).toBe(2);
  await cur.execute('SELECT id, name, qty FROM items ORDER BY id');
  expect(await cur.fetchall()).toEqual([
    [1n, 'apple', 3n],
    [2n, 'pear', 10n],
    [3n, 'plum', 15n],
  ]);
  await cur.execute('DELETE FROM items WHERE qty > ?', [4]);
  expect(cur.rowcount).toBe(2);
  await cur.execute('DELETE FROM items');
  expect(cur.rowcount).toBe(1);
});

test('an SQL error carries SQLite message', async () => {
  const cur = con.cursor();
  await expect(cur.execute('SELEC 1')).rejects.toThrow(`Can't prepare statement: near "SELEC": syntax error`);
  await expect(cur.execute('SELECT * FROM missing WHERE id = ?', [1])).rejects.toThrow(
    "Can't prepare statement: no such table: missing",
  );
});

test('transactions: rollback() drops what the connection wrote, commit() keeps it', async () => {
  const txn = await connect(server.location, { autocommit: false });
  try {
    const cur = txn.cursor();
    await cur.execute("INSERT INTO items (id, name) VALUES (?, 'gone')", [40]);
    await txn.rollback();
    await cur.execute("INSERT INTO items (id, name) VALUES (?, 'kept')", [41]);
    await txn.commit();
  } finally {
    await txn.close();
  }
  const cur = con.cursor();
  await cur.execute('SELECT id, name FROM items WHERE id >= 40');
  expect(await cur.fetchall()).toEqual([[41n, 'kept']]);
});
