/**
 * SQL the Knex dialect compiles, without a server (Knex instances with no connection): the
 * query-builder features people use, checked as `toSQL()` (`?` placeholders and bindings) and
 * `toSQL().toNative()` (`$1..$n`), with the divergences from Knex's PostgreSQL dialect (LIMIT and
 * OFFSET written as numbers, RETURNING and ON CONFLICT by profile, row locks dropped, TRUNCATE
 * without RESTART IDENTITY); the schema builder (DuckDB column types, constraints inside CREATE
 * TABLE, `increments()` as a sequence on duckdb and refused elsewhere, `dropTable` as a request
 * that drops the table's sequences too); and the literals of `toString()` and of the `inline`
 * bindings mode (`sqlLiteral` through Knex, and `inlineBindings`).
 */
import knex, { type Knex } from 'knex';
import FlightSQLDialect from '../../../dialect';
import { inlineBindings, PROFILES } from '../../../dialect';
import { DataError, NotSupportedError } from '../../../src';

const warnings: string[] = [];
const log = { warn: (message: string) => warnings.push(message) };
/** Unconnected, no profile in the config: compiles for profile generic. */
const generic = knex({ client: FlightSQLDialect, log } as Knex.Config);
const duckdb = knex({ client: FlightSQLDialect, profile: 'duckdb', log } as Knex.Config);
const datafusion = knex({ client: FlightSQLDialect, profile: 'datafusion', log } as Knex.Config);
const g = generic;

afterAll(async () => {
  await Promise.all([generic.destroy(), duckdb.destroy(), datafusion.destroy()]);
});

beforeEach(() => {
  warnings.length = 0;
});

interface Expected {
  sql: string;
  bindings?: unknown[];
  /** The `$n` form; required when there are bindings, else it is `sql` itself. */
  native?: string;
}

/** `k.raw(sql, values)` with values Knex's typing does not list (bigint, Uint8Array, arrays). */
function raw(k: Knex, sql: string, values: unknown[]): Knex.Raw {
  return k.raw(sql, values as Knex.RawBinding[]);
}

/** Asserts `toSQL()` and `toSQL().toNative()` of a query. */
function testsql(builder: { toSQL(): Knex.Sql }, expected: Expected): void {
  const bindings = expected.bindings ?? [];
  if (bindings.length > 0 && expected.native === undefined) throw new Error('give the native form');
  const compiled = builder.toSQL();
  expect({ sql: compiled.sql, bindings: compiled.bindings }).toEqual({ sql: expected.sql, bindings });
  expect(compiled.toNative()).toEqual({ sql: expected.native ?? expected.sql, bindings });
}

/** The statements a schema builder compiles to (each without bindings). */
function ddl(builder: { toSQL(): unknown }): string[] {
  const compiled = builder.toSQL() as unknown as { sql: string; bindings: unknown[] }[];
  for (const statement of compiled) expect(statement.bindings).toEqual([]);
  return compiled.map((statement) => statement.sql);
}

describe('select', () => {
  test('columns, aliases, distinct', () => {
    testsql(g('users').select('id', 'name as n', { e: 'email' }), {
      sql: 'select "id", "name" as "n", "email" as "e" from "users"',
    });
    testsql(g('users').distinct('city', 'zip'), { sql: 'select distinct "city", "zip" from "users"' });
    testsql(g.select('users.*').from('users'), { sql: 'select "users".* from "users"' });
    testsql(g('users').select('*'), { sql: 'select * from "users"' });
  });

  test('identifiers are double-quoted, embedded " doubled; withSchema qualifies the table', () => {
    testsql(g('we"ird').select('co"l', 't.x as y'), {
      sql: 'select "co""l", "t"."x" as "y" from "we""ird"',
    });
    testsql(g('Users').withSchema('Main').select('Id').where('Id', 1), {
      sql: 'select "Id" from "Main"."Users" where "Id" = ?',
      bindings: [1],
      native: 'select "Id" from "Main"."Users" where "Id" = $1',
    });
    testsql(g('s.t'), { sql: 'select * from "s"."t"' });
  });

  test('subqueries in from and in select', () => {
    testsql(g.select('s.a').from(g('t').where('b', 1).as('s')), {
      sql: 'select "s"."a" from (select * from "t" where "b" = ?) as "s"',
      bindings: [1],
      native: 'select "s"."a" from (select * from "t" where "b" = $1) as "s"',
    });
    testsql(
      g('posts').select('id', g('comments').count('*').where('comments.post_id', g.ref('posts.id')).as('n')),
      {
        sql: 'select "id", (select count(*) as "count" from "comments" where "comments"."post_id" = "posts"."id") as "n" from "posts"',
      },
    );
  });

  test('aggregates: count, min, max, sum, avg, countDistinct', () => {
    testsql(g('t').count(), { sql: 'select count(*) as "count" from "t"' });
    testsql(g('t').count('id as n'), { sql: 'select count("id") as "n" from "t"' });
    testsql(g('t').count({ n: '*' }), { sql: 'select count(*) as "n" from "t"' });
    testsql(g('t').min('a'), { sql: 'select min("a") as "min" from "t"' });
    testsql(g('t').max('a as top'), { sql: 'select max("a") as "top" from "t"' });
    testsql(g('t').sum('a').avg('b'), { sql: 'select sum("a") as "sum", avg("b") as "avg" from "t"' });
    testsql(g('t').countDistinct('a'), { sql: 'select count(distinct "a") as "count" from "t"' });
    testsql(g('t').countDistinct('a as d'), { sql: 'select count(distinct "a") as "d" from "t"' });
  });

  test('first and pluck', () => {
    const first = g('t').first('a', 'b').where('id', 5).toSQL();
    expect(first.method).toBe('first');
    expect(first.toNative()).toEqual({
      sql: 'select "a", "b" from "t" where "id" = $1 limit 1',
      bindings: [5],
    });
    const pluck = g('t').pluck('name').orderBy('name').toSQL() as Knex.Sql & { pluck?: string };
    expect(pluck.method).toBe('pluck');
    expect(pluck.pluck).toBe('name');
    expect(pluck.sql).toBe('select "name" from "t" order by "name" asc');
  });
});

