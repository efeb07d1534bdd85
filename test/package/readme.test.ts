/**
 * README examples are tests: every ```ts block of README.md that imports `flightsql` (any subpath)
 * is written verbatim to its own `.mts` file in the full app (scripts/pack-install.mjs), compiled
 * there by the app's own TypeScript (strict; type errors fail), and the emitted `.mjs` is run with
 * Node in that app. The prelude, documented in the README's "Running the examples", is set up here:
 * the embedded server of the installed package in a child process (Flight SQL and HTTP on 31337, the
 * demo's `home` table), a real influxd on 8086 (admin / secret), and examples/ copied into each
 * example's working directory. Nothing from src/ or dist/ is imported.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startInfluxd, type RunningInfluxd } from '../../scripts/influxd.cjs';
import { appDir, type RunResult } from './app';

const root = join(__dirname, '../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const samples = join(root, 'examples');

/** The ports the README's examples name (fixed: a user copies the examples as printed). */
const PORTS = [
  { port: 31337, what: "the embedded server's port (Flight SQL and HTTP writes)" },
  { port: 8086, what: "influxd's HTTP port (the InfluxDB 1.x example)" },
] as const;
const INFLUXD_ADMIN = { username: 'admin', password: 'secret' };

/** The demo's `home` table, copied from src/cli/demo.ts (HOME_DATASET_SQL): the test may not import src/. */
const HOME_DATASET_SQL = `
CREATE TABLE home AS
SELECT
  TIMESTAMP '2026-01-01 00:00:00' + to_minutes(i) AS time,
  room,
  round(21.0 + (room = 'Kitchen')::INT * 1.5 + 1.5 * sin(i / 180.0) + ((i * 7919) % 10) / 50.0, 2) AS temp,
  round(35.0 + (room = 'Kitchen')::INT * 1.0 + 0.5 * cos(i / 240.0) + ((i * 104729) % 10) / 20.0, 2) AS hum,
  CAST(CASE WHEN room = 'Kitchen' AND i % 1440 BETWEEN 720 AND 840 THEN 5 + (i % 20) ELSE i % 3 END AS BIGINT) AS co
FROM range(0, 1440) t(i), (VALUES ('Kitchen'), ('Living Room')) r(room)
ORDER BY time, room`;

/** Runs in the full app (so it is the installed package): starts, seeds, says READY, stops when stdin ends. */
const PRELUDE_SERVER = `import { startServer } from 'flightsql/server';

const server = await startServer({ port: ${PORTS[0].port} });
const connection = await server.engine.connect();
try {
  await connection.run(${JSON.stringify(HOME_DATASET_SQL)});
} finally {
  connection.closeSync();
}
process.stdout.write('READY ' + JSON.stringify({ location: server.location, httpUrl: server.httpUrl }) + '\\n');
let closing = false;
const stop = async () => {
  if (closing) return;
  closing = true;
  await server.close();
  process.exit(0);
};
process.stdin.on('end', stop); // the test (or its process) is gone
process.stdin.resume();
process.on('SIGTERM', stop);
`;

/** One ```ts block of the README that imports flightsql. */
interface Block {
  index: number;
  line: number;
  code: string;
}

function exampleBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  for (const match of markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) {
    const code = match[1]!;
    if (!/\bfrom\s+['"]flightsql(?:\/[^'"]*)?['"]/.test(code)) continue;
    const line = markdown.slice(0, match.index).split('\n').length + 1;
    blocks.push({ index: blocks.length + 1, line, code });
  }
  return blocks;
}

interface Context {
  influxd: RunningInfluxd;
}

/** What each example must print (and, where it says so in a comment, must have done). */
interface Expectation {
  name: string;
  /** Recognises the block. */
  matches: RegExp;
  check(stdout: string, context: Context): void | Promise<void>;
}

const number = String.raw`-?\d+(?:\.\d+)?(?:e[+-]?\d+)?`;

