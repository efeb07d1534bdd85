/** Connection-level transactions: autocommit, commit, rollback, close, and servers without transactions. */
import { connect, NotSupportedError, ProgrammingError, type Connection } from '../../../src';
import { startServer, type RunningServer } from '../../../src/server';

let server: RunningServer;
let observer: Connection;

const count = async (con: Connection = observer) => {
  const cur = con.cursor();
  await cur.execute('SELECT count(*) FROM ledger');
  return (await cur.fetchone()) as [bigint];
};

beforeAll(async () => {
  server = await startServer();
  observer = await connect(server.location);
  await observer.cursor().execute('CREATE TABLE ledger (id INTEGER, amount DECIMAL(10, 2))');
});
afterAll(async () => {
  await observer.close();
  await server.close();
});
beforeEach(async () => {
  await observer.cursor().execute('DELETE FROM ledger');
});

test('autocommit is on by default: every statement is visible at once', async () => {
  await using con = await connect(server.location);
  expect(con.autocommit).toBe(true);
  expect(con.serverInfo.transactions).toBe(true);
  await con.cursor().execute('INSERT INTO ledger VALUES (1, 1.00)');
  expect(con.inTransaction).toBe(false);
  expect(await count()).toEqual([1n]);
});

test('autocommit off: a transaction opens on first use; invisible to others until commit', async () => {
  await using con = await connect(server.location, { autocommit: false });
  const begin = jest.spyOn(con.client, 'beginTransaction');
  const cur = con.cursor();
  await cur.execute('INSERT INTO ledger VALUES (?, ?)', [1, '10.50']);
  await cur.executemany('INSERT INTO ledger VALUES (?, ?)', [
    [2, '20.00'],
    [3, '30.00'],
  ]);
  expect(begin).toHaveBeenCalledTimes(1);
  expect(con.inTransaction).toBe(true);
  expect(await count(con)).toEqual([3n]); // its own writes
  expect(await count()).toEqual([0n]); // another session sees none
  await con.commit();
  expect(con.inTransaction).toBe(false);
  expect(await count()).toEqual([3n]);
  // The next statement opens the next transaction.
  await cur.execute('DELETE FROM ledger WHERE id = 1');
  expect(begin).toHaveBeenCalledTimes(2);
  await con.rollback();
  expect(await count()).toEqual([3n]);
});

test('rollback discards; so does close() without commit', async () => {
  const con = await connect(server.location, { autocommit: false });
  await con.cursor().execute('INSERT INTO ledger VALUES (1, 1.00)');
  await con.rollback();
  expect(await count(con)).toEqual([0n]);
  await con.cursor().execute('INSERT INTO ledger VALUES (2, 2.00)');
  await con.close();
  expect(await count()).toEqual([0n]);
});

test('turning autocommit on inside a transaction is refused; after commit it is allowed', async () => {
  await using con = await connect(server.location);
  con.autocommit = false;
  await con.cursor().execute('INSERT INTO ledger VALUES (1, 1.00)');
  expect(() => (con.autocommit = true)).toThrow(ProgrammingError);
  await con.commit();
  con.autocommit = true;
  expect(await count()).toEqual([1n]);
});

describe('a server without transactions', () => {
  let plain: RunningServer;
  beforeAll(async () => {
    plain = await startServer({ transactions: false });
    await using con = await connect(plain.location);
    await con.cursor().execute('CREATE TABLE ledger (id INTEGER, amount DECIMAL(10, 2))');
  });
  afterAll(async () => {
    await plain.close();
  });

  test('commit() does nothing, rollback() is NotSupportedError, statements commit as they run', async () => {
    await using con = await connect(plain.location, { autocommit: false });
    expect(con.serverInfo.transactions).toBe(false);
    await con.cursor().execute('INSERT INTO ledger VALUES (1, 1.00)');
    await using other = await connect(plain.location);
    expect(await count(other)).toEqual([1n]);
    await con.commit();
    await expect(con.rollback()).rejects.toBeInstanceOf(NotSupportedError);
    await expect(con.rollback()).rejects.toThrow(/no transactions/);
  });
});