describe('where', () => {
  test('object, operators, whereIn, whereNotIn, whereNull, whereBetween', () => {
    testsql(
      g('users')
        .where({ first: 'Ann', age: 30 })
        .where('score', '>=', 1.5)
        .whereIn('role', ['admin', 'dev'])
        .whereNotIn('id', [7])
        .whereNull('deleted_at')
        .whereNotNull('email')
        .whereBetween('age', [18, 65])
        .whereNot('banned', true),
      {
        sql:
          'select * from "users" where "first" = ? and "age" = ? and "score" >= ? and "role" in (?, ?) and "id" not in (?)' +
          ' and "deleted_at" is null and "email" is not null and "age" between ? and ? and not "banned" = ?',
        bindings: ['Ann', 30, 1.5, 'admin', 'dev', 7, 18, 65, true],
        native:
          'select * from "users" where "first" = $1 and "age" = $2 and "score" >= $3 and "role" in ($4, $5) and "id" not in ($6)' +
          ' and "deleted_at" is null and "email" is not null and "age" between $7 and $8 and not "banned" = $9',
      },
    );
  });

  test('whereIn with several columns and with an empty list', () => {
    testsql(
      g('t').whereIn(
        ['a', 'b'],
        [
          [1, 2],
          [3, 4],
        ],
      ),
      {
        sql: 'select * from "t" where ("a", "b") in ((?, ?), (?, ?))',
        bindings: [1, 2, 3, 4],
        native: 'select * from "t" where ("a", "b") in (($1, $2), ($3, $4))',
      },
    );
    // Knex's way of saying "nothing matches".
    testsql(g('t').whereIn('a', []), {
      sql: 'select * from "t" where 1 = ?',
      bindings: [0],
      native: 'select * from "t" where 1 = $1',
    });
  });

  test('orWhere and nested groups', () => {
    testsql(
      g('t')
        .where('a', 1)
        .orWhere('b', '<', 2)
        .andWhere((q) => q.where('c', 3).orWhere('d', 4))
        .orWhere((q) => q.whereNull('e').whereIn('f', [5, 6])),
      {
        sql: 'select * from "t" where "a" = ? or "b" < ? and ("c" = ? or "d" = ?) or ("e" is null and "f" in (?, ?))',
        bindings: [1, 2, 3, 4, 5, 6],
        native:
          'select * from "t" where "a" = $1 or "b" < $2 and ("c" = $3 or "d" = $4) or ("e" is null and "f" in ($5, $6))',
      },
    );
  });

  test('whereExists / whereNotExists with a subquery', () => {
    testsql(
      g('users').whereExists(
        g('orders').select(1).where('orders.user_id', g.ref('users.id')).where('total', '>', 100),
      ),
      {
        sql: 'select * from "users" where exists (select 1 from "orders" where "orders"."user_id" = "users"."id" and "total" > ?)',
        bindings: [100],
        native:
          'select * from "users" where exists (select 1 from "orders" where "orders"."user_id" = "users"."id" and "total" > $1)',
      },
    );
    testsql(
      g('users').whereNotExists(function () {
        this.select('*').from('bans').whereRaw('bans.uid = users.id');
      }),
      { sql: 'select * from "users" where not exists (select * from "bans" where bans.uid = users.id)' },
    );
  });

  test('whereRaw with ? values and ?? identifiers', () => {
    testsql(g('t').whereRaw('?? = ? or lower(??) like ?', ['a.b', 5, 'name', '%x%']), {
      sql: 'select * from "t" where "a"."b" = ? or lower("name") like ?',
      bindings: [5, '%x%'],
      native: 'select * from "t" where "a"."b" = $1 or lower("name") like $2',
    });
    testsql(g('t').where(g.raw('date_part(?, ??)', ['year', 'at']), '=', 2024), {
      sql: 'select * from "t" where date_part(?, "at") = ?',
      bindings: ['year', 2024],
      native: 'select * from "t" where date_part($1, "at") = $2',
    });
  });

  test('whereLike / whereILike', () => {
    testsql(g('t').whereLike('name', 'A%').orWhereILike('email', '%@EXAMPLE.com'), {
      sql: 'select * from "t" where "name" like ? or "email" ilike ?',
      bindings: ['A%', '%@EXAMPLE.com'],
      native: 'select * from "t" where "name" like $1 or "email" ilike $2',
    });
  });
});

