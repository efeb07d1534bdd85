/**
 * The DB-API 2.0 compliance suite (Stuart Bishop's dbapi20.py, version 1.15), ported to async
 * TypeScript and run against the embedded server. Adapted only where JavaScript forces it:
 * methods return Promises; `None` is `null`; Python's `STRING == type_code` is
 * `STRING.equals(type_code)`; the hierarchy's roots are JS Error classes.
 */
import * as driver from '../../../src';
import type { Connection, Cursor } from '../../../src';
import { startServer, type RunningServer } from '../../../src/server';

const tablePrefix = 'dbapi20test_';
const ddl1 = `create table ${tablePrefix}booze (name varchar(20))`;
const ddl2 = `create table ${tablePrefix}barflys (name varchar(20), drink varchar(30))`;
const xddl1 = `drop table ${tablePrefix}booze`;
const xddl2 = `drop table ${tablePrefix}barflys`;
const insert = 'insert';
const samples = ['Carlton Cold', 'Carlton Draft', 'Mountain Goat', 'Redback', 'Victoria Bitter', 'XXXX'];

let server: RunningServer;
const open: Connection[] = [];

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

async function connect(): Promise<Connection> {
  const con = await driver.connect(server.location);
  open.push(con);
  return con;
}

// dbapi20 tearDown: drop the tables whatever the test left behind.
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  const con = await driver.connect(server.location);
  const cur = con.cursor();
  for (const ddl of [xddl1, xddl2]) await cur.execute(ddl.replace('drop table', 'drop table if exists'));
  await con.close();
});

const executeDDL1 = (cur: Cursor) => cur.execute(ddl1);
const executeDDL2 = (cur: Cursor) => cur.execute(ddl2);
const populate = () => samples.map((s) => `${insert} into ${tablePrefix}booze values ('${s}')`);

async function expectError(
  promise: Promise<unknown> | (() => unknown),
  Class: abstract new (...args: never[]) => unknown = driver.Error,
) {
  const run = typeof promise === 'function' ? (async () => promise())() : promise;
  await expect(run).rejects.toBeInstanceOf(Class);
}

test('connect', async () => {
  const con = await connect();
  expect(con).toBeInstanceOf(driver.Connection);
});

test('apilevel', () => {
  expect(driver.apilevel).toBe('2.0');
});

test('threadsafety', () => {
  expect([0, 1, 2, 3]).toContain(driver.threadsafety);
});

test('paramstyle', () => {
  expect(['qmark', 'numeric', 'named', 'format', 'pyformat']).toContain(driver.paramstyle);
});

test('Exceptions', () => {
  // Python: issubclass(Warning, Exception), issubclass(Error, Exception).
  expect(driver.Warning.prototype).toBeInstanceOf(globalThis.Error);
  expect(driver.Error.prototype).toBeInstanceOf(globalThis.Error);
  expect(driver.InterfaceError.prototype).toBeInstanceOf(driver.Error);
  expect(driver.DatabaseError.prototype).toBeInstanceOf(driver.Error);
  expect(driver.OperationalError.prototype).toBeInstanceOf(driver.Error);
  expect(driver.IntegrityError.prototype).toBeInstanceOf(driver.Error);
  expect(driver.InternalError.prototype).toBeInstanceOf(driver.Error);
  expect(driver.ProgrammingError.prototype).toBeInstanceOf(driver.Error);
  expect(driver.NotSupportedError.prototype).toBeInstanceOf(driver.Error);
  for (const Sub of [
    driver.DataError,
    driver.OperationalError,
    driver.IntegrityError,
    driver.InternalError,
    driver.ProgrammingError,
    driver.NotSupportedError,
  ]) {
    expect(Sub.prototype).toBeInstanceOf(driver.DatabaseError);
  }
});

