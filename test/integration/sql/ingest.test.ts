import { Schema, Field, Int32, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { IntegrityError, ProgrammingError, RowConverter } from '../../../src';
import { queryTable, useServer } from '../fixture';

const data = (ids: number[], names: (string | null)[]) =>
  new Table({ id: vectorFromArray(Int32Array.from(ids)), name: vectorFromArray(names, new Utf8()) });

describe('bulk ingest (CommandStatementIngest)', () => {
  const fx = useServer();
  const rows = async (sql: string) => {
    const table = await queryTable(fx.client, sql);
    return table.batches.flatMap((b) => new RowConverter(table.schema, { rowMode: 'object' }).rows(b));
  };

  test('create makes the table, then appends', async () => {
    expect(await fx.client.executeIngest(data([1, 2], ['a', null]), { table: 'people' })).toBe(2);
    expect(await fx.client.executeIngest(data([3], ['c']), { table: 'people', mode: 'create' })).toBe(1);
    expect(await rows('SELECT * FROM people ORDER BY id')).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: null },
      { id: 3, name: 'c' },
    ]);
  });

  test('append needs the table; fail-if-exists refuses an existing one; replace starts over', async () => {
    await expect(
      fx.client.executeIngest(data([1], ['x']), { table: 'missing', mode: 'append' }),
    ).rejects.toBeInstanceOf(ProgrammingError);
    await expect(
      fx.client.executeIngest(data([9], ['z']), { table: 'people', mode: 'fail-if-exists' }),
    ).rejects.toBeInstanceOf(IntegrityError);
    expect(await fx.client.executeIngest(data([7], ['r']), { table: 'people', mode: 'replace' })).toBe(1);
    expect(await rows('SELECT * FROM people')).toEqual([{ id: 7, name: 'r' }]);
    expect(await fx.client.executeIngest(data([8], ['s']), { table: 'people', mode: 'append' })).toBe(1);
  });

  test('into another schema, from several batches, and an empty upload', async () => {
    await fx.exec('CREATE SCHEMA staging');
    const batches = [...data([1, 2], ['a', 'b']).batches, ...data([3], ['c']).batches];
    expect(await fx.client.executeIngest(batches, { table: 't', schema: 'staging' })).toBe(3);
    expect(await rows('SELECT count(*) AS n FROM staging.t')).toEqual([{ n: 3n }]);
    const empty = new Schema([new Field('id', new Int32(), true)]);
    expect(await fx.client.executeIngest([], { table: 'empty_t', dataSchema: empty })).toBe(0);
    expect(await rows('SELECT count(*) AS n FROM empty_t')).toEqual([{ n: 0n }]);
  });

  test('a temporary table lives in a transaction; outside one it is refused', async () => {
    await expect(
      fx.client.executeIngest(data([1], ['t']), { table: 'scratch', temporary: true }),
    ).rejects.toThrow(/needs a transaction/);
    const txn = await fx.client.beginTransaction();
    expect(await txn.executeIngest(data([1, 2], ['x', 'y']), { table: 'scratch', temporary: true })).toBe(2);
    const info = await txn.execute('SELECT count(*) AS n FROM temp.main.scratch');
    const table = await (await fx.client.doGet(info.endpoints[0]!.ticket)).readAll();
    expect(table.getChild('n')!.get(0)).toBe(2n);
    await txn.rollback();
  });
});
