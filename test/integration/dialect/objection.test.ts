/**
 * A real ORM over the dialect: Objection.js models (`Person` has many `Pet`, `Pet` belongs to one
 * `Person`) on tables made with Knex's schema builder on the embedded server (DuckDB). Covers
 * `fetchTableMetadata` (from the dialect's columnInfo), insert with client-generated ids both with
 * RETURNING (profile duckdb) and without it (profile generic: the insert resolves to `[]`, never a
 * count taken for an id), patch/patchAndFetchById, delete/deleteById counts, where/orderBy,
 * relations through `withGraphFetched`, `withGraphJoined` and `relatedQuery`, `count()`, and
 * `Model.transaction` committing and rolling back.
 */
import knex, { type Knex } from 'knex';
import { Model, type RelationMappings } from 'objection';
import FlightSQLDialect from '../../../dialect';
import { startServer, type RunningServer } from '../../../src/server';

class Person extends Model {
  id!: number;
  name!: string;
  age!: number | null;
  pets?: Pet[];

  static override tableName = 'persons';

  static override get relationMappings(): RelationMappings {
    return {
      pets: {
        relation: Model.HasManyRelation,
        modelClass: Pet,
        join: { from: 'persons.id', to: 'pets.owner_id' },
      },
    };
  }
}

class Pet extends Model {
  id!: number;
  owner_id!: number | null;
  name!: string | null;
  species!: string | null;
  owner?: Person;

  static override tableName = 'pets';

  static override get relationMappings(): RelationMappings {
    return {
      owner: {
        relation: Model.BelongsToOneRelation,
        modelClass: Person,
        join: { from: 'pets.owner_id', to: 'persons.id' },
      },
    };
  }
}

let server: RunningServer;
/** Profile from the server's name (duckdb): RETURNING is written. */
let db: Knex;
/** The same server compiled for profile generic: RETURNING is dropped with a warning. */
let generic: Knex;
const warnings: string[] = [];
const statements: string[] = [];

beforeAll(async () => {
  server = await startServer();
  db = knex({ client: FlightSQLDialect, connection: { host: server.location } } as Knex.Config);
  generic = knex({
    client: FlightSQLDialect,
    connection: { host: server.location },
    profile: 'generic',
    log: { warn: (message: string) => warnings.push(message) },
  } as Knex.Config);
  for (const k of [db, generic]) k.on('query', (q: { sql: string }) => statements.push(q.sql));
  Model.knex(db);

  await db.schema.createTable('persons', (t) => {
    t.integer('id').primary();
    t.string('name').notNullable();
    t.integer('age');
  });
  await db.schema.createTable('pets', (t) => {
    t.integer('id').primary();
    t.integer('owner_id').references('id').inTable('persons');
    t.string('name');
    t.string('species');
  });
  await db('persons').insert([
    { id: 1, name: 'Jennifer', age: 40 },
    { id: 2, name: 'Arnold', age: 31 },
    { id: 3, name: 'Zoe', age: 12 },
  ]);
  await db('pets').insert([
    { id: 1, owner_id: 1, name: 'Fluffy', species: 'dog' },
    { id: 2, owner_id: 1, name: 'Doggo', species: 'dog' },
    { id: 3, owner_id: 2, name: 'Tom', species: 'cat' },
  ]);
});

afterAll(async () => {
  await Promise.all([db?.destroy(), generic?.destroy()]);
  await server?.close();
});

beforeEach(() => {
  warnings.length = 0;
  statements.length = 0;
});

test('fetchTableMetadata lists the columns in table order (from columnInfo over GetTables)', async () => {
  expect(await Person.fetchTableMetadata()).toEqual({ columns: ['id', 'name', 'age'] });
  expect(await Pet.fetchTableMetadata()).toEqual({ columns: ['id', 'owner_id', 'name', 'species'] });
  expect(statements.some((sql) => sql.includes('GetTables persons (columnInfo)'))).toBe(true);
});