test('ExceptionsAsConnectionAttributes', async () => {
  const con = await connect();
  expect(con.Warning).toBe(driver.Warning);
  expect(con.Error).toBe(driver.Error);
  expect(con.InterfaceError).toBe(driver.InterfaceError);
  expect(con.DatabaseError).toBe(driver.DatabaseError);
  expect(con.OperationalError).toBe(driver.OperationalError);
  expect(con.IntegrityError).toBe(driver.IntegrityError);
  expect(con.InternalError).toBe(driver.InternalError);
  expect(con.ProgrammingError).toBe(driver.ProgrammingError);
  expect(con.NotSupportedError).toBe(driver.NotSupportedError);
});

test('commit', async () => {
  const con = await connect();
  // Commit must work, even if it doesn't do anything.
  await con.commit();
});

test('rollback', async () => {
  const con = await connect();
  // If rollback is defined, it should either work or throw NotSupportedError.
  try {
    await con.rollback();
  } catch (err) {
    expect(err).toBeInstanceOf(driver.NotSupportedError);
  }
});

test('cursor', async () => {
  const con = await connect();
  con.cursor();
});

test('cursor_isolation', async () => {
  const con = await connect();
  // Make sure cursors created from the same connection have the documented transaction isolation level.
  const cur1 = con.cursor();
  const cur2 = con.cursor();
  await executeDDL1(cur1);
  await cur1.execute(`${insert} into ${tablePrefix}booze values ('Victoria Bitter')`);
  await cur2.execute(`select name from ${tablePrefix}booze`);
  const booze = await cur2.fetchall();
  expect(booze).toHaveLength(1);
  expect(booze[0]).toHaveLength(1);
  expect((booze[0] as unknown[])[0]).toBe('Victoria Bitter');
});

test('description', async () => {
  const con = await connect();
  const cur = con.cursor();
  await executeDDL1(cur);
  expect(cur.description).toBeNull(); // after executing a statement that can return no rows
  await cur.execute(`select name from ${tablePrefix}booze`);
  expect(cur.description).toHaveLength(1);
  expect(cur.description![0]).toHaveLength(7);
  expect(cur.description![0]![0].toLowerCase()).toBe('name');
  expect(driver.STRING.equals(cur.description![0]![1])).toBe(true);
  // Make sure self.description gets reset
  await executeDDL2(cur);
  expect(cur.description).toBeNull();
});

test('rowcount', async () => {
  const con = await connect();
  const cur = con.cursor();
  await executeDDL1(cur);
  expect([-1, 0]).toContain(cur.rowcount); // after executing no-result statements
  await cur.execute(`${insert} into ${tablePrefix}booze values ('Victoria Bitter')`);
  expect([-1, 1]).toContain(cur.rowcount); // == number or rows inserted, or -1
  await cur.execute(`select name from ${tablePrefix}booze`);
  expect([-1, 1]).toContain(cur.rowcount); // == number of rows returned, or -1
  await executeDDL2(cur);
  expect([-1, 0]).toContain(cur.rowcount);
});

test('close', async () => {
  const con = await connect();
  const cur = con.cursor();
  await con.close();
  // cursor.execute should raise an Error if called after connection closed
  await expectError(executeDDL1(cur));
  // connection.commit should raise an Error if called after connection closed
  await expectError(con.commit());
  // connection.close should not raise if called on a closed connection (DB-SIG consensus)
  await con.close();
});