const EXPECTATIONS: readonly Expectation[] = [
  {
    name: 'PEP 249: connect() and a cursor',
    matches: /import \{ connect(?:, createPool)? \} from 'flightsql'/,
    check(out) {
      expect(out).toMatch(/\[\s*'room',\s*Utf8/); // description
      expect(out).toMatch(/\[\s*'temp',\s*Float/);
      expect(out).toMatch(new RegExp(`^Kitchen ${number}$`, 'm'));
      expect(out).toMatch(new RegExp(`^Living Room ${number}$`, 'm'));
      // 2,880 seeded readings and the three rows the example inserts.
      expect(out).toMatch(/^2883 \[ 'time', 'room', 'temp', 'hum', 'co' \]$/m);
      expect(out).toMatch(/^\[ \[ 1n \] \]$/m); // the pool's query: the one 'Den' row inserted above
    },
  },
  {
    name: 'Knex dialect',
    matches: /from 'flightsql\/dialect'/,
    check(out) {
      expect(out).toMatch(/^\[ \{ room: 'Kitchen', temp: 21\.54 \} \]$/m);
      const alerts = out.match(/^\{ time: 2026-01-01T\d\d:\d\d:00\.000Z, room: 'Kitchen', co: 2[1-4]n \}$/gm);
      expect(alerts).toHaveLength(24);
      expect(out).toMatch(/temp: \{\s*type: 'double',\s*maxLength: null,\s*nullable: true/);
      expect(out).toMatch(/schema: 'main',\s*name: 'home',\s*type: 'TABLE'/);
    },
  },
  {
    name: 'InfluxDBClient3 against the embedded server',
    matches: /\bInfluxDBClient3\b/,
    check(out) {
      // Kitchen rows with co > 0: the written point (22.5) and five of the sample file's.
      const rows = [...out.matchAll(new RegExp(`\\{"room": "([^"]*)", "temp": (${number})\\}`, 'g'))];
      expect(rows.map((m) => m[1])).toEqual(['Kitchen']);
      expect(Number(rows[0]![2])).toBeCloseTo(22, 9);
    },
  },
  {
    name: 'InfluxDB 1.x client',
    matches: /InfluxDBClient\.fromDSN/,
    async check(out, { influxd }) {
      const minute = out.match(/^(\d{13}) 0\.64$/m);
      expect(minute).not.toBeNull();
      expect(Math.abs(Number(minute![1]) - Date.now())).toBeLessThan(5 * 60_000);
      // What the comments claim: the web-2 point kept its nanoseconds; grafana may read metrics.
      // (The response's text is read: nanosecond times do not fit in a JSON number.)
      const web2 = await influxql(influxd, "SELECT load FROM cpu WHERE host = 'web-2'", 'metrics', 'ns');
      expect(web2).toMatch(/"values":\[\[\d{13}456789,0\.12\]\]/);
      const grants = await influxql(influxd, 'SHOW GRANTS FOR grafana');
      expect(grants).toContain('"values":[["metrics","READ"]]');
    },
  },
  {
    name: 'FlightSQLClient',
    matches: /import \{ FlightSQLClient \} from 'flightsql'/,
    check(out) {
      expect(out).toMatch(new RegExp(`^\\s*\\{"room": "Kitchen", "temp": ${number}\\},?$`, 'm'));
      expect(out).toMatch(new RegExp(`^\\s*\\{"room": "Living Room", "temp": ${number}\\},?$`, 'm'));
    },
  },
  {
    name: 'the embedded server',
    matches: /from 'flightsql\/server'/,
    check(out) {
      expect(out.trim()).toMatch(/^grpc\+tcp:\/\/127\.0\.0\.1:(\d+)\nhttp:\/\/127\.0\.0\.1:\1$/);
    },
  },
];

/** One InfluxQL statement against the prelude's influxd, as its admin: the response's text. */
async function influxql(influxd: RunningInfluxd, q: string, db?: string, epoch?: string): Promise<string> {
  const params = new URLSearchParams({ q, ...(db ? { db } : {}), ...(epoch ? { epoch } : {}) });
  const auth = Buffer.from(`${INFLUXD_ADMIN.username}:${INFLUXD_ADMIN.password}`).toString('base64');
  const response = await fetch(`${influxd.url}/query?${params}`, {
    headers: { authorization: `Basic ${auth}` },
  });
  const text = await response.text();
  if (!response.ok || text.includes('"error"')) throw new Error(`influxd: ${q}: ${response.status} ${text}`);
  return text;
}

/** Fails, naming the port, when something already listens on it. */
function checkPortFree(port: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `port ${port} (${what}, named by the README's examples) is already in use on 127.0.0.1 ` +
            `(${err.code ?? err.message}): stop what listens there to run the README examples`,
        ),
      ),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

/** The environment of the examples: the user's, without settings that would change what they do. */
function exampleEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(INFLUX_|FLIGHTSQL_)/.test(name)) delete env[name];
  }
  delete env['NODE_OPTIONS'];
  delete env['FORCE_COLOR'];
  env['NO_COLOR'] = '1';
  return env;
}