describe('joins, grouping, ordering', () => {
  test('inner, left, and a join with several on clauses', () => {
    testsql(
      g('users')
        .join('accounts', 'users.id', 'accounts.user_id')
        .leftJoin('photos', function () {
          this.on('photos.user_id', '=', 'users.id').andOn('photos.kind', '=', 'accounts.kind');
          this.andOnVal('photos.public', '=', true);
        })
        .select('users.name', 'photos.url'),
      {
        sql:
          'select "users"."name", "photos"."url" from "users" inner join "accounts" on "users"."id" = "accounts"."user_id"' +
          ' left join "photos" on "photos"."user_id" = "users"."id" and "photos"."kind" = "accounts"."kind" and "photos"."public" = ?',
        bindings: [true],
        native:
          'select "users"."name", "photos"."url" from "users" inner join "accounts" on "users"."id" = "accounts"."user_id"' +
          ' left join "photos" on "photos"."user_id" = "users"."id" and "photos"."kind" = "accounts"."kind" and "photos"."public" = $1',
      },
    );
    testsql(
      g('a')
        .rightJoin('b', 'a.id', 'b.a_id')
        .fullOuterJoin('c', 'a.id', 'c.a_id')
        .crossJoin(g.raw('??', ['d'])),
      {
        sql: 'select * from "a" right join "b" on "a"."id" = "b"."a_id" full outer join "c" on "a"."id" = "c"."a_id" cross join "d"',
      },
    );
  });

  test('groupBy / having', () => {
    testsql(
      g('sales')
        .select('region')
        .sum({ total: 'amount' })
        .groupBy('region')
        .having('total', '>', 1000)
        .orHavingRaw('count(*) > ?', [10]),
      {
        sql: 'select "region", sum("amount") as "total" from "sales" group by "region" having "total" > ? or count(*) > ?',
        bindings: [1000, 10],
        native:
          'select "region", sum("amount") as "total" from "sales" group by "region" having "total" > $1 or count(*) > $2',
      },
    );
  });

  test('orderBy, with nulls first / last', () => {
    testsql(
      g('t')
        .orderBy('a')
        .orderBy('b', 'desc', 'last')
        .orderBy([{ column: 'c', order: 'asc', nulls: 'first' }]),
      { sql: 'select * from "t" order by "a" asc, "b" desc nulls last, "c" asc nulls first' },
    );
    testsql(g('t').orderByRaw('a <-> ?', ['x']), {
      sql: 'select * from "t" order by a <-> ?',
      bindings: ['x'],
      native: 'select * from "t" order by a <-> $1',
    });
  });
});

describe('limit and offset: written as numbers, never bound', () => {
  test('numbers in the SQL, nothing in the bindings', () => {
    testsql(g('t').where('a', 'x').limit(10).offset(20), {
      sql: 'select * from "t" where "a" = ? limit 10 offset 20',
      bindings: ['x'],
      native: 'select * from "t" where "a" = $1 limit 10 offset 20',
    });
    testsql(g('t').limit(0), { sql: 'select * from "t" limit 0' });
    testsql(g('t').offset(0), { sql: 'select * from "t"' });
    // In a subquery and a union too.
    testsql(g.select('*').from(g('t').limit(3).as('s')).union(g('u').select('*').limit(4)), {
      sql: 'select * from (select * from "t" limit 3) as "s" union select * from "u" limit 4',
    });
  });

  test('strings are parsed as integers; invalid and negative values', () => {
    testsql(
      g('t')
        .limit('5' as unknown as number)
        .offset('7' as unknown as number),
      {
        sql: 'select * from "t" limit 5 offset 7',
      },
    );
    // Knex ignores a limit it cannot parse, with a warning.
    testsql(g('t').limit('lots' as unknown as number), { sql: 'select * from "t"' });
    expect(warnings).toEqual(['A valid integer must be provided to limit']);
    expect(() => g('t').limit(-1).toSQL()).toThrow('limit must be a non-negative integer');
    expect(() => g('t').offset(-5)).toThrow('A non-negative integer must be provided to offset.');
  });
});