test('insert with RETURNING (profile duckdb) keeps the client id and merges what came back', async () => {
  const person = await Person.query().insert({ id: 10, name: 'Returning', age: 20 });
  expect(person).toBeInstanceOf(Person);
  expect(person.id).toBe(10);
  expect(person.name).toBe('Returning');
  expect(statements).toContainEqual(expect.stringMatching(/^insert into "persons" .* returning "id"$/));
  const stored = await Person.query().findById(10);
  expect(stored).toMatchObject({ id: 10, name: 'Returning', age: 20 });
  expect(await Person.query().deleteById(10)).toBe(1);
});

test('insert without RETURNING (profile generic) resolves to [] and the model keeps its id', async () => {
  // Knex itself: an insert has nothing to report without RETURNING; a row count is no id.
  expect(await generic('persons').insert({ id: 20, name: 'Raw', age: null })).toEqual([]);
  const GenericPerson = Person.bindKnex(generic);
  const person = await GenericPerson.query().insert({ id: 21, name: 'NoReturning', age: 5 });
  expect(person.id).toBe(21);
  expect(person.name).toBe('NoReturning');
  // Objection asked for .returning('id'); the dialect dropped it and said so.
  expect(statements).toContainEqual('insert into "persons" ("age", "id", "name") values ($1, $2, $3)');
  expect(statements.some((sql) => sql.includes('returning'))).toBe(false);
  expect(warnings).toContainEqual(
    expect.stringContaining('.returning() is not supported on generic engines'),
  );
  const rows = await GenericPerson.query().whereIn('id', [20, 21]).orderBy('id');
  expect(rows.map((p) => [p.id, p.name, p.age])).toEqual([
    [20, 'Raw', null],
    [21, 'NoReturning', 5],
  ]);
  expect(rows[0]).toBeInstanceOf(GenericPerson);
  expect(await GenericPerson.query().delete().whereIn('id', [20, 21])).toBe(2);
});

test('patch resolves to the affected count; patchAndFetchById returns the updated model', async () => {
  expect(await Person.query().patch({ age: 41 }).where('id', 1)).toBe(1);
  expect(await Person.query().patch({ age: 0 }).where('id', -1)).toBe(0);
  const patched = await Person.query().patchAndFetchById(1, { age: 42 });
  expect(patched).toBeInstanceOf(Person);
  expect(patched).toMatchObject({ id: 1, name: 'Jennifer', age: 42 });
  expect((await Person.query().findById(1))?.age).toBe(42);
  const person = (await Person.query().findById(2))!;
  expect(await person.$query().patch({ age: 32 })).toBe(1);
  expect((await Person.query().findById(2))?.age).toBe(32);
  await Person.query().patch({ age: 40 }).where('id', 1);
  await Person.query().patch({ age: 31 }).where('id', 2);
});

test('delete and deleteById resolve to counts', async () => {
  for (const id of [30, 31, 32]) await Person.query().insert({ id, name: `Temp ${id}`, age: id });
  expect(await Person.query().deleteById(30)).toBe(1);
  expect(await Person.query().deleteById(30)).toBe(0);
  expect(await Person.query().delete().where('id', '>=', 31).andWhere('id', '<=', 32)).toBe(2);
  expect(await Person.query().findById(31)).toBeUndefined();
});

test('where / orderBy / select return model instances with the stored values', async () => {
  const adults = await Person.query().where('age', '>', 18).orderBy('name');
  expect(adults.map((p) => p.name)).toEqual(['Arnold', 'Jennifer']);
  expect(adults.every((p) => p instanceof Person)).toBe(true);
  const young = await Person.query().select('name').where('name', 'like', 'Z%').first();
  expect(young?.name).toBe('Zoe');
  const ordered = await Person.query().orderBy('age', 'desc').limit(2).offset(1);
  expect(ordered.map((p) => p.id)).toEqual([2, 3]);
});

test('withGraphFetched loads the pets of each person', async () => {
  const people = await Person.query()
    .withGraphFetched('pets')
    .modifyGraph('pets', (b) => b.orderBy('id'))
    .orderBy('id');
  expect(people.map((p) => [p.name, p.pets!.map((pet) => pet.name)])).toEqual([
    ['Jennifer', ['Fluffy', 'Doggo']],
    ['Arnold', ['Tom']],
    ['Zoe', []],
  ]);
  expect(people[0]!.pets![0]).toBeInstanceOf(Pet);
  expect(people[0]!.pets![0]).toMatchObject({ id: 1, owner_id: 1, name: 'Fluffy', species: 'dog' });

  const pet = await Pet.query().findById(3).withGraphFetched('owner');
  expect(pet?.owner).toBeInstanceOf(Person);
  expect(pet?.owner).toMatchObject({ id: 2, name: 'Arnold' });
});

