/**
 * Users, passwords and privileges against an influxd with authentication on (the admin user
 * was created by the harness through the open-before-first-user path).
 */
import { inspect } from 'node:util';
import { InfluxDBClient, InfluxDBClientError, Point } from '../../../src/influx';
import { uniqueName, useInfluxd } from '../influxd';

const fx = useInfluxd({ auth: true, admin: { username: 'root', password: 'r00t "pass"' } });

/** A password with everything that could end a string literal or a statement. */
const secret = `p'a"s\\s; DROP USER root; -- \n end`;

function as(username: string, password: string): InfluxDBClient {
  return fx.connect({ username, password });
}

async function users(): Promise<Record<string, boolean>> {
  return Object.fromEntries((await fx.client.getListUsers()).map((u) => [u['user'], u['admin']]));
}

test('a wrong password is a 401 InfluxDBClientError, without the password anywhere', async () => {
  const bad = as('root', 'Wr0ng-Passw0rd!');
  const error = (await bad.query('SHOW DATABASES').catch((e: unknown) => e)) as InfluxDBClientError;
  expect(error).toBeInstanceOf(InfluxDBClientError);
  expect(error).toMatchObject({
    code: 'ERR_HTTP_401',
    httpStatus: 401,
    serverMessage: 'authorization failed',
  });
  expect(error.message).toBe('query: 401 Unauthorized: authorization failed');
  for (const text of [
    error.message,
    String(error.stack),
    inspect(error),
    error.content,
    String(bad),
    inspect(bad),
    JSON.stringify({ bad }),
  ]) {
    expect(text).not.toContain('Wr0ng-Passw0rd!');
  }
  expect(inspect(bad)).toMatch(/^InfluxDBClient\(http:\/\/root@127\.0\.0\.1:\d+\)$/);
});

test('no credentials at all is a 401 too', async () => {
  const anonymous = fx.connect({ username: undefined, password: undefined });
  await expect(anonymous.getListDatabase()).rejects.toMatchObject({ code: 'ERR_HTTP_401', httpStatus: 401 });
  // ping needs no credentials
  expect(await anonymous.ping()).toMatch(/^1\.6/);
});

test('users: create (any name and password), list, log in, change password, drop', async () => {
  const name = `bob "the" \\ user; x`;
  await fx.client.createUser(name, secret);
  expect(await users()).toMatchObject({ root: true, [name]: false });
  // The new user logs in with the awkward password (a non-admin sees no databases but may ask).
  expect(await as(name, secret).getListDatabase()).toEqual([]);
  await fx.client.setUserPassword(name, 'n3w');
  await expect(as(name, secret).getListDatabase()).rejects.toMatchObject({
    code: 'ERR_HTTP_401',
    httpStatus: 401,
  });
  expect(await as(name, 'n3w').getListDatabase()).toEqual([]);
  await fx.client.dropUser(name);
  expect(Object.keys(await users())).not.toContain(name);
  expect(await users()).toMatchObject({ root: true });
});

test('a duplicate user with another password fails; with the same password nothing happens', async () => {
  await fx.client.createUser('dup', 'one');
  await fx.client.createUser('dup', 'one');
  const error = await fx.client.createUser('dup', 'two').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InfluxDBClientError);
  expect((error as Error).message).toBe('query failed: user already exists');
  await fx.client.dropUser('dup');
});

