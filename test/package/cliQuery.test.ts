/**
 * `flightsql query` as built (dist/cli/main.js; the sources with FLIGHTSQL_CLI_SRC=1) against
 * `flightsql serve` in another process: every output format's exact text, streaming with
 * --max-rows, results of several endpoints, SQL from -f and stdin, --output replacing a file only
 * on success, the command line's errors, --version and --help, and the `home` table of docs/cli.md.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { cleanEnv, cliCommand, root, runCli, serve, type Served } from './cliHarness';

const dir = mkdtempSync(join(tmpdir(), 'flightsql-cli-'));
let single: Served;
let partitioned: Served;

beforeAll(async () => {
  // One endpoint per result (so that DuckDB keeps duplicate column names), reading files in
  // `dir`; and one that splits every result into three endpoints.
  [single, partitioned] = await Promise.all([serve(['--allow-dir', dir]), serve(['--partitions', '3'])]);
});
afterAll(async () => {
  await Promise.all([single?.stop(), partitioned?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

const query = (args: string[], input?: string) =>
  runCli(['query', '--host', single.location, ...args], { input });

// An int64 above 2^53, a nanosecond timestamp, a UTC timestamp, a decimal, NULL, a string that
// CSV must quote, the empty string, and a second column named `n`.
const EDGES = `SELECT 9007199254740993::BIGINT AS n, TIMESTAMP_NS '2024-01-02 03:04:05.123456789' AS ts,
  TIMESTAMPTZ '2024-01-02 03:04:05.123456+00' AS tz, 12.345::DECIMAL(10,3) AS d, NULL::VARCHAR AS nothing,
  'a,"b' AS s, '' AS e, -1 AS n`;

describe('output formats', () => {
  test('table, csv, json and ndjson print exact values', async () => {
    const [table, csv, json, ndjson] = await Promise.all(
      ['table', 'csv', 'json', 'ndjson'].map((format) => query(['--format', format, EDGES])),
    );
    expect(table.stdout).toBe(
      [
        '               n | ts                            | tz                          |      d | nothing | s    | e |  n',
        '-----------------+-------------------------------+-----------------------------+--------+---------+------+---+---',
        '9007199254740993 | 2024-01-02 03:04:05.123456789 | 2024-01-02 03:04:05.123456Z | 12.345 | NULL    | a,"b |   | -1',
        '(1 row)',
        '',
      ].join('\n'),
    );
    expect(csv.stdout).toBe(
      'n,ts,tz,d,nothing,s,e,n\n' +
        '9007199254740993,2024-01-02T03:04:05.123456789,2024-01-02T03:04:05.123456Z,12.345,,"a,""b","",-1\n',
    );
    const object =
      '{"n":9007199254740993,"ts":"2024-01-02T03:04:05.123456789","tz":"2024-01-02T03:04:05.123456Z",' +
      '"d":"12.345","nothing":null,"s":"a,\\"b","e":"","n:1":-1}';
    expect(json.stdout).toBe(`[\n${object}\n]\n`);
    expect(ndjson.stdout).toBe(`${object}\n`);
    for (const run of [table, csv, json, ndjson]) {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    }
  });

  test('csv is the default when stdout is not a terminal; an empty result keeps its header', async () => {
    const { stdout } = await query(['SELECT 1 AS a, 2 AS b WHERE false']);
    expect(stdout).toBe('a,b\n');
    const json = await query(['--format', 'json', 'SELECT 1 AS a WHERE false']);
    expect(json.stdout).toBe('[]\n');
  });

  test('arrow writes an Arrow IPC stream and parquet a file DuckDB reads back exactly', async () => {
    const arrowFile = join(dir, 'edges.arrows');
    const parquetFile = join(dir, 'edges.parquet');
    const [arrow, parquet] = await Promise.all([
      query(['--format', 'arrow', '--output', arrowFile, EDGES]),
      query(['--output', parquetFile, EDGES]), // the format from the extension
    ]);
    expect([arrow.code, arrow.stdout, parquet.code, parquet.stdout]).toEqual([0, '', 0, '']);

    const table = tableFromIPC(readFileSync(arrowFile));
    expect(table.schema.names).toEqual(['n', 'ts', 'tz', 'd', 'nothing', 's', 'e', 'n']);
    expect(table.numRows).toBe(1);
    expect(table.getChildAt(0)!.get(0)).toBe(9007199254740993n);
    expect(table.getChildAt(1)!.data[0]!.values[0]).toBe(1704164645123456789n);
    expect(table.getChildAt(5)!.get(0)).toBe('a,"b');
    expect(table.getChildAt(7)!.get(0)).toBe(-1);

    const back = await query(['--format', 'csv', `SELECT * FROM read_parquet('${parquetFile}')`]);
    expect(back.stderr).toBe('');
    expect(back.stdout).toBe(
      'n,ts,tz,d,nothing,s,e,n:1\n' +
        '9007199254740993,2024-01-02T03:04:05.123456789,2024-01-02T03:04:05.123456Z,12.345,,"a,""b","",-1\n',
    );
  });
});

describe('streaming', () => {
  test('--max-rows stops a 10-million-row result after N rows', async () => {
    const run = await query(['--max-rows', '5', 'SELECT * FROM range(10000000)']);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('range\n0\n1\n2\n3\n4\n');
    // Generous: the whole result would take far longer (and the old CLI took 12.7 s).
    expect(run.ms).toBeLessThan(10_000);
  });

  test('the endpoints of a partitioned result read as one result: one header, every row', async () => {
    const host = ['query', '--host', partitioned.location];
    const [table, limited] = await Promise.all([
      runCli([...host, '--format', 'table', 'SELECT i FROM range(7) t(i)']),
      runCli([...host, '--max-rows', '40000', 'SELECT * FROM range(100000)']),
    ]);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 2)).toEqual(['i', '-']);
    expect(lines.filter((line) => line === 'i')).toHaveLength(1);
    expect(lines.slice(2, -1).map(Number).sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(lines.at(-1)).toBe('(7 rows)');
    // 100,000 rows in three endpoints of ~33,334: the limit falls in the second.
    const rows = limited.stdout.trimEnd().split('\n');
    expect(rows).toHaveLength(40_001);
    expect(new Set(rows.slice(1)).size).toBe(40_000);
  });
});

describe('SQL input', () => {
  test('-f FILE runs each statement; an update prints its status', async () => {
    const file = join(dir, 'script.sql');
    writeFileSync(
      file,
      `CREATE OR REPLACE TABLE script_t AS SELECT 1 AS x; -- a comment; not a separator
INSERT INTO script_t VALUES (2);
SELECT x, 'a;b' AS y FROM script_t ORDER BY x`,
    );
    const run = await query(['--format', 'table', '-f', file]);
    expect(run.stdout).toBe('OK\nOK, 1 row affected\nx | y\n--+----\n1 | a;b\n2 | a;b\n(2 rows)\n');
    expect(run.code).toBe(0);
  });

  test('stdin when there is no SQL argument; status lines go to stderr with a machine format', async () => {
    const run = await query([], "CREATE OR REPLACE TABLE stdin_t (v VARCHAR);\nSELECT 'piped' AS v;\n");
    expect(run.stdout).toBe('v\npiped\n');
    expect(run.stderr).toBe('OK\n');
  });

  test('a failing statement: exit 1 with the server error', async () => {
    const run = await query(['SELECT * FROM no_such_table']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^flightsql: .*no_such_table.*\[NOT_FOUND\]\n$/s);
  });
});

describe('the command line', () => {
  const usage = (command: string, message: string) =>
    `${message}\nTry 'flightsql ${command ? `${command} ` : ''}--help'.\n`;

  test('bad flags: exit 2 and a message naming the flag', async () => {
    const cases: [string[], string][] = [
      [['query', '--foo', 'SELECT 1'], usage('query', "flightsql query: unknown option '--foo'")],
      [
        ['serve', '--port', 'abc'],
        usage('serve', "flightsql serve: --port must be an integer from 0 to 65535, got 'abc'"),
      ],
      [
        ['serve', '--port', '70000'],
        usage('serve', "flightsql serve: --port must be an integer from 0 to 65535, got '70000'"),
      ],
      [
        ['query', '--format', 'xml', 'SELECT 1'],
        usage(
          'query',
          "flightsql query: --format must be one of table, csv, json, ndjson, arrow, parquet, got 'xml'",
        ),
      ],
      [
        ['query', '--max-rows', '0', 'SELECT 1'],
        usage('query', "flightsql query: --max-rows must be a positive integer, got '0'"),
      ],
      [
        ['query', '--format', 'parquet', 'SELECT 1'],
        usage('query', 'flightsql query: --format parquet writes a file: add --output FILE'),
      ],
      [
        ['query', '--tls', '--plaintext', 'SELECT 1'],
        usage('query', 'flightsql query: --tls and --plaintext exclude each other'),
      ],
      [['query', '--host'], usage('query', 'flightsql query: --host needs a value')],
      [
        ['shell', '--format', 'parquet'],
        usage('shell', "flightsql shell: --format must be one of table, csv, json, ndjson, got 'parquet'"),
      ],
      [['frobnicate'], usage('', "flightsql: unknown command 'frobnicate'")],
    ];
    const runs = await Promise.all(cases.map(([args]) => runCli(args)));
    runs.forEach((run, i) => {
      expect({ args: cases[i]![0], code: run.code, stderr: run.stderr, stdout: run.stdout }).toEqual({
        args: cases[i]![0],
        code: 2,
        stderr: cases[i]![1],
        stdout: '',
      });
    });
  });

  test('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const [long, short] = await Promise.all([runCli(['--version']), runCli(['-v'])]);
    expect(long.stdout).toBe(`flightsql ${version}\n`);
    expect(short.stdout).toBe(`flightsql ${version}\n`);
  });

  test('--help works for the command and each subcommand, on stdout, exit 0', async () => {
    const commands = ['', 'serve', 'query', 'shell', 'write', 'admin', 'demo'];
    const runs = await Promise.all(commands.map((c) => runCli(c ? [c, '--help'] : ['--help'])));
    runs.forEach((run, i) => {
      const command = commands[i]!;
      expect({ command, code: run.code, stderr: run.stderr }).toEqual({ command, code: 0, stderr: '' });
      expect(
        run.stdout.startsWith(command ? `usage: flightsql ${command}` : 'usage: flightsql <command>'),
      ).toBe(true);
    });
    expect(runs[0]!.stdout).toMatch(
      /^ {2}write FILE \[\.\.\.\] +write line protocol, CSV, JSON, Parquet or Arrow/m,
    );
  });

  test('--output FILE: an existing file survives a failing statement byte for byte; success replaces it', async () => {
    const out = mkdtempSync(join(dir, 'out-'));
    const file = join(out, 'out.csv');
    const old = 'old\n';
    writeFileSync(file, old);
    const [failed, secondFailed] = await Promise.all([
      query(['-o', file, 'SELECT nope']),
      query(['-o', file, 'SELECT 1 AS a; SELECT nope']),
    ]);
    for (const run of [failed, secondFailed]) {
      expect([run.code, run.stdout]).toEqual([1, '']);
      expect(run.stderr).toMatch(/^flightsql: .*"nope".*\[INVALID_ARGUMENT\]\n$/s);
    }
    expect(readFileSync(file, 'utf8')).toBe(old);
    expect(readdirSync(out)).toEqual(['out.csv']);
    const fresh = join(out, 'fresh.csv');
    const none = await query(['-o', fresh, 'SELECT nope']);
    expect(none.code).toBe(1);
    expect(readdirSync(out)).toEqual(['out.csv']);

    const ok = await query(['-o', file, 'SELECT 1 AS a; SELECT 2 AS b']);
    expect([ok.code, ok.stdout, ok.stderr]).toEqual([0, '', '']);
    expect(readFileSync(file, 'utf8')).toBe('a\n1\nb\n2\n');
    expect(readdirSync(out)).toEqual(['out.csv']);
  });

  test('--output FILE: Ctrl-C mid-result removes the temporary file and keeps the old one', async () => {
    const out = mkdtempSync(join(dir, 'int-'));
    const file = join(out, 'big.csv');
    writeFileSync(file, 'old\n');
    const child = spawn(
      process.execPath,
      [...cliCommand(), 'query', '--host', single.location, '-o', file, 'SELECT * FROM range(100000000)'],
      { cwd: root, env: cleanEnv(), stdio: 'ignore' },
    );
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    // The temporary file appears once the command is under way.
    const deadline = Date.now() + 30_000;
    while (!readdirSync(out).some((name) => name.endsWith('.tmp')) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(readdirSync(out)).toHaveLength(2);
    child.kill('SIGINT');
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGINT' });
    expect(readdirSync(out)).toEqual(['big.csv']);
    expect(readFileSync(file, 'utf8')).toBe('old\n');
  }, 60_000);

  test('-f with a file that cannot be read: the reason and the system code, exit 1', async () => {
    const run = await runCli(['query', '-f', 'nosuch.sql']);
    expect([run.code, run.stdout, run.stderr]).toEqual([
      1,
      '',
      "flightsql: cannot read 'nosuch.sql': no such file (ENOENT)\n",
    ]);
  });
});

describe("docs/cli.md's `home` table", () => {
  test("the page's CREATE TABLE home makes the table its per-room example prints", async () => {
    const page = readFileSync(join(root, 'docs/cli.md'), 'utf8');
    const create = /^flightsql query "(CREATE TABLE home AS [^"\n]+)"$/m.exec(page)?.[1];
    expect(create).toBeDefined();
    // A server of its own: the page's table in an empty database, as `flightsql serve` starts.
    const served = await serve();
    try {
      const made = await runCli(['query', '--host', served.location, create!]);
      expect([made.code, made.stdout, made.stderr]).toEqual([0, '', 'OK\n']);
      const example =
        /^\$ flightsql query --format table "(SELECT room, count\(\*\) AS readings[^"]+)"\n((?:.+\n)+?\(2 rows\)\n)/m.exec(
          page,
        );
      expect(example).not.toBeNull();
      const run = await runCli(['query', '--host', served.location, '--format', 'table', example![1]!]);
      expect(run.stdout).toBe(example![2]);
    } finally {
      await served.stop();
    }
  });
});