describe('union, with, raw', () => {
  test('union and unionAll', () => {
    testsql(
      g('a')
        .select('x')
        .where('k', 1)
        .union(function () {
          this.select('x').from('b').where('k', 2);
        })
        .unionAll(g('c').select('x')),
      {
        sql: 'select "x" from "a" where "k" = ? union select "x" from "b" where "k" = ? union all select "x" from "c"',
        bindings: [1, 2],
        native:
          'select "x" from "a" where "k" = $1 union select "x" from "b" where "k" = $2 union all select "x" from "c"',
      },
    );
  });

  test('with (CTE), also recursive', () => {
    testsql(
      g
        .with('recent', (q) => q.select('id').from('orders').where('at', '>', '2024-01-01'))
        .select('*')
        .from('recent'),
      {
        sql: 'with "recent" as (select "id" from "orders" where "at" > ?) select * from "recent"',
        bindings: ['2024-01-01'],
        native: 'with "recent" as (select "id" from "orders" where "at" > $1) select * from "recent"',
      },
    );
    testsql(
      g
        .withRecursive('n', ['i'], g.raw('select 1 union all select i + 1 from n where i < ?', [5]))
        .select('i')
        .from('n'),
      {
        sql: 'with recursive "n"("i") as (select 1 union all select i + 1 from n where i < ?) select "i" from "n"',
        bindings: [5],
        native:
          'with recursive "n"("i") as (select 1 union all select i + 1 from n where i < $1) select "i" from "n"',
      },
    );
  });

  test('raw with ? and ?? bindings, named bindings, and an escaped \\?', () => {
    testsql(g.raw('select ?? from ?? where ?? = ? and b = ?', ['a', 'sch.tab', 'c', 1, 'two']), {
      sql: 'select "a" from "sch"."tab" where "c" = ? and b = ?',
      bindings: [1, 'two'],
      native: 'select "a" from "sch"."tab" where "c" = $1 and b = $2',
    });
    testsql(g.raw('select * from :tbl: where id = :id', { tbl: 'users', id: 3 }), {
      sql: 'select * from "users" where id = ?',
      bindings: [3],
      native: 'select * from "users" where id = $1',
    });
    expect(g.raw("select '{\\?}' as a, ? as b", [1]).toSQL().toNative()).toEqual({
      sql: "select '{?}' as a, $1 as b",
      bindings: [1],
    });
  });
});

