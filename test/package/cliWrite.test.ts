/**
 * `flightsql write` as a command: every file format (line protocol, CSV, JSON, NDJSON, Parquet,
 * Arrow IPC) and stdin into a real InfluxDB 1.x (influxd), read back exactly (int64 beyond 2^53,
 * nanosecond times, tags with spaces, commas and equals signs, a string with quotes and a line
 * feed); InfluxDB 3 (`--api v3`) and 2.x (`--api v2`) writes into the embedded server, read back
 * over Flight; a refused batch stops the command with the server's message, and the points of
 * an InfluxDB 3 partial write that the server kept are counted as written; bad flags exit 2.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { once } from 'node:events';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  Float64,
  Int64,
  Table,
  TimestampNanosecond,
  Utf8,
  makeData,
  makeVector,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import { InfluxDBClient3, Point } from '../../src/influx';
import { startServer, type RunningServer } from '../../src/server';
import { UsageError } from '../../src/cli/args';
import { write } from '../../src/cli/write';
import { useInfluxd, uniqueName } from '../integration/influxd';
import { root, runCli, spawnOnTerminal } from './cliHarness';

const influxd = useInfluxd();
let server: RunningServer;
let dir: string;
let url: string;

const rooms = ['living room', 'a,b=c', 'hall'];
const temps = [21.5, -0.25, 1e-7];
const cos = [9_007_199_254_740_993n, -9_223_372_036_854_775_807n, 9_223_372_036_854_775_807n];
const notes = ['say "hi"\nthere', 'plain', 'a, b = c'];
const times = [1_714_564_800_123_456_789n, 1_714_564_800_123_456_790n, 1_714_564_800_999_999_999n];
/** What every format must store. */
const expected = rooms.map((room, i) => ({
  time: String(times[i]),
  room,
  temp: temps[i],
  co: String(cos[i]),
  note: notes[i],
}));
const MAPPING = ['--tag', 'room', '--timestamp-column', 'time'];

/** The file's line protocol, as the library writes it, with a comment, a blank line and a CRLF. */
function lineProtocol(measurement: string): string {
  const [first, ...rest] = rooms.map((room, i) =>
    new Point(measurement)
      .tag('room', room)
      .floatField('temp', temps[i]!)
      .intField('co', cos[i]!)
      .stringField('note', notes[i]!)
      .timestamp(times[i]!)
      .toLineProtocol(),
  );
  return `# readings\n${first}\r\n\n${rest.join('\n')}\n`;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flightsql-cli-write-'));
  url = `http://${influxd.server.host}:${influxd.server.port}`;
  server = await startServer({ port: 0 });
  const csvText = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  writeFileSync(join(dir, 'r.lp'), lineProtocol('m_lp'));
  writeFileSync(
    join(dir, 'r.csv'),
    'room,temp,co,note,time\n' +
      rooms.map((r, i) => [csvText(r), temps[i], cos[i], csvText(notes[i]!), times[i]].join(',')).join('\n') +
      '\n',
  );
  // Integers as bare JSON numbers beyond 2^53: read from their text.
  const objects = rooms.map(
    (r, i) =>
      `{"room":${JSON.stringify(r)},"temp":${temps[i]},"co":${cos[i]},"note":${JSON.stringify(notes[i])},"time":${times[i]}}`,
  );
  writeFileSync(join(dir, 'r.json'), `[\n${objects.join(',\n')}\n]`);
  writeFileSync(join(dir, 'r.ndjson'), `${objects.join('\n')}\n`);
  const table = new Table({
    room: vectorFromArray(rooms, new Utf8()),
    temp: vectorFromArray(temps, new Float64()),
    co: vectorFromArray(cos, new Int64()),
    note: vectorFromArray(notes, new Utf8()),
    time: makeVector(
      makeData({ type: new TimestampNanosecond(), length: 3, nullCount: 0, data: BigInt64Array.from(times) }),
    ),
  });
  writeFileSync(join(dir, 'r.arrow'), tableToIPC(table, 'file'));
  writeFileSync(join(dir, 'r.arrows'), tableToIPC(table, 'stream'));
  // hyparquet-writer is an ES module: written in a process of its own.
  const parquet = `
    import { parquetWriteFile } from 'hyparquet-writer';
    const d = JSON.parse(process.env.DATA, (k, v) => (typeof v === 'string' && /^-?\\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v));
    parquetWriteFile({
      filename: process.env.FILE,
      columnData: [
        { name: 'room', data: d.rooms }, { name: 'temp', data: d.temps }, { name: 'co', data: d.cos },
        { name: 'note', data: d.notes }, { name: 'time', data: d.times },
      ],
      schema: [
        { name: 'root', num_children: 5 },
        { name: 'room', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
        { name: 'temp', type: 'DOUBLE', repetition_type: 'REQUIRED' },
        { name: 'co', type: 'INT64', repetition_type: 'REQUIRED' },
        { name: 'note', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
        { name: 'time', type: 'INT64', repetition_type: 'REQUIRED',
          logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'NANOS' } },
      ],
    });
  `;
  const data = JSON.stringify({ rooms, temps, cos, notes, times }, (_k, v: unknown) =>
    typeof v === 'bigint' ? `${v}n` : v,
  );
  await promisify(execFile)(process.execPath, ['--input-type=module', '-e', parquet], {
    cwd: root,
    env: { ...process.env, FILE: join(dir, 'r.parquet'), DATA: data },
  });
}, 30_000);
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The points of `measurement` in `database` of influxd, values as text where they are exact integers. */
async function storedIn(database: string, measurement: string) {
  const rs = await influxd.client.query(`SELECT * FROM "${measurement}"`, { database, epoch: 'ns' });
  return rs.getPoints().map((p) => ({
    time: String(p['time']),
    room: p['room'],
    temp: p['temp'],
    co: String(p['co']),
    note: p['note'],
  }));
}