async function paraminsert(cur: Cursor) {
  await executeDDL2(cur);
  await cur.execute(
    `${insert} into ${tablePrefix}barflys values ('Victoria Bitter', 'thi%s :may ca%(u)se? troub:1e')`,
  );
  expect([-1, 1]).toContain(cur.rowcount);
  // paramstyle qmark
  await cur.execute(`${insert} into ${tablePrefix}barflys values (?, 'thi%s :may ca%(u)se? troub:1e')`, [
    "Cooper's",
  ]);
  expect([-1, 1]).toContain(cur.rowcount);
  await cur.execute(`select name, drink from ${tablePrefix}barflys`);
  const res = (await cur.fetchall()) as unknown[][];
  expect(res).toHaveLength(2); // cursor.fetchall returned too few rows
  const beers = [res[0]![0], res[1]![0]].sort();
  expect(beers[0]).toBe("Cooper's"); // cursor.fetchall retrieved incorrect data, or data inserted incorrectly
  expect(beers[1]).toBe('Victoria Bitter');
  const trouble = 'thi%s :may ca%(u)se? troub:1e';
  expect(res[0]![1]).toBe(trouble); // cursor.fetchall retrieved incorrect data, or data inserted incorrectly
  expect(res[1]![1]).toBe(trouble);
}

test('execute', async () => {
  const con = await connect();
  await paraminsert(con.cursor());
});

test('setoutputsize_basic', async () => {
  // Basic test is to make sure setoutputsize doesn't blow up
  const con = await connect();
  const cur = con.cursor();
  cur.setoutputsize(1000);
  cur.setoutputsize(2000, 0);
  await paraminsert(cur); // Make sure the cursor still works
});

test('setinputsizes', async () => {
  const con = await connect();
  const cur = con.cursor();
  cur.setinputsizes([25]);
  await paraminsert(cur); // Make sure cursor still works
});

test('executemany', async () => {
  const con = await connect();
  const cur = con.cursor();
  await executeDDL1(cur);
  const largs = [["Cooper's"], ["Boag's"]];
  await cur.executemany(`${insert} into ${tablePrefix}booze values (?)`, largs);
  expect([-1, 2]).toContain(cur.rowcount); // insert using cursor.executemany set cursor.rowcount to incorrect value
  await cur.execute(`select name from ${tablePrefix}booze`);
  const res = (await cur.fetchall()) as unknown[][];
  expect(res).toHaveLength(2); // cursor.fetchall retrieved incorrect number of rows
  const beers = [res[0]![0], res[1]![0]].sort();
  expect(beers).toEqual(["Boag's", "Cooper's"]); // incorrect data retrieved
});

test('fetchone', async () => {
  const con = await connect();
  const cur = con.cursor();
  // cursor.fetchone should raise an Error if called before executing a select-type query
  await expectError(cur.fetchone());
  // cursor.fetchone should raise an Error if called after executing a query that cannot return rows
  await executeDDL1(cur);
  await expectError(cur.fetchone());
  await cur.execute(`select name from ${tablePrefix}booze`);
  expect(await cur.fetchone()).toBeNull(); // cursor.fetchone should return None if a query retrieves no rows
  expect([-1, 0]).toContain(cur.rowcount);
  // cursor.fetchone should raise an Error if called after executing a query that cannot return rows
  await cur.execute(`${insert} into ${tablePrefix}booze values ('Victoria Bitter')`);
  await expectError(cur.fetchone());
  await cur.execute(`select name from ${tablePrefix}booze`);
  const r = (await cur.fetchone()) as unknown[];
  expect(r).toHaveLength(1); // cursor.fetchone should have retrieved a single row
  expect(r[0]).toBe('Victoria Bitter'); // cursor.fetchone retrieved incorrect data
  expect(await cur.fetchone()).toBeNull(); // cursor.fetchone should return None if no more rows available
  expect([-1, 1]).toContain(cur.rowcount);
});

