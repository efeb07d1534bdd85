/**
 * `flightsql admin` as a command against a real InfluxDB 1.x with authentication (influxd):
 * databases, retention policies, users, passwords and privileges made, listed (table and JSON)
 * and dropped; the server's refusals exit 1 with its message and no password in it; bad
 * command lines exit 2; every command has --help.
 */
import { InfluxDBClient } from '../../src/influx';
import { admin } from '../../src/cli/admin';
import { UsageError } from '../../src/cli/args';
import { useInfluxd, uniqueName } from '../integration/influxd';
import { runCli } from './cliHarness';

const influxd = useInfluxd({ auth: true });

/** `flightsql admin ...` as the instance's admin, the password from INFLUX_PASSWORD. */
function adminCli(args: string[], env: Record<string, string> = {}) {
  const { host, port, admin: creds } = influxd.server;
  return runCli(['admin', ...args, '--url', `http://${host}:${port}`, '--username', creds!.username], {
    env: { INFLUX_PASSWORD: creds!.password, ...env },
  });
}

/** A list command's JSON output. */
async function listed(args: string[]): Promise<unknown> {
  const result = await adminCli([...args, '--format', 'json']);
  expect([result.code, result.stderr]).toEqual([0, '']);
  return JSON.parse(result.stdout);
}

test('databases: create, list as a table and as JSON, drop', async () => {
  const db = uniqueName('admin db');
  const created = await adminCli(['create-database', db]);
  expect([created.code, created.stdout, created.stderr]).toEqual([0, `created database "${db}"\n`, '']);
  const [table, json] = await Promise.all([adminCli(['databases']), listed(['databases'])]);
  expect(table.stdout).toContain(`name\n${'-'.repeat(Math.max(4, db.length))}\n`);
  expect(table.stdout.split('\n')).toContain(db);
  expect(table.stdout).toMatch(/\(\d+ rows?\)\n$/);
  expect(json).toContainEqual({ name: db });
  const dropped = await adminCli(['drop-database', db]);
  expect([dropped.code, dropped.stdout]).toEqual([0, `dropped database "${db}"\n`]);
  expect(await influxd.client.getListDatabase()).not.toContainEqual({ name: db });
});

test('retention policies: create, alter, list, drop', async () => {
  const db = uniqueName('rp');
  await influxd.client.createDatabase(db);
  const created = await adminCli([
    'create-retention-policy',
    'week',
    '--database',
    db,
    '--duration',
    '7d',
    '--shard-duration',
    '1d',
  ]);
  expect([created.code, created.stdout]).toEqual([0, `created retention policy "week" on "${db}"\n`]);
  const altered = await adminCli([
    'alter-retention-policy',
    'week',
    '-d',
    db,
    '--duration',
    '14d',
    '--default',
  ]);
  expect([altered.code, altered.stdout]).toEqual([0, `altered retention policy "week" on "${db}"\n`]);
  expect(await listed(['retention-policies', db])).toEqual([
    { name: 'autogen', duration: '0s', shardGroupDuration: '168h0m0s', replicaN: 1, default: false },
    { name: 'week', duration: '336h0m0s', shardGroupDuration: '24h0m0s', replicaN: 1, default: true },
  ]);
  const table = await adminCli(['retention-policies', '--database', db]);
  expect(table.stdout).toBe(
    [
      'name    | duration | shardGroupDuration | replicaN | default',
      '--------+----------+--------------------+----------+--------',
      'autogen | 0s       | 168h0m0s           |        1 | false',
      'week    | 336h0m0s | 24h0m0s            |        1 | true',
      '(2 rows)',
      '',
    ].join('\n'),
  );
  const dropped = await adminCli(['drop-retention-policy', 'week', '-d', db]);
  expect(dropped.code).toBe(0);
  expect(await influxd.client.getListRetentionPolicies({ database: db })).toEqual([
    { name: 'autogen', duration: '0s', shardGroupDuration: '168h0m0s', replicaN: 1, default: false },
  ]);
});