describe('insert, update, delete', () => {
  test('insert a row and several rows (missing values are DEFAULT)', () => {
    testsql(g('t').insert({ a: 1, b: 'x' }), {
      sql: 'insert into "t" ("a", "b") values (?, ?)',
      bindings: [1, 'x'],
      native: 'insert into "t" ("a", "b") values ($1, $2)',
    });
    testsql(
      g('t').insert([
        { a: 1, b: 'x' },
        { a: 2, c: null },
      ]),
      {
        sql: 'insert into "t" ("a", "b", "c") values (?, ?, DEFAULT), (?, DEFAULT, ?)',
        bindings: [1, 'x', 2, null],
        native: 'insert into "t" ("a", "b", "c") values ($1, $2, DEFAULT), ($3, DEFAULT, $4)',
      },
    );
    testsql(g('t').insert({}), { sql: 'insert into "t" default values' });
    testsql(g('t').insert(g('u').select('a').where('b', 1)), {
      sql: 'insert into "t" select "a" from "u" where "b" = ?',
      bindings: [1],
      native: 'insert into "t" select "a" from "u" where "b" = $1',
    });
  });

  test('update, delete, increment, decrement', () => {
    testsql(
      g('t')
        .where('id', 1)
        .update({ a: 2, b: g.raw('b || ?', ['!']) }),
      {
        sql: 'update "t" set "a" = ?, "b" = b || ? where "id" = ?',
        bindings: [2, '!', 1],
        native: 'update "t" set "a" = $1, "b" = b || $2 where "id" = $3',
      },
    );
    testsql(g('t').whereIn('id', [1, 2]).del(), {
      sql: 'delete from "t" where "id" in (?, ?)',
      bindings: [1, 2],
      native: 'delete from "t" where "id" in ($1, $2)',
    });
    testsql(g('t').where('id', 1).increment('n', 2), {
      sql: 'update "t" set "n" = "n" + ? where "id" = ?',
      bindings: [2, 1],
      native: 'update "t" set "n" = "n" + $1 where "id" = $2',
    });
    testsql(g('t').where('id', 1).decrement({ n: 1, m: 3 }), {
      sql: 'update "t" set "n" = "n" - ?, "m" = "m" - ? where "id" = ?',
      bindings: [1, 3, 1],
      native: 'update "t" set "n" = "n" - $1, "m" = "m" - $2 where "id" = $3',
    });
  });

  test('returning is written for profile duckdb', () => {
    const insert = duckdb('t').insert({ a: 1 }).returning(['id', 'a']).toSQL();
    expect(insert.toNative()).toEqual({
      sql: 'insert into "t" ("a") values ($1) returning "id", "a"',
      bindings: [1],
    });
    expect((insert as unknown as { returning: unknown }).returning).toEqual(['id', 'a']);
    testsql(duckdb('t').where('id', 1).update({ a: 2 }).returning('*'), {
      sql: 'update "t" set "a" = ? where "id" = ? returning *',
      bindings: [2, 1],
      native: 'update "t" set "a" = $1 where "id" = $2 returning *',
    });
    testsql(duckdb('t').where('id', 1).del().returning('id'), {
      sql: 'delete from "t" where "id" = ? returning "id"',
      bindings: [1],
      native: 'delete from "t" where "id" = $1 returning "id"',
    });
    expect(warnings).toEqual([]);
  });

  test('returning is dropped for profile generic, with a logged warning', () => {
    testsql(g('t').insert({ a: 1 }).returning('id'), {
      sql: 'insert into "t" ("a") values (?)',
      bindings: [1],
      native: 'insert into "t" ("a") values ($1)',
    });
    expect(warnings).toEqual([
      'flightsql dialect: .returning() is not supported on generic engines and was dropped',
    ]);
    warnings.length = 0;
    testsql(g('t').where('id', 1).update({ a: 2 }).returning('*'), {
      sql: 'update "t" set "a" = ? where "id" = ?',
      bindings: [2, 1],
      native: 'update "t" set "a" = $1 where "id" = $2',
    });
    testsql(datafusion('t').del().returning('id'), { sql: 'delete from "t"' });
    expect(warnings.length).toBeGreaterThan(0);
    expect(
      warnings.every((w) => /\.returning\(\) is not supported on (generic|datafusion) engines/.test(w)),
    ).toBe(true);
  });

  test('onConflict: on conflict for duckdb, NotSupportedError for generic', () => {
    testsql(duckdb('t').insert({ id: 1, a: 'x' }).onConflict('id').ignore(), {
      sql: 'insert into "t" ("a", "id") values (?, ?) on conflict ("id") do nothing',
      bindings: ['x', 1],
      native: 'insert into "t" ("a", "id") values ($1, $2) on conflict ("id") do nothing',
    });
    testsql(duckdb('t').insert({ id: 1, a: 'x' }).onConflict(['id']).merge(), {
      sql: 'insert into "t" ("a", "id") values (?, ?) on conflict ("id") do update set "a" = excluded."a", "id" = excluded."id"',
      bindings: ['x', 1],
      native:
        'insert into "t" ("a", "id") values ($1, $2) on conflict ("id") do update set "a" = excluded."a", "id" = excluded."id"',
    });
    testsql(duckdb('t').insert({ id: 1, a: 'x' }).onConflict('id').merge({ a: 'y' }), {
      sql: 'insert into "t" ("a", "id") values (?, ?) on conflict ("id") do update set "a" = ?',
      bindings: ['x', 1, 'y'],
      native: 'insert into "t" ("a", "id") values ($1, $2) on conflict ("id") do update set "a" = $3',
    });
    const refused = () => g('t').insert({ id: 1 }).onConflict('id').ignore().toSQL();
    expect(refused).toThrow(NotSupportedError);
    expect(refused).toThrow('.onConflict() is not supported on generic engines');
  });

  test('forUpdate / forShare are dropped with a warning', () => {
    testsql(g('t').where('id', 1).forUpdate(), {
      sql: 'select * from "t" where "id" = ?',
      bindings: [1],
      native: 'select * from "t" where "id" = $1',
    });
    expect(warnings).toContainEqual(
      expect.stringContaining('row locks (forUpdate, forShare, ...) are not supported'),
    );
    warnings.length = 0;
    testsql(duckdb('t').forShare(), { sql: 'select * from "t"' });
    expect(warnings).toContainEqual(
      expect.stringContaining('not supported on duckdb engines and were dropped'),
    );
  });

  test('truncate has no restart identity', () => {
    testsql(g('t').truncate(), { sql: 'truncate "t"' });
    testsql(g('t').withSchema('s').truncate(), { sql: 'truncate "s"."t"' });
  });
});