async function fieldTypes(database: string, measurement: string) {
  const rs = await influxd.client.query(`SHOW FIELD KEYS FROM "${measurement}"`, { database });
  return Object.fromEntries(rs.getPoints().map((p) => [p['fieldKey'], p['fieldType']]));
}

/** The rows of `measurement` in the embedded server's `database`, read over Flight. */
async function storedInServer(database: string, measurement: string) {
  const client = new InfluxDBClient3({
    host: server.httpUrl,
    database,
    flightOptions: { host: server.location },
  });
  try {
    const table = await client.query(
      `SELECT epoch_ns(time)::VARCHAR AS time, room, temp, co::VARCHAR AS co, note, typeof(co) AS co_type FROM ${measurement} ORDER BY time`,
    );
    return table.toArray().map((r) => r.toJSON() as Record<string, unknown>);
  } finally {
    await client.close();
  }
}

describe('InfluxDB 1.x (influxd)', () => {
  const db = uniqueName('cli');
  beforeAll(() => influxd.client.createDatabase(db));

  const FILES: [file: string, measurement: string, flags: string[]][] = [
    ['r.lp', 'm_lp', []],
    ['r.csv', 'm_csv', ['--measurement', 'm_csv', ...MAPPING, '--integer', 'co']],
    ['r.json', 'm_json', ['--measurement', 'm_json', ...MAPPING, '--integer', 'co']],
    ['r.ndjson', 'm_ndjson', ['--measurement', 'm_ndjson', ...MAPPING, '--integer', 'co']],
    ['r.parquet', 'm_parquet', ['--measurement', 'm_parquet', ...MAPPING]],
    ['r.arrow', 'm_arrow', ['--measurement', 'm_arrow', ...MAPPING]],
    ['r.arrows', 'm_arrows', ['--measurement', 'm_arrows', ...MAPPING]],
  ];

  test('every format stored exactly, a summary on stderr and nothing on stdout', async () => {
    // One command per format, side by side (each is its own process).
    const results = await Promise.all(
      FILES.map(([file, , flags]) =>
        runCli(['write', join(dir, file), '--url', url, '--database', db, ...flags]),
      ),
    );
    for (const [i, [file, measurement]] of FILES.entries()) {
      const result = results[i]!;
      expect([file, result.stderr]).toEqual([
        file,
        expect.stringMatching(/^wrote 3 points in \d+\.\d s \(\d+ points\/s\)\n$/),
      ]);
      expect([file, result.code, result.stdout]).toEqual([file, 0, '']);
      expect([file, await storedIn(db, measurement)]).toEqual([file, expected]);
      expect([file, await fieldTypes(db, measurement)]).toEqual([
        file,
        { co: 'integer', note: 'string', temp: 'float' },
      ]);
    }
  }, 120_000);

  test('stdin: line protocol by default, CSV with --format; --gzip, --retention-policy and --precision s', async () => {
    await influxd.client.createRetentionPolicy('week', '7d', 1, { database: db });
    // Inside the policy's week: older points would be dropped.
    const now = Math.floor(Date.now() / 1000);
    const lp = await runCli(
      [
        'write',
        '-',
        '--url',
        url,
        '-d',
        db,
        '--retention-policy',
        'week',
        '--precision',
        's',
        '--gzip',
        '-q',
      ],
      { input: `stdin_lp,host=a\\ b value=1i ${now}\nstdin_lp,host=c value=2i ${now + 1}\n` },
    );
    expect([lp.code, lp.stdout, lp.stderr]).toEqual([0, '', '']);
    const rs = await influxd.client.query('SELECT * FROM "week"."stdin_lp"', { database: db, epoch: 'ns' });
    expect(rs.getPoints()).toEqual([
      { time: BigInt(now) * 1_000_000_000n, host: 'a b', value: 1 },
      { time: BigInt(now + 1) * 1_000_000_000n, host: 'c', value: 2 },
    ]);
    const csv = await runCli(
      ['write', '-', '--format', 'csv', '--url', url, '-d', db, '--measurement', 'stdin_csv', ...MAPPING],
      { input: 'room,temp,time\nkitchen,20.5,1714564800000000001\n' },
    );
    expect([csv.code, csv.stderr]).toEqual([0, expect.stringMatching(/^wrote 1 point in/)]);
    const points = (
      await influxd.client.query('SELECT * FROM stdin_csv', { database: db, epoch: 'ns' })
    ).getPoints();
    expect(points).toEqual([{ time: 1_714_564_800_000_000_001n, room: 'kitchen', temp: 20.5 }]);
  });

  test('a refused batch stops the command: exit 1, what was written, the server line', async () => {
    const lines = [
      'bad_batch v=1i 1',
      'bad_batch v=2i 2',
      'bad_batch v=3i 3',
      'bad_batch v=',
      'bad_batch v=5i 5',
    ];
    const result = await runCli(['write', '-', '--url', url, '-d', db, '--batch-size', '2'], {
      input: lines.join('\n'),
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      'flightsql write: 2 points were written; the batch of points 3 to 4 failed',
    );
    expect(result.stderr).toMatch(/400 Bad Request: partial write: unable to parse 'bad_batch v=': /);
    expect(result.stderr).toContain('a partial write: InfluxDB may have kept some points of this batch');
    expect(result.stderr).not.toMatch(/^wrote /m);
    // The first batch is stored, 1.x kept the good line of the refused one, the last was never sent.
    const rs = await influxd.client.query('SELECT v FROM bad_batch', { database: db });
    expect(rs.getPoints().map((p) => p['v'])).toEqual([1, 2, 3]);
  });

  test("an unknown database is the server's error, exit 1", async () => {
    const result = await runCli(['write', join(dir, 'r.lp'), '--url', url, '-d', 'no_such_db']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/404 Not Found: database not found: "no_such_db"/);
  });
});

describe('InfluxDB 3 and 2.x writes (the embedded server), read back over Flight', () => {
  const flightRows = expected.map((row) => ({ ...row, co_type: 'BIGINT' }));

  test('--api v3: line protocol and Parquet', async () => {
    const lp = await runCli([
      'write',
      join(dir, 'r.lp'),
      '--api',
      'v3',
      '--url',
      server.httpUrl,
      '-d',
      'v3db',
    ]);
    expect([lp.code, lp.stdout]).toEqual([0, '']);
    expect(lp.stderr).toMatch(/^wrote 3 points in/);
    const parquet = await runCli([
      'write',
      join(dir, 'r.parquet'),
      '--api',
      'v3',
      '--url',
      server.httpUrl,
      '-d',
      'v3db',
      '--measurement',
      'm_parquet',
      ...MAPPING,
      '--gzip',
    ]);
    expect(parquet.code).toBe(0);
    expect(await storedInServer('v3db', 'm_lp')).toEqual(flightRows);
    expect(await storedInServer('v3db', 'm_parquet')).toEqual(flightRows);
  });

  test('--api v2: --bucket and --org, a token as "Token"', async () => {
    const result = await runCli([
      'write',
      join(dir, 'r.csv'),
      '--api',
      'v2',
      '--url',
      server.httpUrl,
      '--bucket',
      'v2db',
      '--org',
      'my-org',
      '--measurement',
      'm_csv',
      ...MAPPING,
      '--integer',
      'co',
    ]);
    expect([result.code, result.stdout]).toEqual([0, '']);
    expect(await storedInServer('v2db', 'm_csv')).toEqual(flightRows);
  });

  test('--api v3 partial write: exit 1, the kept points counted, the refused lines by their place in the input', async () => {
    const result = await runCli(
      ['write', '-', '--api', 'v3', '--url', server.httpUrl, '-d', 'v3db', '--batch-size', '2'],
      {
        input: 'partial v=1i 1\npartial v=2i 2\npartial v=3i 3\npartial v=oops 4\n',
      },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^flightsql write: 3 points were written; the server refused 1 of the batch of points 3 to 4 and kept the others:\n {2}point 4: .+: partial v=oops 4\n/,
    );
    expect(result.stderr).toMatch(/partial write of line protocol occurred/);
    expect(await storedValues('v3db', 'partial')).toEqual([1, 2, 3]);
  });

  test('--api v3 partial write with more refused lines than the server lists: the count is a bound', async () => {
    // 120 bad lines and 30 good ones in one batch; the embedded server lists the first 100 bad.
    const lines = Array.from({ length: 150 }, (_, i) =>
      i < 120 ? `many v=bad${i} ${i + 1}` : `many v=${i}i ${i + 1}`,
    );
    const result = await runCli(['write', '-', '--api', 'v3', '--url', server.httpUrl, '-d', 'v3db'], {
      input: lines.join('\n'),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^flightsql write: at most 50 points were written; the server refused 100 of the batch of points 1 to 150 and kept the others:\n/,
    );
    expect(result.stderr).toContain('  ... and 90 more\n');
    expect(await storedValues('v3db', 'many')).toHaveLength(30);
  });

  test("--api v3 partial write of one batch: docs/cli.md's example, as printed there and stored", async () => {
    // The page's example, run against this server instead of port 31337.
    const page = readFileSync(join(root, 'docs/cli.md'), 'utf8');
    const example =
      /^\$ printf '(.+?)' \| flightsql write - -d home --api v3 --url 127\.0\.0\.1:31337\n((?:flightsql.+\n| {2}.+\n)+)/m.exec(
        page,
      );
    expect(example).not.toBeNull();
    const input = example![1]!.replaceAll('\\n', '\n');
    expect(input).toBe('bad line protocol\nm,t=1 f=1 1\n');
    const port = new URL(server.httpUrl).port;
    const result = await runCli(['write', '-', '-d', 'home', '--api', 'v3', '--url', `127.0.0.1:${port}`], {
      input,
    });
    expect([result.code, result.stdout]).toEqual([1, '']);
    expect(result.stderr).toBe(example![2]);
    expect(result.stderr).toContain('1 point was written;');
    // The good point is stored: the count is true.
    const client = new InfluxDBClient3({
      host: server.httpUrl,
      database: 'home',
      flightOptions: { host: server.location },
    });
    try {
      const table = await client.query('SELECT epoch_ns(time)::VARCHAR AS time, t, f FROM m');
      expect(table.toArray().map((r) => r.toJSON() as Record<string, unknown>)).toEqual([
        { time: '1', t: '1', f: 1 },
      ]);
    } finally {
      await client.close();
    }
  });
});

/** The `v` values of `measurement` in the embedded server's `database`, in time order. */
async function storedValues(database: string, measurement: string): Promise<unknown[]> {
  const client = new InfluxDBClient3({
    host: server.httpUrl,
    database,
    flightOptions: { host: server.location },
  });
  try {
    const table = await client.query(`SELECT v FROM ${measurement} ORDER BY time`);
    return table.toArray().map((r) => Number((r.toJSON() as { v: unknown }).v));
  } finally {
    await client.close();
  }
}

test('on a terminal: a progress line redrawn in place, cleared before the summary', async () => {
  const db = uniqueName('tty');
  await influxd.client.createDatabase(db);
  const file = join(dir, 'tty.lp');
  writeFileSync(file, Array.from({ length: 5000 }, (_, i) => `tty,n=${i % 7} v=${i}i ${i + 1}`).join('\n'));
  const child = spawnOnTerminal(['write', file, '--url', url, '-d', db, '--batch-size', '1000'], {
    FLIGHTSQL_PROGRESS_DELAY_MS: '0',
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  expect(code).toBe(0);
  // Each redraw: carriage return and "erase line" (shown as <CLEAR>), then the meter.
  const shown = stdout.replaceAll('\r\x1b[2K', '<CLEAR>');
  const draws = shown.split('<CLEAR>');
  expect(draws[0]).toBe('');
  // The first batch is drawn at once; the line is cleared before the summary.
  expect(draws[1]).toMatch(/^write .*tty\.lp: 1,000 points, \d+\.\d KB, [\d,]+ points\/s, \d+\.\d s$/);
  for (const draw of draws.slice(1, -1)) {
    expect(draw).toMatch(/^write .*tty\.lp: [\d,]+ points, \d+\.\d KB, [\d,]+ points\/s, \d+\.\d s$/);
  }
  expect(draws.at(-1)).toMatch(/^wrote 5000 points in \d+\.\d s \(\d+ points\/s\)\r\n$/);
  const rs = await influxd.client.query('SELECT count(v) FROM tty', { database: db });
  expect(rs.getPoints()[0]!['count']).toBe(5000);
});

describe('the command line', () => {
  test('--help prints the usage on stdout, exit 0', async () => {
    const result = await runCli(['write', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^usage: flightsql write \[flags\] FILE\.\.\./);
    for (const flag of [
      '--api v1|v2|v3',
      '--database',
      '--bucket',
      '--org',
      '--retention-policy',
      '--precision',
      '--format',
      '--measurement',
      '--tag',
      '--timestamp-column',
      '--integer',
      '--batch-size',
      '--gzip',
      '--token',
      '--username',
      '--password',
    ]) {
      expect(result.stdout).toContain(flag);
    }
  });

  const USAGE_ERRORS: [args: string[], message: RegExp][] = [
    [['write', 'x.lp', '-d', 'db', '--bogus'], /unknown option '--bogus'/i],
    [['write', 'x.lp', '-d', 'db', '--api', 'v9'], /--api must be one of v1, v2, v3, got 'v9'/],
    [['write', 'x.lp', '-d', 'db', '--batch-size', '0'], /--batch-size must be a positive integer, got '0'/],
    [
      ['write', 'x.lp', '-d', 'db', '--api', 'v3', '--precision', 'h'],
      /--precision must be one of ns, us, ms, s, got 'h'/,
    ],
    [['write', '-d', 'db'], /no FILE given/],
    [['write', 'x.lp'], /no database: give --database/],
    [['write', 'x.csv', '-d', 'db'], /csv rows need --measurement M or --measurement-column C/],
    [['write', 'x.lp', '-d', 'db', '--tag', 'room'], /--tag map the columns of csv, json/],
    [
      ['write', 'x.orc', '-d', 'db'],
      /cannot tell the format of 'x\.orc' from its extension: give --format lp\|csv/,
    ],
    [
      ['write', '-', '--format', 'parquet', '-d', 'db', '--measurement', 'm'],
      /Parquet cannot be read from stdin/,
    ],
    [['write', 'x.lp', '-d', 'db', '--api', 'v3', '--username', 'u'], /--username is for --api v1/],
    [['write', 'x.lp', '-d', 'db', '--url', 'ftp://host'], /--url must be http:\/\/ or https:\/\//],
  ];

  test('bad command lines: a UsageError with a clear message each', async () => {
    for (const [args, message] of USAGE_ERRORS) {
      const error = await write(args.slice(1)).catch((e: unknown) => e);
      expect([args, error]).toEqual([args, expect.any(UsageError)]);
      expect([args, (error as Error).message]).toEqual([args, expect.stringMatching(message)]);
    }
  });

  test('... which the command prints with a hint: exit 2, nothing on stdout', async () => {
    const cases = [USAGE_ERRORS[0]!, USAGE_ERRORS[1]!, USAGE_ERRORS[6]!];
    const results = await Promise.all(cases.map(([args]) => runCli(args)));
    for (const [i, [args, message]] of cases.entries()) {
      const { code, stdout, stderr } = results[i]!;
      expect([args, code, stdout, stderr]).toEqual([args, 2, '', expect.stringMatching(message)]);
      expect(stderr).toMatch(/\nTry 'flightsql write --help'\.\n$/);
    }
  });

  test('a missing file: exit 1; a server that is down: exit 1, no password in the message', async () => {
    const missing = await runCli(['write', join(dir, 'none.lp'), '-d', 'db', '--url', url]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`flightsql: cannot read '${join(dir, 'none.lp')}': no such file (ENOENT)\n`);
    const down = await runCli(
      [
        'write',
        join(dir, 'r.lp'),
        '-d',
        'db',
        '--url',
        'http://127.0.0.1:1',
        '--username',
        'u',
        '--retries',
        '0',
      ],
      {
        env: { INFLUX_PASSWORD: 'hunter2-secret' },
      },
    );
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot connect to InfluxDB: connect ECONNREFUSED 127\.0\.0\.1:1/);
    expect(down.stderr).not.toContain('hunter2-secret');
  });
});