test('withGraphJoined selects every column (from columnInfo) and rebuilds the graph', async () => {
  const people = await Person.query()
    .withGraphJoined('pets')
    .where('pets.species', 'dog')
    .orderBy(['persons.id', 'pets.id']);
  expect(people).toHaveLength(1);
  const [jennifer] = people;
  expect(jennifer).toBeInstanceOf(Person);
  expect(jennifer).toMatchObject({ id: 1, name: 'Jennifer', age: 40 });
  expect(jennifer!.pets!.map((p) => ({ ...p }))).toEqual([
    { id: 1, owner_id: 1, name: 'Fluffy', species: 'dog' },
    { id: 2, owner_id: 1, name: 'Doggo', species: 'dog' },
  ]);
  // The join selects each column by name, with the relation's columns aliased.
  const join = statements.find((sql) => sql.includes('left join "pets"'));
  expect(join).toContain('"pets"."species" as "pets:species"');

  const everyone = await Person.query().withGraphJoined('pets').orderBy(['persons.id', 'pets.id']);
  expect(everyone.map((p) => [p.id, p.pets!.map((pet) => pet.id)])).toEqual([
    [1, [1, 2]],
    [2, [3]],
    [3, []],
  ]);
});

test('relatedQuery reads and inserts through a relation', async () => {
  const cats = await Person.relatedQuery('pets').for(2);
  expect(cats.map((p) => p.name)).toEqual(['Tom']);
  const zoe = (await Person.query().findById(3))!;
  const pet = await zoe.$relatedQuery('pets').insert({ id: 40, name: 'Nemo', species: 'fish' });
  expect(pet).toMatchObject({ id: 40, owner_id: 3, name: 'Nemo' });
  expect((await Pet.query().findById(40))?.owner_id).toBe(3);
  expect(await Pet.query().deleteById(40)).toBe(1);
});

test('count() and resultSize()', async () => {
  // DuckDB's count is BIGINT, which the driver gives as a bigint. Without an alias the dialect
  // names the column after the function, as PostgreSQL does (DuckDB alone would say "count_star()").
  expect(await Person.query().count()).toEqual([{ count: 3n }]);
  expect(await Person.query().count('* as count')).toEqual([{ count: 3n }]);
  expect(await Person.query().where('age', '<', 35).resultSize()).toBe(2);
  const perOwner = await Pet.query()
    .select('owner_id')
    .count('id as n')
    .groupBy('owner_id')
    .orderBy('owner_id');
  expect(perOwner.map((r) => [r.owner_id, (r as unknown as { n: bigint }).n])).toEqual([
    [1, 2n],
    [2, 1n],
  ]);
});

test('Model.transaction commits, and a failure rolls every write back', async () => {
  await Person.transaction(async (trx) => {
    await Person.query(trx).insert({ id: 50, name: 'Committed', age: 1 });
    await Pet.query(trx).insert({ id: 50, owner_id: 50, name: 'Kept', species: 'dog' });
  });
  expect((await Person.query().findById(50))?.name).toBe('Committed');
  expect((await Pet.query().findById(50))?.name).toBe('Kept');

  await expect(
    Person.transaction(async (trx) => {
      await Person.query(trx).insert({ id: 60, name: 'Doomed', age: 2 });
      await Pet.query(trx).insert({ id: 60, owner_id: 60, name: 'Gone', species: 'cat' });
      expect((await Person.query(trx).findById(60))?.name).toBe('Doomed');
      await Person.query(trx).patch({ age: 99 }).where('id', 50);
      throw new Error('boom');
    }),
  ).rejects.toThrow('boom');
  expect(await Person.query().findById(60)).toBeUndefined();
  expect(await Pet.query().findById(60)).toBeUndefined();
  expect((await Person.query().findById(50))?.age).toBe(1);

  await Pet.query().deleteById(50);
  await Person.query().deleteById(50);
});
