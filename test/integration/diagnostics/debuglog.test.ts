/**
 * NODE_DEBUG=flightsql prints one concise line per statement and connection event (in a child
 * process, as a user would run it); without it nothing is printed. Also the documented
 * console-log example (docs/examples/consoleLog.ts).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { logFlightSQL } from '../../../docs/examples/consoleLog';
import { useServer } from '../fixture';

const ROOT = path.resolve(__dirname, '../../..');
const SCRIPT = path.join(__dirname, 'debugScript.ts');

function run(env: Record<string, string | undefined>) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', SCRIPT], {
    cwd: ROOT,
    env: { ...process.env, NODE_DEBUG: undefined, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(result.status).toBe(0);
  expect(result.stdout).toBe('script done\n');
  return result.stderr;
}

describe('NODE_DEBUG=flightsql', () => {
  test('prints one line per statement and connection event, with rows, bytes and time', () => {
    const lines = run({ NODE_DEBUG: 'flightsql' })
      .split('\n')
      .filter((line) => line.startsWith('FLIGHTSQL '));
    const body = lines.map((line) => line.replace(/^FLIGHTSQL \d+: /, '').replace(/\d+\.\d ms/, 'T ms'));
    const server = /connect (\S+)/.exec(body[0]!)![1]!;
    expect(server).toMatch(/^grpc\+tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(
      body.map((line) => line.replaceAll(server, 'SERVER').replace(/ \d+(\.\d)? (B|KB)/, ' N $2')),
    ).toEqual([
      'connect SERVER',
      'query SERVER "SELECT range AS i FROM range(1000)" 1000 rows N KB T ms',
      'update SERVER "CREATE TABLE t (x INTEGER)" 0 rows affected T ms',
      'update SERVER "INSERT INTO t VALUES (1), (2)" 2 rows affected T ms',
      expect.stringMatching(/^metadata SERVER CommandGetTables \d+ rows N (B|KB) T ms$/),
      expect.stringMatching(/^query SERVER "SELEC 1" T ms failed: ProgrammingError: .*syntax error/),
      'close SERVER T ms',
    ]);
    expect(lines.join('\n')).not.toContain('tok-never-printed');
  });

  test('without NODE_DEBUG, nothing', () => {
    expect(run({})).toBe('');
  });
});

describe('the console-log example', () => {
  const fx = useServer();

  test('logs failures and slow statements, connects and closes', async () => {
    const lines: string[] = [];
    const stop = logFlightSQL(0, (line) => lines.push(line));
    try {
      const client = fx.connect();
      await client.executeUpdate('CREATE TABLE logged (x INTEGER)');
      const info = await client.execute('SELECT 42 AS answer');
      await client.readFlightInfo(info).readAll();
      await client.execute('SELECT * FROM missing_table').catch(() => undefined);
      await client.close();
    } finally {
      stop();
    }
    const server = fx.client.flight.location;
    expect(lines.map((line) => line.replace(/\(\d+\.\d ms\)/, '(T)'))).toEqual([
      `[flightsql] connect ${server}`,
      '[flightsql] update CREATE TABLE logged (x INTEGER) (T): 0 affected',
      expect.stringMatching(/^\[flightsql\] query SELECT 42 AS answer \(T\): 1 rows, \d+ bytes, done$/),
      expect.stringMatching(
        /^\[flightsql\] query SELECT \* FROM missing_table \(T\): failed: ProgrammingError: /,
      ),
      `[flightsql] close ${server}`,
    ]);
  });
});