test('privileges: grant replaces, revoke leaves NO PRIVILEGES; they take effect', async () => {
  const db = uniqueName('priv');
  await fx.client.createDatabase(db);
  await fx.client.createUser('reader', 'pw');
  const reader = as('reader', 'pw');
  await expect(reader.query('SELECT * FROM m', { database: db })).rejects.toMatchObject({
    code: 'ERR_HTTP_403',
    httpStatus: 403,
  });

  await fx.client.grantPrivilege('read', db, 'reader');
  expect(await fx.client.getListPrivileges('reader')).toEqual([{ database: db, privilege: 'READ' }]);
  expect((await reader.query('SELECT * FROM m', { database: db })).getPoints()).toEqual([]);
  const denied = await reader
    .writePoints([new Point('m').field('v', 1)], { database: db })
    .catch((e: unknown) => e);
  expect(denied).toBeInstanceOf(InfluxDBClientError);
  expect(denied).toMatchObject({
    code: 'ERR_HTTP_403',
    httpStatus: 403,
    serverMessage: `"reader" user is not authorized to write to database "${db}"`,
  });

  await fx.client.grantPrivilege('WRITE', db, 'reader');
  expect(await fx.client.getListPrivileges('reader')).toEqual([{ database: db, privilege: 'WRITE' }]);
  await reader.writePoints([new Point('m').field('v', 1).timestamp(1n)], { database: db });

  await fx.client.grantPrivilege('all', db, 'reader');
  expect(await fx.client.getListPrivileges('reader')).toEqual([
    { database: db, privilege: 'ALL PRIVILEGES' },
  ]);
  await fx.client.revokePrivilege('all', db, 'reader');
  expect(await fx.client.getListPrivileges('reader')).toEqual([{ database: db, privilege: 'NO PRIVILEGES' }]);
  await expect(fx.client.grantPrivilege('owner' as never, db, 'reader')).rejects.toThrow(/invalid privilege/);
  await expect(fx.client.getListPrivileges('ghost')).rejects.toThrow(/user not found/);
  await fx.client.dropUser('reader');
});

test('a non-admin doing admin work gets 403; admin privileges can be granted and revoked', async () => {
  await fx.client.createUser('op', 'pw');
  const op = as('op', 'pw');
  const error = (await op.createDatabase('opdb').catch((e: unknown) => e)) as InfluxDBClientError;
  expect(error).toBeInstanceOf(InfluxDBClientError);
  expect(error.code).toBe('ERR_HTTP_403');
  expect(error.message).toMatch(
    /op not authorized to execute statement 'CREATE DATABASE opdb', requires admin privilege/,
  );
  // The server redacts passwords it echoes; nothing of ours adds them back.
  const echoed = (await op.createUser('eve', secret).catch((e: unknown) => e)) as Error;
  expect(echoed.message).toContain('[REDACTED]');
  expect(echoed.message).not.toContain(secret);

  await fx.client.grantAdminPrivileges('op');
  expect(await users()).toMatchObject({ op: true });
  await op.createDatabase('opdb');
  expect((await op.getListDatabase()).map((d) => d['name'])).toContain('opdb');
  await fx.client.revokeAdminPrivileges('op');
  expect(await users()).toMatchObject({ op: false });
  await expect(op.dropDatabase('opdb')).rejects.toMatchObject({ code: 'ERR_HTTP_403', httpStatus: 403 });
  await fx.client.dropDatabase('opdb');
  await fx.client.dropUser('op');
});

test('switchUser changes the credentials of later calls', async () => {
  await fx.client.createUser('other', 'pw2');
  const c = as('root', 'r00t "pass"');
  c.switchUser('other', 'pw2');
  expect(String(c)).toContain('//other@');
  await expect(c.createDatabase('x')).rejects.toMatchObject({ code: 'ERR_HTTP_403', httpStatus: 403 });
  c.switchUser('root', 'r00t "pass"');
  await c.createDatabase('x');
  await c.dropDatabase('x');
  await fx.client.dropUser('other');
});

test('fromDSN with percent-encoded credentials and a database', async () => {
  const db = uniqueName('dsn');
  await fx.client.createDatabase(db);
  const c = InfluxDBClient.fromDSN(
    `influxdb://root:${encodeURIComponent('r00t "pass"')}@127.0.0.1:${fx.server.port}/${db}`,
  );
  try {
    await c.writePoints([new Point('m').field('v', 1).timestamp(1n)]);
    expect((await c.query('SELECT v FROM m')).getPoints()).toHaveLength(1);
    expect(String(c)).not.toContain('r00t');
  } finally {
    await c.close();
  }
});
