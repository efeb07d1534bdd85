/**
 * `flightsql shell` as built (the sources with FLIGHTSQL_CLI_SRC=1) against `flightsql serve`:
 * a script piped to stdin (no prompts; exit 1 after a failed statement), and a session on a
 * pseudo-terminal through util-linux `script` (prompts, continuation lines, history, Ctrl-C).
 */
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, serve, spawnOnTerminal, type Served } from './cliHarness';

let server: Served;
const dir = mkdtempSync(join(tmpdir(), 'flightsql-shell-'));

beforeAll(async () => {
  server = await serve();
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a piped script: statements over several lines, \\timing, \\dt, \\d, an error, \\q', async () => {
  const script = String.raw`\timing
CREATE TABLE people (id INTEGER PRIMARY KEY, name VARCHAR);
INSERT INTO people VALUES (1, 'Ada'), (2, 'Grace');
SELECT id,
       name
FROM people
ORDER BY id;
SELECT * FROM nope;
\timing off
SELECT count(*) AS n FROM people;
\dt peop*
\d people
\q
SELECT 'not reached';
`;
  const run = await runCli(['shell', '--host', server.location], { input: script });
  expect(run.stdout.replace(/Time: \d+\.\d ms/g, 'Time: T ms')).toBe(
    [
      'Timing is on.',
      'OK',
      'Time: T ms',
      'OK, 2 rows affected',
      'Time: T ms',
      'id | name',
      '---+------',
      ' 1 | Ada',
      ' 2 | Grace',
      '(2 rows)',
      '',
      'Time: T ms',
      'Time: T ms', // the failed statement's
      'Timing is off.',
      'n',
      '-',
      '2',
      '(1 row)',
      '',
      'catalog | schema | name   | type',
      '--------+--------+--------+------',
      'memory  | main   | people | TABLE',
      '(1 row)',
      '',
      'Table main.people',
      'column | type    | arrow_type | nullable',
      '-------+---------+------------+---------',
      'id     | INTEGER | Int32      | false',
      'name   | VARCHAR | Utf8       | true',
      'Primary key people_id_pkey: (id)',
      '',
      '',
    ].join('\n'),
  );
  expect(run.stderr).toMatch(/^ERROR: .*Table with name nope does not exist.*\[NOT_FOUND\]\n$/s);
  // psql -f style: the script ran on, and the failure shows in the exit code.
  expect(run.code).toBe(1);
});

test('a piped script that fails nowhere exits 0; a last statement may lack its semicolon', async () => {
  const run = await runCli(['shell', '--host', server.location, '--format', 'csv'], {
    input: "SELECT 'a;b' AS x; -- done\nSELECT 2 AS y",
  });
  expect(run.stdout).toBe('x\na;b\ny\n2\n');
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
});

test('on a terminal: prompt, continuation, Ctrl-C cancels a running statement, history, \\q', async () => {
  const history = join(dir, 'history');
  const child = spawnOnTerminal(['shell', '--host', server.location], {
    FLIGHTSQL_HISTORY: history,
    TERM: 'dumb',
  });
  let screen = '';
  child.stdout.on('data', (chunk: Buffer) => (screen += chunk.toString()));
  const waitFor = async (text: string, from: number) => {
    const deadline = Date.now() + 30_000;
    while (!screen.includes(text, from)) {
      if (Date.now() > deadline) throw new Error(`no '${text}' in: ${JSON.stringify(screen)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return screen.indexOf(text, from) + text.length;
  };
  try {
    let at = await waitFor('flightsql> ', 0);
    child.stdin.write('SELECT 1 AS one,\r');
    at = await waitFor('      -> ', at);
    child.stdin.write('  2 AS two;\r');
    at = await waitFor('(1 row)', at);
    expect(screen).toMatch(/one \| two\r?\n----\+----\r?\n {2}1 \| {3}2\r?\n\(1 row\)/);
    at = await waitFor('flightsql> ', at);
    // A statement that would run for minutes: Ctrl-C cancels it on the server.
    child.stdin.write('SELECT count(*) FROM range(1000000000000);\r');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const cancelledAt = Date.now();
    child.stdin.write('\x03');
    at = await waitFor('Cancelled.', at);
    expect(Date.now() - cancelledAt).toBeLessThan(10_000);
    await waitFor('flightsql> ', at);
    child.stdin.write('\\q\r');
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  expect(readFileSync(history, 'utf8')).toBe(
    'SELECT 1 AS one, 2 AS two;\nSELECT count(*) FROM range(1000000000000);\n\\q\n',
  );
});
