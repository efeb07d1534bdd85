/**
 * The Knex dialect against a server that behaves as Arrow C++'s SQLite example server
 * (../servers/sqliteServer.ts): builder queries whose bindings travel as dense_union
 * parameters, insert/update/delete results, and reflection where GetTables says catalog 'main'
 * (null before Arrow C++ 11) and no schema while the keys carry null catalogs and schemas.
 */
import knex, { type Knex } from 'knex';
import FlightSQLDialect, { reflect } from '../../../dialect';
import { startSqliteServer, type SqliteServer, type SqliteServerOptions } from '../servers/sqliteServer';

// Types the SQLite example maps (INTEGER, int, REAL, TEXT, BLOB, varchar(n)); it refuses others.
const LIBRARY = `
    CREATE TABLE authors (id INTEGER PRIMARY KEY, name varchar(80) NOT NULL, born int);
    CREATE TABLE books (
      id INTEGER PRIMARY KEY,
      author_id INTEGER NOT NULL REFERENCES authors(id) ON DELETE CASCADE ON UPDATE RESTRICT,
      title TEXT NOT NULL,
      price REAL,
      cover BLOB);
    CREATE TABLE editions (book_id INTEGER, number INTEGER, year int, PRIMARY KEY (book_id, number));
    CREATE TABLE reprints (id INTEGER PRIMARY KEY, book_id INTEGER, number INTEGER,
      FOREIGN KEY (book_id, number) REFERENCES editions(book_id, number));
    INSERT INTO authors VALUES (1, 'Ursula', 1929), (2, 'Octavia', 1947), (3, 'Italo', 1923);
    INSERT INTO books VALUES (1, 1, 'Earthsea', 9.5, NULL), (2, 1, 'Dispossessed', 12.0, NULL),
      (3, 2, 'Kindred', 8.25, NULL), (4, 3, 'Invisible Cities', 11.0, NULL);
  `;

/** The server with the library tables, and Knex on it, for the tests of a describe block. */
function useLibrary(options: SqliteServerOptions = {}): { readonly db: Knex } {
  const ctx = {} as { db: Knex; server: SqliteServer };
  beforeAll(async () => {
    ctx.server = await startSqliteServer(options);
    ctx.server.db.exec(LIBRARY);
    ctx.db = knex({ client: FlightSQLDialect, connection: { host: ctx.server.location } });
  });
  afterAll(async () => {
    await ctx.db.destroy();
    await ctx.server.close();
  });
  return ctx;
}

describe('queries', () => {
  const ctx = useLibrary();

  test('builder queries with bindings', async () => {
    expect(await ctx.db('intTable').where('value', '>', 0).select('id', 'keyName')).toEqual([
      { id: 1n, keyName: 'one' },
    ]);
    expect(
      await ctx
        .db('books')
        .where('price', '>', 9)
        .andWhere('title', 'like', '%i%')
        .orderBy('id')
        .pluck('title'),
    ).toEqual(['Dispossessed', 'Invisible Cities']);
    expect(await ctx.db('books').whereIn('author_id', [2, 3]).orderBy('id').pluck('id')).toEqual([3n, 4n]);
    expect(
      await ctx
        .db('books as b')
        .join('authors as a', 'a.id', 'b.author_id')
        .where('a.born', '<', 1930)
        .groupBy('a.name')
        .orderBy('a.name')
        .select('a.name')
        .count({ n: '*' }),
    ).toEqual([
      { name: 'Italo', n: 1n },
      { name: 'Ursula', n: 2n },
    ]);
    expect(await ctx.db('authors').where({ name: 'Octavia' }).first('born')).toEqual({ born: 1947n });
  });

  test('insert resolves to []; update and del to the counts SQLite reports', async () => {
    expect(await ctx.db('authors').insert({ id: 10, name: 'Stanislaw', born: 1921 })).toEqual([]);
    expect(
      await ctx.db('authors').insert([
        { id: 11, name: 'Arkady', born: 1925 },
        { id: 12, name: 'Boris', born: 1933 },
      ]),
    ).toEqual([]);
    expect(await ctx.db('authors').where('id', '>=', 10).update({ born: 1900 })).toBe(3);
    expect(await ctx.db('authors').where('id', 999).update({ born: 1 })).toBe(0);
    expect(await ctx.db('authors').where('id', '>=', 10).orderBy('id').pluck('born')).toEqual([
      1900n,
      1900n,
      1900n,
    ]);
    expect(await ctx.db('authors').where('id', '>=', 11).del()).toBe(2);
    expect(await ctx.db('authors').where('id', 10).del()).toBe(1);
  });
});