/** Runs a command to its end (asynchronously), resolving with its exit code whatever it is. */
function run(file: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      [...args],
      {
        cwd,
        env: exampleEnv(),
        encoding: 'utf8',
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 1 << 26,
      },
      (err, stdout, stderr) => {
        const failure = err as (Error & { code?: number | string; signal?: string; killed?: boolean }) | null;
        if (!failure) return resolve({ code: 0, stdout, stderr });
        const code = typeof failure.code === 'number' ? failure.code : -1;
        const why = failure.killed ? `\n(killed after ${timeoutMs} ms: it did not end)` : '';
        resolve({ code, stdout, stderr: `${stderr}${why}${code === -1 ? `\n${failure.message}` : ''}` });
      },
    );
  });
}

/** Starts the prelude's embedded server in a child Node process in the app; resolves once it says READY. */
function startPreludeServer(dir: string): Promise<ChildProcessWithoutNullStreams> {
  const script = join(dir, 'prelude-server.mjs');
  writeFileSync(script, PRELUDE_SERVER);
  const child = spawn(process.execPath, [script], { cwd: dir, env: exampleEnv(), stdio: 'pipe' });
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the prelude's embedded server did not start within 30 s:\n${stderr}`));
    }, 30_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (/^READY /m.test(stdout)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`the prelude's embedded server exited (${code ?? signal}) before it was ready:\n${stderr}`),
      );
    });
  });
}

async function stopChild(child: ChildProcessWithoutNullStreams | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stdin.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

const blocks = exampleBlocks(readme);

test('every README example has an expectation, and every expectation an example', () => {
  const names = blocks.map((block) => {
    const found = EXPECTATIONS.filter((e) => e.matches.test(block.code));
    if (found.length !== 1)
      throw new Error(`README.md line ${block.line}: ${found.length} expectations match this block`);
    return found[0]!.name;
  });
  expect([...names].sort()).toEqual(EXPECTATIONS.map((e) => e.name).sort());
});

describe('README examples, compiled by tsc and run as printed', () => {
  const context = {} as Context;
  let app: string;
  let dir: string;
  let server: ChildProcessWithoutNullStreams | undefined;
  /** tsc's diagnostics, by example file ('' for those of no file). */
  const diagnostics = new Map<string, string[]>();

  beforeAll(async () => {
    app = appDir('full');
    for (const { port, what } of PORTS) await checkPortFree(port, what);
    dir = mkdtempSync(join(app, 'readme-'));
    const sampleFiles = readdirSync(samples).filter((name) => !name.endsWith('.mjs'));
    const files: string[] = [];
    for (const block of blocks) {
      const folder = join(dir, `example-${block.index}`);
      mkdirSync(folder);
      writeFileSync(join(folder, 'example.mts'), block.code);
      for (const name of sampleFiles) copyFileSync(join(samples, name), join(folder, name));
      files.push(`example-${block.index}/example.mts`);
    }
    const tsc = run(
      process.execPath,
      [
        join(app, 'node_modules/typescript/bin/tsc'),
        ...['--strict', '--module', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--pretty', 'false'],
        ...files,
      ],
      dir,
      60_000,
    );
    const [compiled, started, influxd] = await Promise.allSettled([
      tsc,
      startPreludeServer(dir),
      startInfluxd({ port: PORTS[1].port, auth: true, admin: INFLUXD_ADMIN }),
    ]);
    if (started.status === 'fulfilled') server = started.value;
    if (influxd.status === 'fulfilled') context.influxd = influxd.value;
    for (const settled of [compiled, started, influxd]) {
      if (settled.status === 'rejected') throw settled.reason;
    }
    const output = (compiled as PromiseFulfilledResult<RunResult>).value;
    let file = '';
    for (const line of `${output.stdout}${output.stderr}`.split('\n')) {
      if (!line.trim()) continue;
      // A diagnostic's first line names its file; indented lines continue it.
      if (!/^\s/.test(line)) file = /^(example-\d+\/example\.mts)\(/.exec(line)?.[1] ?? '';
      diagnostics.set(file, [...(diagnostics.get(file) ?? []), line]);
    }
    if (output.code !== 0 && diagnostics.size === 0) diagnostics.set('', [`tsc exited ${output.code}`]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([stopChild(server), context.influxd?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const cases = blocks.map((block) => {
    const expectation = EXPECTATIONS.find((e) => e.matches.test(block.code));
    return [block.line, expectation?.name ?? '(no expectation)', block, expectation] as const;
  });
  test.each(cases)('README.md line %i: %s', async (_line, _name, block, expectation) => {
    const file = `example-${block.index}/example.mts`;
    expect({ tscErrors: [...(diagnostics.get('') ?? []), ...(diagnostics.get(file) ?? [])] }).toEqual({
      tscErrors: [],
    });
    const result = await run(process.execPath, ['example.mjs'], join(dir, `example-${block.index}`), 30_000);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    if (!expectation) throw new Error(`no expectation for the example at README.md line ${block.line}`);
    await expectation.check(result.stdout, context);
  });
});