test('fetchmany', async () => {
  const con = await connect();
  const cur = con.cursor();
  // cursor.fetchmany should raise an Error if called without executing a query that returns rows
  await expectError(cur.fetchmany(4));
  await executeDDL1(cur);
  for (const sql of populate()) await cur.execute(sql);
  await cur.execute(`select name from ${tablePrefix}booze`);
  let r = await cur.fetchmany();
  expect(r).toHaveLength(1); // cursor.fetchmany retrieved incorrect number of rows, default of arraysize is one
  cur.arraysize = 10;
  r = await cur.fetchmany(3); // Should get 3 rows
  expect(r).toHaveLength(3);
  r = await cur.fetchmany(4); // Should get 2 more
  expect(r).toHaveLength(2);
  r = await cur.fetchmany(4); // Should be an empty sequence
  expect(r).toHaveLength(0); // cursor.fetchmany should return an empty sequence after results are exhausted
  expect([-1, 6]).toContain(cur.rowcount);
  // Same as above, using cursor.arraysize
  cur.arraysize = 4;
  await cur.execute(`select name from ${tablePrefix}booze`);
  r = await cur.fetchmany(); // Should get 4 rows
  expect(r).toHaveLength(4);
  r = await cur.fetchmany(); // Should get 2 more
  expect(r).toHaveLength(2);
  r = await cur.fetchmany(); // Should be an empty sequence
  expect(r).toHaveLength(0);
  expect([-1, 6]).toContain(cur.rowcount);
  cur.arraysize = 6;
  await cur.execute(`select name from ${tablePrefix}booze`);
  const rows = (await cur.fetchmany()) as unknown[][]; // Should get all rows
  expect([-1, 6]).toContain(cur.rowcount);
  expect(rows).toHaveLength(6);
  const names = rows.map((row) => row[0]).sort();
  // Make sure we get the right data back out
  for (let i = 0; i < 6; i++) expect(names[i]).toBe(samples[i]); // incorrect data retrieved by cursor.fetchmany
  expect(await cur.fetchmany()).toHaveLength(0); // cursor.fetchmany should return an empty sequence if called after the whole result set has been fetched
  expect([-1, 6]).toContain(cur.rowcount);
  await executeDDL2(cur);
  await cur.execute(`select name from ${tablePrefix}barflys`);
  r = await cur.fetchmany(); // Should get empty sequence
  expect(r).toHaveLength(0); // cursor.fetchmany should return an empty sequence if query retrieved no rows
  expect([-1, 0]).toContain(cur.rowcount);
});

test('fetchall', async () => {
  const con = await connect();
  const cur = con.cursor();
  // cursor.fetchall should raise an Error if called without executing a query that may return rows (such as a select)
  await expectError(cur.fetchall());
  await executeDDL1(cur);
  for (const sql of populate()) await cur.execute(sql);
  // cursor.fetchall should raise an Error if called after executing a a statement that cannot return rows
  await expectError(cur.fetchall());
  await cur.execute(`select name from ${tablePrefix}booze`);
  const rows = (await cur.fetchall()) as unknown[][];
  expect([-1, samples.length]).toContain(cur.rowcount);
  expect(rows).toHaveLength(samples.length); // cursor.fetchall did not retrieve all rows
  const names = rows.map((r) => r[0]).sort();
  for (let i = 0; i < samples.length; i++) expect(names[i]).toBe(samples[i]); // cursor.fetchall retrieved incorrect rows
  expect(await cur.fetchall()).toHaveLength(0); // cursor.fetchall should return an empty list if called after the whole result set has been fetched
  expect([-1, samples.length]).toContain(cur.rowcount);
  await executeDDL2(cur);
  await cur.execute(`select name from ${tablePrefix}barflys`);
  expect([-1, 0]).toContain(cur.rowcount); // executing query that returns no rows should set rowcount to 0 or -1
  expect(await cur.fetchall()).toHaveLength(0); // cursor.fetchall should return an empty list if a select query returns no rows
});