describe('schema builder', () => {
  test('createTable with the common column types (profile duckdb)', () => {
    const statements = ddl(
      duckdb.schema.createTable('things', (t) => {
        t.integer('id').primary();
        t.bigInteger('big');
        t.string('name', 50).notNullable();
        t.string('code');
        t.text('body');
        t.boolean('active').defaultTo(true);
        t.decimal('price', 10, 2);
        t.float('ratio');
        t.double('score');
        t.date('day');
        t.datetime('created');
        t.timestamp('seen', { useTz: false });
        t.time('at');
        t.binary('blob');
        t.json('doc');
        t.jsonb('docb');
        t.uuid('uid');
        t.enu('mood', ['happy', "it's ok"]);
        t.string('note').defaultTo("it's");
      }),
    );
    expect(statements).toEqual([
      'create table "things" (' +
        [
          '"id" integer',
          '"big" bigint',
          '"name" varchar(50) not null',
          '"code" varchar(255)',
          '"body" text',
          `"active" boolean default '1'`,
          '"price" decimal(10, 2)',
          '"ratio" real',
          '"score" double precision',
          '"day" date',
          '"created" timestamptz',
          '"seen" timestamp',
          '"at" time',
          '"blob" blob',
          '"doc" json',
          '"docb" json',
          '"uid" uuid',
          `"mood" text check ("mood" in ('happy', 'it''s ok'))`,
          `"note" varchar(255) default 'it''s'`,
          'constraint "things_pkey" primary key ("id")',
        ].join(', ') +
        ')',
    ]);
  });

  test('foreign keys and unique constraints are written inside CREATE TABLE', () => {
    const statements = ddl(
      duckdb.schema.createTable('pets', (t) => {
        t.integer('id').primary();
        t.integer('owner_id').references('id').inTable('persons');
        t.integer('vet_id');
        t.foreign('vet_id', 'pets_vet').references('vets.id');
        t.string('tag').unique();
        t.index(['owner_id']);
      }),
    );
    expect(statements).toEqual([
      'create table "pets" ("id" integer, "owner_id" integer, "vet_id" integer, "tag" varchar(255), ' +
        'constraint "pets_owner_id_foreign" foreign key ("owner_id") references "persons" ("id"), ' +
        'constraint "pets_vet" foreign key ("vet_id") references "vets" ("id"), ' +
        'constraint "pets_tag_unique" unique ("tag"), ' +
        'constraint "pets_pkey" primary key ("id"))',
      'create index "pets_owner_id_index" on "pets" ("owner_id")',
    ]);
    expect(statements.some((s) => s.includes('add constraint'))).toBe(false);
    // A unique *index* (useConstraint: false) stays a statement of its own.
    expect(
      ddl(
        duckdb.schema.createTable('u', (t) => {
          t.integer('a');
          t.unique(['a'], { indexName: 'u_a', useConstraint: false });
        }),
      ),
    ).toEqual(['create table "u" ("a" integer)', 'create unique index "u_a" on "u" ("a")']);
  });

  test('a native enum type has its values quoted', () => {
    expect(
      ddl(
        duckdb.schema.createTable('e', (t) =>
          t.enu('m', ["a'b", 'c'], { useNative: true, enumName: 'mood' }),
        ),
      ),
    ).toEqual([`create type "mood" as enum ('a''b', 'c')`, 'create table "e" ("m" "mood")']);
  });

  test('a table comment is quoted', () => {
    expect(
      ddl(
        duckdb.schema.createTable('c', (t) => {
          t.comment("Bob's table");
          t.integer('a').comment("a's");
        }),
      ),
    ).toEqual([
      'create table "c" ("a" integer)',
      `comment on table "c" is 'Bob''s table'`,
      `comment on column "c"."a" is 'a''s'`,
    ]);
  });

  test('increments() and bigIncrements(): a sequence and nextval() on duckdb, NotSupportedError without sequences', () => {
    expect(
      ddl(
        duckdb.schema.createTable('users', (t) => {
          t.increments();
          t.string('name');
        }),
      ),
    ).toEqual([
      'create sequence if not exists "users_id_seq"',
      `create table "users" ("id" integer default nextval('"users_id_seq"') not null primary key, "name" varchar(255))`,
    ]);
    // Knex's own lock table (increments('index').primary()), in a schema; bigIncrements without a key.
    expect(
      ddl(
        duckdb.schema.withSchema('app').createTable('knex_migrations_lock', (t) => {
          t.increments('index').primary();
          t.integer('is_locked');
        }),
      ),
    ).toEqual([
      'create sequence if not exists "app"."knex_migrations_lock_index_seq"',
      'create table "app"."knex_migrations_lock" (' +
        `"index" integer default nextval('"app"."knex_migrations_lock_index_seq"') not null primary key, ` +
        '"is_locked" integer)',
    ]);
    expect(
      ddl(
        duckdb.schema.createTableIfNotExists('s.t', (t) => {
          t.bigIncrements('n', { primaryKey: false });
        }),
      ),
    ).toEqual([
      'create sequence if not exists "s"."t_n_seq"',
      `create table if not exists "s"."t" ("n" bigint default nextval('"s"."t_n_seq"') not null)`,
    ]);
    // ALTER TABLE ... ADD COLUMN takes no constraint on DuckDB: no primary key there.
    expect(ddl(duckdb.schema.alterTable('t', (t) => t.increments('seq', { primaryKey: false })))).toEqual([
      'create sequence if not exists "t_seq_seq"',
      `alter table "t" add column "seq" integer default nextval('"t_seq_seq"')`,
    ]);
    expect(() => duckdb.schema.alterTable('t', (t) => t.increments('id')).toSQL()).toThrow(
      /primaryKey: false/,
    );
    expect(() => duckdb.schema.createTable('a"b', (t) => t.increments()).toSQL()).toThrow(NotSupportedError);
    for (const k of [generic, datafusion]) {
      expect(() => k.schema.createTable('x', (t) => t.increments('id')).toSQL()).toThrow(NotSupportedError);
      expect(() => k.schema.createTable('x', (t) => t.bigIncrements('id')).toSQL()).toThrow(
        /not supported on (generic|datafusion) engines \(no sequences\): use an explicit integer key/,
      );
    }
  });

  test('dropTable on duckdb is a request that also drops the sequences the table owns', () => {
    const [drop] = (
      duckdb.schema.withSchema('app').dropTableIfExists('users') as unknown as {
        toSQL(): { sql: string; flightSql: unknown }[];
      }
    ).toSQL();
    expect(drop).toMatchObject({
      sql: 'drop table if exists "app"."users"',
      flightSql: { kind: 'dropTable', schema: 'app', table: 'users' },
    });
    const [qualified] = (
      duckdb.schema.dropTable('db.app.users') as unknown as {
        toSQL(): { flightSql: unknown }[];
      }
    ).toSQL();
    expect(qualified!.flightSql).toEqual({ kind: 'dropTable', catalog: 'db', schema: 'app', table: 'users' });
    const [plain] = (
      generic.schema.dropTable('users') as unknown as { toSQL(): { flightSql?: unknown }[] }
    ).toSQL();
    expect(plain!.flightSql).toBeUndefined();
  });

  test('types differ by profile', () => {
    expect(
      ddl(
        generic.schema.createTable('g', (t) => {
          t.json('j');
          t.binary('b');
          t.float('f');
        }),
      ),
    ).toEqual(['create table "g" ("j" json, "b" bytea, "f" real)']);
    expect(() => datafusion.schema.createTable('d', (t) => t.json('j')).toSQL()).toThrow(NotSupportedError);
  });

  test('dropTable, dropTableIfExists, withSchema, renameTable', () => {
    expect(ddl(duckdb.schema.dropTable('t'))).toEqual(['drop table "t"']);
    expect(ddl(duckdb.schema.dropTableIfExists('t'))).toEqual(['drop table if exists "t"']);
    expect(ddl(duckdb.schema.withSchema('s').dropTableIfExists('t'))).toEqual([
      'drop table if exists "s"."t"',
    ]);
    expect(ddl(duckdb.schema.withSchema('s').createTable('t', (t) => t.integer('a')))).toEqual([
      'create table "s"."t" ("a" integer)',
    ]);
    expect(ddl(duckdb.schema.renameTable('a', 'b') as unknown as Knex.SchemaBuilder)).toEqual([
      'alter table "a" rename to "b"',
    ]);
  });

  test('alterTable: add, drop and rename columns, one change per statement (DuckDB takes no more)', () => {
    expect(
      ddl(
        duckdb.schema.alterTable('t', (t) => {
          t.string('email', 100).nullable();
          t.integer('rank').defaultTo(3);
        }),
      ),
    ).toEqual([
      'alter table "t" add column "email" varchar(100) null',
      `alter table "t" add column "rank" integer default '3'`,
    ]);
    expect(
      ddl(
        duckdb.schema.alterTable('t', (t) => {
          t.dropColumn('email');
          t.dropColumns('a', 'b');
        }),
      ),
    ).toEqual([
      'alter table "t" drop column "email"',
      'alter table "t" drop column "a"',
      'alter table "t" drop column "b"',
    ]);
    expect(ddl(duckdb.schema.alterTable('t', (t) => t.renameColumn('a', 'b')))).toEqual([
      'alter table "t" rename "a" to "b"',
    ]);
  });

  test('hasTable, hasColumn and columnInfo compile to metadata requests, not SQL', () => {
    const [hasTable] = (duckdb.schema.hasTable('t') as unknown as { toSQL(): unknown }).toSQL() as {
      sql: string;
      flightSql: unknown;
    }[];
    expect(hasTable).toMatchObject({
      sql: '/* flightsql: GetTables t (hasTable) */',
      flightSql: { kind: 'tables', table: 't', columns: false },
    });
    const info = (
      duckdb('t').withSchema('s').columnInfo('a') as unknown as { toSQL(): { flightSql: unknown } }
    ).toSQL();
    expect(info.flightSql).toEqual({ kind: 'tables', table: 't', schema: 's', columns: true });
  });
});