test('users: create, set the password, grant and revoke, privileges, admin rights, drop', async () => {
  const db = uniqueName('grants');
  await influxd.client.createDatabase(db);
  // The new user's password from the environment, kept out of the process list.
  const created = await adminCli(['create-user', 'bob'], { INFLUX_USER_PASSWORD: 'first-pass' });
  expect([created.code, created.stdout]).toEqual([0, 'created user "bob"\n']);
  expect(await listed(['users'])).toEqual([
    { user: 'admin', admin: true },
    { user: 'bob', admin: false },
  ]);
  const changed = await adminCli(['set-password', 'bob', '--user-password', 'second-pass']);
  expect([changed.code, changed.stdout]).toEqual([0, 'changed the password of "bob"\n']);
  const bob = new InfluxDBClient({
    host: influxd.server.host,
    port: influxd.server.port,
    username: 'bob',
    password: 'second-pass',
  });
  try {
    const granted = await adminCli(['grant', 'read', '--database', db, '--user', 'bob']);
    expect([granted.code, granted.stdout]).toEqual([0, `granted read on "${db}" to "bob"\n`]);
    expect(await listed(['privileges', 'bob'])).toEqual([{ database: db, privilege: 'READ' }]);
    // bob logs in with the new password and reads what he was granted.
    expect(await bob.getListDatabase()).toEqual([{ name: db }]);
    const revoked = await adminCli(['revoke', 'read', '-d', db, '--user', 'bob']);
    expect([revoked.code, revoked.stdout]).toEqual([0, `revoked read on "${db}" from "bob"\n`]);
    expect(await influxd.client.getListPrivileges('bob')).toEqual([
      { database: db, privilege: 'NO PRIVILEGES' },
    ]);
    expect((await adminCli(['grant-admin', 'bob'])).stdout).toBe('granted all privileges to "bob"\n');
    expect(await influxd.client.getListUsers()).toContainEqual({ user: 'bob', admin: true });
    expect((await adminCli(['revoke-admin', 'bob'])).stdout).toBe('revoked all privileges from "bob"\n');
    expect(await influxd.client.getListUsers()).toContainEqual({ user: 'bob', admin: false });
  } finally {
    await bob.close();
  }
  const dropped = await adminCli(['drop-user', 'bob']);
  expect([dropped.code, dropped.stdout]).toEqual([0, 'dropped user "bob"\n']);
  expect(await influxd.client.getListUsers()).toEqual([{ user: 'admin', admin: true }]);
});

test("the server's refusals: exit 1 with its message, never a password", async () => {
  await influxd.client.createUser('carol', 'carol-pass-1');
  const [exists, noUser, noDb, badLogin] = await Promise.all([
    adminCli(['create-user', 'carol', '--user-password', 'another-pass-2']),
    adminCli(['grant', 'write', '-d', 'anything', '--user', 'nobody']),
    adminCli(['create-retention-policy', 'rp', '-d', 'no_such_db', '--duration', '1d']),
    adminCli(['databases'], { INFLUX_PASSWORD: 'wrong-pass-3' }),
  ]);
  // main.ts adds the error's code, e.g. (ERR_INFLUXDB_STATEMENT).
  expect([exists.code, exists.stdout, exists.stderr]).toEqual([
    1,
    '',
    expect.stringMatching(/^flightsql: query failed: user already exists( \(\w+\))?\n$/),
  ]);
  expect([noUser.code, noUser.stderr]).toEqual([
    1,
    expect.stringMatching(/^flightsql: query failed: user not found/),
  ]);
  expect([noDb.code, noDb.stderr]).toEqual([
    1,
    expect.stringMatching(/^flightsql: query failed: database not found: no_such_db/),
  ]);
  expect(badLogin.code).toBe(1);
  expect(badLogin.stderr).toMatch(/401 Unauthorized: authorization failed/);
  for (const result of [exists, badLogin]) {
    expect(result.stderr).not.toMatch(/another-pass-2|wrong-pass-3|admin-pass/);
  }
});