test('mixedfetch', async () => {
  const con = await connect();
  const cur = con.cursor();
  await executeDDL1(cur);
  for (const sql of populate()) await cur.execute(sql);
  await cur.execute(`select name from ${tablePrefix}booze`);
  const rows1 = (await cur.fetchone()) as unknown[];
  const rows23 = (await cur.fetchmany(2)) as unknown[][];
  const rows4 = (await cur.fetchone()) as unknown[];
  const rows56 = (await cur.fetchall()) as unknown[][];
  expect([-1, 6]).toContain(cur.rowcount);
  expect(rows23).toHaveLength(2); // fetchmany returned incorrect number of rows
  expect(rows56).toHaveLength(2); // fetchall returned incorrect number of rows
  const rows = [rows1[0], rows23[0]![0], rows23[1]![0], rows4[0], rows56[0]![0], rows56[1]![0]].sort();
  for (let i = 0; i < samples.length; i++) expect(rows[i]).toBe(samples[i]); // incorrect data retrieved or inserted
});

test('nextset', async () => {
  // dbapi20 tests nextset through a stored procedure returning several sets; Flight SQL has
  // neither, so: one set, after which nextset() reports none (null) and the rows are gone.
  const con = await connect();
  const cur = con.cursor();
  await executeDDL1(cur);
  for (const sql of populate()) await cur.execute(sql);
  await cur.execute(`select name from ${tablePrefix}booze`);
  expect(await cur.fetchone()).toHaveLength(1);
  expect(await cur.nextset()).toBeNull();
  await expectError(cur.fetchone());
});

test('callproc', async () => {
  const con = await connect();
  const cur = con.cursor();
  // Flight SQL has no stored procedures: callproc is NotSupportedError, which PEP 249 allows.
  await expectError(cur.callproc('lower', ['FOO']), driver.NotSupportedError);
});

test('arraysize', async () => {
  // Not much here - rest of the tests for this are in test_fetchmany
  const con = await connect();
  const cur = con.cursor();
  expect(cur.arraysize).toBe(1); // cursor.arraysize must be defined
});

test('setoutputsize', async () => {
  // Real test for setoutputsize is driver dependant: results stream whatever their size.
  const con = await connect();
  con.cursor().setoutputsize(1 << 20);
});

test('None', async () => {
  const con = await connect();
  const cur = con.cursor();
  await executeDDL2(cur);
  // inserting NULL to the second column, because some drivers might need the first one to be primary key, which means it needs to have a non-NULL value
  await cur.execute(`${insert} into ${tablePrefix}barflys values ('a', NULL)`);
  await cur.execute(`select drink from ${tablePrefix}barflys`);
  const r = (await cur.fetchall()) as unknown[][];
  expect(r).toHaveLength(1);
  expect(r[0]).toHaveLength(1);
  expect(r[0]![0]).toBeNull(); // NULL value not returned as None
});

test('Date', () => {
  const d1 = driver.Date(2002, 12, 25);
  const d2 = driver.DateFromTicks(Date.UTC(2002, 11, 25) / 1000);
  // Can we assume this? API doesn't specify, but it seems implied
  expect(String(d1)).toBe(String(d2));
});

test('Time', () => {
  const t1 = driver.Time(13, 45, 30);
  const t2 = driver.TimeFromTicks(Date.UTC(2001, 0, 1, 13, 45, 30) / 1000);
  expect(String(t1)).toBe(String(t2));
});

test('Timestamp', () => {
  const t1 = driver.Timestamp(2002, 12, 25, 13, 45, 30);
  const t2 = driver.TimestampFromTicks(Date.UTC(2002, 11, 25, 13, 45, 30) / 1000);
  expect(t1.getTime()).toBe(t2.getTime());
});

test('Binary', () => {
  driver.Binary('Something');
  driver.Binary('');
});

test('STRING', () => {
  expect(driver.STRING).toBeDefined(); // module.STRING must be defined
});

test('BINARY', () => {
  expect(driver.BINARY).toBeDefined(); // module.BINARY must be defined.
});

test('NUMBER', () => {
  expect(driver.NUMBER).toBeDefined(); // module.NUMBER must be defined.
});

test('DATETIME', () => {
  expect(driver.DATETIME).toBeDefined(); // module.DATETIME must be defined.
});

test('ROWID', () => {
  expect(driver.ROWID).toBeDefined(); // module.ROWID must be defined.
});