/** Reflection, against today's example (catalog 'main') and Arrow C++ 10's (null catalogs). */
describe.each<[string, SqliteServerOptions, string | null]>([
  ["catalog 'main'", {}, 'main'],
  ['null catalogs (Arrow C++ 10)', { legacyCatalogs: true }, null],
])('reflection, %s', (_, options, catalog) => {
  const ctx = useLibrary(options);

  test("columnInfo(): Knex's { type, maxLength, nullable, defaultValue } from the declared types", async () => {
    expect(await ctx.db('books').columnInfo()).toEqual({
      id: { type: 'bigint', maxLength: null, nullable: true, defaultValue: null },
      author_id: { type: 'bigint', maxLength: null, nullable: false, defaultValue: null },
      title: { type: 'text', maxLength: null, nullable: false, defaultValue: null },
      price: { type: 'double', maxLength: null, nullable: true, defaultValue: null },
      cover: { type: 'bytea', maxLength: null, nullable: true, defaultValue: null },
    });
    expect(await ctx.db('authors').columnInfo('name')).toEqual({
      type: 'text',
      maxLength: null,
      nullable: false,
      defaultValue: null,
    });
    expect(await ctx.db('nope').columnInfo()).toEqual({});
  });

  test('hasTable and hasColumn', async () => {
    expect(await ctx.db.schema.hasTable('books')).toBe(true);
    expect(await ctx.db.schema.hasTable('nope')).toBe(false);
    expect(await ctx.db.schema.hasColumn('books', 'price')).toBe(true);
    expect(await ctx.db.schema.hasColumn('books', 'isbn')).toBe(false);
  });

  test('reflect(): columns, primary keys and foreign keys of tables without a schema', async () => {
    const tables = await reflect(ctx.db, { tables: ['authors', 'books', 'editions', 'reprints'] });
    const byName = new Map(tables.map((t) => [t.name, t]));
    expect([...byName.keys()].sort()).toEqual(['authors', 'books', 'editions', 'reprints']);
    const books = byName.get('books')!;
    expect(books).toMatchObject({ catalog, schema: null, type: 'table' });
    expect(books.columns.map((c) => [c.name, c.type, c.nullable])).toEqual([
      ['id', 'bigint', true],
      ['author_id', 'bigint', false],
      ['title', 'text', false],
      ['price', 'double', true],
      ['cover', 'bytea', true],
    ]);
    expect(books.primaryKey.columns).toEqual(['id']);
    expect(books.foreignKeys).toEqual([
      expect.objectContaining({
        columns: ['author_id'],
        referencedTable: expect.objectContaining({ name: 'authors' }),
        referencedColumns: ['id'],
        onUpdate: 'RESTRICT',
        onDelete: 'CASCADE',
      }),
    ]);
    expect(byName.get('authors')!.primaryKey.columns).toEqual(['id']);
    expect(byName.get('authors')!.foreignKeys).toEqual([]);
    expect(byName.get('editions')!.primaryKey.columns).toEqual(['book_id', 'number']);
    expect(byName.get('reprints')!.foreignKeys).toEqual([
      expect.objectContaining({
        columns: ['book_id', 'number'],
        referencedTable: expect.objectContaining({ name: 'editions' }),
        referencedColumns: ['book_id', 'number'],
        onUpdate: 'NO ACTION',
        onDelete: 'NO ACTION',
      }),
    ]);
  });
});