describe('the command line', () => {
  /** What `admin(argv)` prints on stdout, run in this process. */
  async function stdoutOf(argv: string[]): Promise<string> {
    const chunks: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    });
    try {
      await admin(argv);
    } finally {
      spy.mockRestore();
    }
    return chunks.join('');
  }

  const COMMANDS = [
    'databases',
    'create-database NAME',
    'drop-database NAME',
    'retention-policies [DB]',
    'create-retention-policy NAME',
    'alter-retention-policy NAME',
    'drop-retention-policy NAME',
    'users',
    'create-user NAME',
    'set-password NAME',
    'drop-user NAME',
    'grant PRIVILEGE',
    'revoke PRIVILEGE',
    'grant-admin USER',
    'revoke-admin USER',
    'privileges USER',
  ];

  test('--help: the list of commands, and each command its own flags', async () => {
    const result = await runCli(['admin', '--help']);
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toMatch(/^usage: flightsql admin COMMAND/);
    for (const synopsis of COMMANDS) expect(result.stdout).toContain(`  ${synopsis} `);
    const own = await runCli(['admin', 'create-user', '--help']);
    expect(own.code).toBe(0);
    expect(own.stdout).toMatch(/^usage: flightsql admin create-user NAME \[flags\]\n/);
    expect(own.stdout).toContain('--user-password P');
    expect(own.stdout).toContain('--admin');
    for (const synopsis of COMMANDS) {
      const [name] = synopsis.split(' ');
      const text = await stdoutOf([name!, '--help']);
      expect([name, text]).toEqual([
        name,
        expect.stringMatching(`^usage: flightsql admin ${synopsis.replace(/[[\]]/g, '\\$&')} \\[flags\\]\n`),
      ]);
      expect(text).toContain('--url URL');
    }
    expect(await stdoutOf(['create-retention-policy', '-h'])).toMatch(/--duration D.*\n {2}--replication N/);
  });

  const USAGE_ERRORS: [string[], RegExp][] = [
    [[], /give a command \(one of databases, create-database/],
    [['frob'], /unknown command 'frob'/],
    [['create-database'], /create-database: expected NAME, got none/],
    [['create-database', 'a', 'b'], /expected NAME, got 'a b'/],
    [['databases', '--format', 'xml'], /--format must be one of table, json, got 'xml'/],
    [['drop-database', 'x', '--bogus'], /unknown option '--bogus'/i],
    [['create-user', 'x'], /give --user-password P \(or set INFLUX_USER_PASSWORD\)/],
    [['create-retention-policy', 'rp', '-d', 'db'], /give --duration D/],
    [
      ['create-retention-policy', 'rp', '-d', 'db', '--duration', '1d', '--replication', '0'],
      /--replication must be a positive integer/,
    ],
    [['alter-retention-policy', 'rp', '-d', 'db'], /nothing to change/],
    [['grant', 'own', '-d', 'db', '--user', 'u'], /PRIVILEGE must be read, write or all, got 'own'/],
    [['grant', 'read', '-d', 'db'], /give --user U/],
    [['retention-policies', 'a', '--database', 'b'], /DB and --database differ/],
    [['users', '--url', 'localhost:99999'], /--url must be a URL/],
    [['users', '--password', 'p'], /a password was given without --username/],
  ];

  test('bad command lines: a UsageError with a clear message each', async () => {
    for (const [args, message] of USAGE_ERRORS) {
      const error = await admin(args).catch((e: unknown) => e);
      expect([args, error]).toEqual([args, expect.any(UsageError)]);
      expect([args, (error as Error).message]).toEqual([args, expect.stringMatching(message)]);
    }
  });

  test('... printed by the command with a hint: exit 2', async () => {
    const cases = [USAGE_ERRORS[1]!, USAGE_ERRORS[2]!, USAGE_ERRORS[10]!];
    const results = await Promise.all(cases.map(([args]) => runCli(['admin', ...args])));
    for (const [i, [args, message]] of cases.entries()) {
      const { code, stdout, stderr } = results[i]!;
      expect([args, code, stdout, stderr]).toEqual([args, 2, '', expect.stringMatching(message)]);
      expect(stderr).toMatch(/\nTry 'flightsql .*--help'\.\n$/);
    }
  });
});