describe('literals: toString(), toQuery() and the inline bindings mode', () => {
  test('strings are standard SQL strings: quotes doubled, backslashes as they are, no E prefix', () => {
    expect(g('t').where('a', "it's").toString()).toBe(`select * from "t" where "a" = 'it''s'`);
    expect(g('t').where('a', 'back\\slash').toQuery()).toBe(`select * from "t" where "a" = 'back\\slash'`);
    expect(g('t').where('a', "\\'").toString()).toBe(`select * from "t" where "a" = '\\'''`);
    expect(() => g.raw('select ?', ['a\0b']).toString()).toThrow(DataError);
  });

  test('Date is a TIMESTAMP literal in UTC whatever the process time zone', () => {
    const tz = process.env['TZ'];
    const date = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));
    try {
      for (const zone of ['UTC', 'America/Los_Angeles', 'Asia/Kolkata']) {
        process.env['TZ'] = zone;
        expect(g('t').where('at', date).toString()).toBe(
          `select * from "t" where "at" = TIMESTAMP '2024-01-02 03:04:05.678'`,
        );
      }
    } finally {
      if (tz === undefined) delete process.env['TZ'];
      else process.env['TZ'] = tz;
    }
    expect(() => g.raw('select ?', [new Date(Number.NaN)]).toString()).toThrow(DataError);
  });

  test('booleans, null, numbers and bigint', () => {
    expect(g('t').where('a', true).orWhere('b', false).orWhere('c', null).toString()).toBe(
      'select * from "t" where "a" = TRUE or "b" = FALSE or "c" is null',
    );
    expect(raw(g, 'select ?, ?, ?, ?', [12345678901234567890n, -0, 1.5e-7, null]).toString()).toBe(
      'select 12345678901234567890, 0, 1.5e-7, NULL',
    );
    expect(g.raw('select ?, ?, ?', [Number.NaN, Infinity, -Infinity]).toString()).toBe(
      `select CAST('NaN' AS DOUBLE), CAST('Infinity' AS DOUBLE), CAST('-Infinity' AS DOUBLE)`,
    );
  });

  test("binary as X'..' (generic) or '\\x..'::BLOB (duckdb)", () => {
    const bytes = new Uint8Array([0xde, 0xad, 0x00, 0x01]);
    expect(raw(g, 'select ?', [bytes]).toString()).toBe(`select X'dead0001'`);
    expect(g.raw('select ?', [Buffer.from('hi')]).toString()).toBe(`select X'6869'`);
    expect(raw(duckdb, 'select ?', [bytes]).toString()).toBe(`select '\\xde\\xad\\x00\\x01'::BLOB`);
    // A view on part of a buffer writes only its own bytes.
    expect(raw(g, 'select ?', [new Uint8Array(bytes.buffer, 1, 2)]).toString()).toBe(`select X'ad00'`);
  });

  test('arrays as [..] lists; objects as JSON text', () => {
    expect(
      raw(g, 'select ?, ?', [
        [1, 2, null],
        [['a'], ["b'"]],
      ]).toString(),
    ).toBe(`select [1, 2, NULL], [['a'], ['b''']]`);
    expect(g('t').whereIn('a', [1, "b'"]).toString()).toBe(`select * from "t" where "a" in (1, 'b''')`);
    expect(
      g('t')
        .insert({ doc: { k: "v'" } })
        .toString(),
    ).toBe(`insert into "t" ("doc") values ('{"k":"v''"}')`);
  });

  test('limit and offset stay numbers in toString()', () => {
    expect(g('t').where('a', 1).limit(3).offset(2).toString()).toBe(
      'select * from "t" where "a" = 1 limit 3 offset 2',
    );
  });

  test('inline mode: the native SQL with its bindings written in', () => {
    const native = duckdb('t')
      .where('name', "O'Brien")
      .whereIn('id', [1, 2])
      .where('at', '<', new Date(Date.UTC(2024, 5, 1)))
      .limit(5)
      .toSQL()
      .toNative();
    expect(inlineBindings(native.sql, native.bindings, PROFILES.duckdb)).toBe(
      `select * from "t" where "name" = 'O''Brien' and "id" in (1, 2) and "at" < TIMESTAMP '2024-06-01 00:00:00.000' limit 5`,
    );
  });

  test('inlineBindings replaces placeholders only outside strings, names, comments and $$ quoting', () => {
    const p = PROFILES.generic;
    expect(inlineBindings(`select $1, '$1', "$1", $2`, ['a', 'b'], p)).toBe(`select 'a', '$1', "$1", 'b'`);
    expect(inlineBindings(`select 'it''s $1' || $1`, [1], p)).toBe(`select 'it''s $1' || 1`);
    expect(inlineBindings(`select "a""$1" from t where x = $1`, [1], p)).toBe(
      `select "a""$1" from t where x = 1`,
    );
    expect(inlineBindings('select $1 -- $1\n, $1 /* $1 */', [7], p)).toBe('select 7 -- $1\n, 7 /* $1 */');
    expect(inlineBindings('select /* a /* $1 */ $1 */ $1', [7], p)).toBe('select /* a /* $1 */ $1 */ 7');
    expect(inlineBindings('select $$ $1 $$, $tag$ $1 $tag$, $t1$ $1 $t1$, $1', [7], p)).toBe(
      'select $$ $1 $$, $tag$ $1 $tag$, $t1$ $1 $t1$, 7',
    );
    expect(inlineBindings(`select E'\\' $1', $1`, [7], p)).toBe(`select E'\\' $1', 7`);
  });

  test('inlineBindings: $10 is not $1, and a missing binding is an error', () => {
    const values = Array.from({ length: 11 }, (_, i) => `v${i + 1}`);
    expect(inlineBindings('select $1, $10, $11', values, PROFILES.generic)).toBe(`select 'v1', 'v10', 'v11'`);
    expect(() => inlineBindings('select $2', [1], PROFILES.generic)).toThrow(DataError);
    expect(() => inlineBindings('select $0', [1], PROFILES.generic)).toThrow('no binding for $0');
  });
});
