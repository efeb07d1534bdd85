/**
 * The embedded server's HTTP write listener, for real: InfluxDB writes over HTTP (fetch), rows
 * read back through Flight SQL with their values and Arrow types compared exactly.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FlightSQLClient, RowConverter } from '../../../src';
import { startServer, type RunningServer } from '../../../src/server';
import { queryTable } from '../fixture';

const TOKEN = 'http-ingest-secret-42';

let open: RunningServer;
let guarded: RunningServer;
let client: FlightSQLClient;

beforeAll(async () => {
  [open, guarded] = await Promise.all([
    startServer({ httpPort: 0 }),
    startServer({ httpPort: 0, token: TOKEN, httpMaxBodyBytes: 4096 }),
  ]);
  client = new FlightSQLClient({ host: open.location });
});

afterAll(async () => {
  await client?.close();
  await Promise.all([open?.close(), guarded?.close()]);
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: () => unknown;
}

async function post(
  path: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
  server = open,
): Promise<Answer> {
  const res = await fetch(`${server.httpUrl}${path}`, { method: 'POST', body, headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

/** Rows of `sql` as objects (timestamps as exact bigint ns) and the Arrow type of each column. */
async function select(sql: string) {
  const table = await queryTable(client, sql);
  const converter = new RowConverter(table.schema, { rowMode: 'object', timestamps: 'bigint' });
  return {
    types: Object.fromEntries(table.schema.fields.map((f) => [f.name, String(f.type)])),
    rows: table.batches.flatMap((b) => converter.rows(b)) as Record<string, unknown>[],
  };
}

const count = async (sql: string) => Number((await select(sql)).rows[0]!['n']);

const LINES = [
  'cpu,host=a,region=eu usage=1.5,n=-3i,u=18446744073709551615u,s="say \\"hi\\"\nbye",ok=t 1700000000000000001',
  'cpu,host=b usage=2,n=9223372036854775807i 1700000000000000002',
].join('\n');

const EXPECTED_TYPES = {
  time: 'Timestamp<NANOSECOND>',
  host: 'Utf8',
  region: 'Utf8',
  usage: 'Float64',
  n: 'Int64',
  u: 'Uint64',
  s: 'Utf8',
  ok: 'Bool',
};

const EXPECTED_ROWS = [
  {
    time: 1_700_000_000_000_000_001n,
    host: 'a',
    region: 'eu',
    usage: 1.5,
    n: -3n,
    u: 18_446_744_073_709_551_615n,
    s: 'say "hi"\nbye',
    ok: true,
  },
  {
    time: 1_700_000_000_000_000_002n,
    host: 'b',
    region: null,
    usage: 2,
    n: 9_223_372_036_854_775_807n,
    u: null,
    s: null,
    ok: null,
  },
];

describe('each endpoint writes rows that Flight SQL reads back at once, values and types exact', () => {
  test.each([
    ['/api/v3/write_lp?db=v3db&precision=nanosecond&no_sync=true', 'v3db'],
    ['/api/v2/write?bucket=v2db&org=ignored&precision=ns', 'v2db'],
    ['/write?db=v1db&rp=autogen&precision=n', 'v1db'],
  ])('%s', async (path, db) => {
    const answer = await post(path, LINES, { 'Content-Type': 'text/plain; charset=utf-8' });
    expect([answer.status, answer.text]).toEqual([204, '']);
    const { types, rows } = await select(`SELECT * FROM "${db}"."cpu" ORDER BY time`);
    expect(types).toEqual(EXPECTED_TYPES);
    expect(rows).toEqual(EXPECTED_ROWS);
  });

  test('without a database, writes go to DuckDB’s default schema: plain "<measurement>"', async () => {
    expect((await post('/api/v3/write_lp', 'plain,t=x v=1i 5')).status).toBe(204);
    expect((await post('/write', 'plain,t=y v=2i 6')).status).toBe(204);
    expect((await select('SELECT t, v, time FROM "plain" ORDER BY time')).rows).toEqual([
      { t: 'y', v: 2n, time: 6n }, // v1: nanoseconds by default
      { t: 'x', v: 1n, time: 5_000_000_000n }, // v3: precision auto, and 5 < 5e9 is seconds
    ]);
  });

  test('database and measurement names with quotes, spaces, commas and unicode', async () => {
    const db = 'we"ird db,ü';
    const answer = await post(
      `/api/v2/write?bucket=${encodeURIComponent(db)}`,
      'm\\ x\\,"y,t\\ k\\=1=a\\ b f\\ k=1 1',
    );
    expect(answer.status).toBe(204);
    const { rows } = await select('SELECT * FROM "we""ird db,ü"."m x,""y"');
    expect(rows).toEqual([{ time: 1n, 't k=1': 'a b', 'f k': 1 }]);
  });

  test('lines without a timestamp get the server time', async () => {
    const before = BigInt(Date.now() - 1) * 1_000_000n;
    expect((await post('/api/v2/write?bucket=now', 'n v=1')).status).toBe(204);
    const after = BigInt(Date.now() + 1) * 1_000_000n;
    const [row] = (await select('SELECT time FROM "now"."n"')).rows;
    expect(row!['time']).toBeGreaterThanOrEqual(before);
    expect(row!['time']).toBeLessThanOrEqual(after);
  });
});

describe('schema evolution and conflicts', () => {
  test('new tags and fields add columns; earlier rows read NULL there', async () => {
    expect((await post('/api/v2/write?bucket=evo', 'm,a=1 x=1 1')).status).toBe(204);
    expect((await post('/api/v2/write?bucket=evo', 'm,b=2 y="s" 2\nm,a=3 z=true 3')).status).toBe(204);
    const { types, rows } = await select('SELECT * FROM "evo"."m" ORDER BY time');
    expect(types).toEqual({
      time: 'Timestamp<NANOSECOND>',
      a: 'Utf8',
      x: 'Float64',
      b: 'Utf8',
      y: 'Utf8',
      z: 'Bool',
    });
    expect(rows).toEqual([
      { time: 1n, a: '1', x: 1, b: null, y: null, z: null },
      { time: 2n, a: null, x: null, b: '2', y: 's', z: null },
      { time: 3n, a: '3', x: null, b: null, y: null, z: true },
    ]);
  });

  test('v3, accept_partial (default): good lines are written, each bad one reported as InfluxDB 3 does', async () => {
    expect((await post('/api/v3/write_lp?db=conf', 'm,h=a v=1 1')).status).toBe(204);
    const answer = await post('/api/v3/write_lp?db=conf', 'm v=2 2\nm v="x" 3\nm h=1i 4\nm v=\nm v=5 5');
    expect(answer.status).toBe(400);
    expect(answer.json()).toEqual({
      error: 'partial write of line protocol occurred',
      data: [
        {
          original_line: 'm v="x" 3',
          line_number: 2,
          error_message: "invalid column type for column 'v', expected float (DOUBLE), got string (VARCHAR)",
        },
        {
          original_line: 'm h=1i 4',
          line_number: 3,
          error_message: "field 'h' of type integer (BIGINT) collides with tag column 'h'",
        },
        { original_line: 'm v=', line_number: 4, error_message: "missing value for field 'v'" },
      ],
    });
    expect((await select('SELECT v FROM "conf"."m" ORDER BY time')).rows).toEqual([
      { v: 1 },
      { v: 2 },
      { v: 5 },
    ]);
  });

  test('v3, accept_partial=false: one bad line and nothing is written (not even a new table)', async () => {
    const answer = await post(
      '/api/v3/write_lp?db=conf&accept_partial=false',
      'm v=6 6\nfresh v=1\nm v=7i 7',
    );
    expect(answer.status).toBe(400);
    expect(answer.json()).toEqual({
      error: 'parsing failed for write_lp endpoint',
      data: {
        original_line: 'm v=7i 7',
        line_number: 3,
        error_message: "invalid column type for column 'v', expected float (DOUBLE), got integer (BIGINT)",
      },
    });
    const parseError = await post('/api/v3/write_lp?db=conf&accept_partial=false', 'm v=8 8\nm v=\n');
    expect(parseError.json()).toMatchObject({
      data: { line_number: 2, error_message: "missing value for field 'v'" },
    });
    expect(await count('SELECT count(*) AS n FROM "conf"."m"')).toBe(3);
    expect(await count(`SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'fresh'`)).toBe(0);
  });

  test('a conflict with an earlier line of the same request names both lines', async () => {
    const answer = await post('/api/v3/write_lp?db=conf2', 'q v=1i 1\nq v=1.5 2');
    expect((answer.json() as { data: unknown[] }).data).toEqual([
      {
        original_line: 'q v=1.5 2',
        line_number: 2,
        error_message:
          "invalid column type for column 'v', expected integer (BIGINT), got float (DOUBLE) (set by line 1)",
      },
    ]);
  });

  test('v2 and v1 keep the good lines and answer 400 in their own shapes', async () => {
    const body = 'k v=1 1\nk v=true 2\nk v=3 3';
    const v2 = await post('/api/v2/write?bucket=shapes', body);
    expect(v2.status).toBe(400);
    expect(v2.json()).toEqual({
      code: 'invalid',
      message:
        "partial write error (2 written): line 2: invalid column type for column 'v', expected float (DOUBLE), got boolean (BOOLEAN) (set by line 1) in 'k v=true 2'",
    });
    const v1 = await post('/write?db=shapes', 'k v=4 4\nk,v=x w=1 5');
    expect(v1.status).toBe(400);
    const error = (v1.json() as { error: string }).error;
    expect(error).toMatch(/^partial write: line 2: tag 'v' collides with column 'v'.* dropped=1$/);
    expect(v1.headers.get('x-influxdb-error')).toBe(error);
    const allBad = await post('/write?db=shapes', 'k v=x');
    expect(allBad.json()).toEqual({
      error:
        "line 1: invalid value 'x' for field 'v': not a float, integer (i), unsigned (u), boolean or \"string\" in 'k v=x'",
    });
    expect(await count('SELECT count(*) AS n FROM "shapes"."k"')).toBe(3);
  });

  test('concurrent requests adding the same columns are written one after the other', async () => {
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        post('/api/v2/write?bucket=conc', `c,t${i % 2}=x f${i % 3}=${i} ${i}`),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([204, 204, 204, 204, 204, 204]);
    expect(await count('SELECT count(*) AS n FROM "conc"."c"')).toBe(6);
  });

  test('a database named like a DuckDB catalog is refused', async () => {
    const answer = await post('/api/v2/write?bucket=system', 'm v=1');
    expect(answer.status).toBe(400);
    expect(answer.json()).toMatchObject({
      code: 'invalid',
      message: expect.stringContaining("'system' is reserved"),
    });
  });
});

describe('precision', () => {
  test.each([
    ['/write?db=prec&precision=h', '1', 3_600_000_000_000n],
    ['/write?db=prec&precision=m', '2', 120_000_000_000n],
    ['/write?db=prec&precision=s', '3', 3_000_000_000n],
    ['/write?db=prec&precision=ms', '4', 4_000_000n],
    ['/write?db=prec&precision=u', '5', 5_000n],
    ['/write?db=prec&precision=us', '6', 6_000n],
    ['/api/v2/write?bucket=prec&precision=us', '7', 7_000n],
    ['/api/v2/write?bucket=prec&precision=s', '8', 8_000_000_000n],
    ['/api/v3/write_lp?db=prec&precision=millisecond', '9', 9_000_000n],
    ['/api/v3/write_lp?db=prec&precision=us', '10', 10_000n],
    ['/api/v3/write_lp?db=prec&precision=auto', '1700000000123', 1_700_000_000_123_000_000n],
    ['/api/v3/write_lp?db=prec', '1700000000123456', 1_700_000_000_123_456_000n],
  ])('%s: %s', async (path, raw, nanos) => {
    const tag = `p${raw}`;
    expect((await post(path, `p,k=${tag} v=1 ${raw}`)).status).toBe(204);
    expect((await select(`SELECT time FROM "prec"."p" WHERE k = '${tag}'`)).rows).toEqual([{ time: nanos }]);
  });

  test.each([
    ['/write?db=prec&precision=x', { error: expect.stringContaining("invalid precision 'x'") }],
    ['/write?db=prec&precision=nanosecond', { error: expect.stringContaining('n, ns, u, us, ms, s, m, h') }],
    ['/api/v2/write?bucket=prec&precision=h', { code: 'invalid', message: expect.stringContaining("'h'") }],
    ['/api/v3/write_lp?db=prec&precision=hour', { error: expect.stringContaining("'hour'"), data: null }],
    [
      '/api/v3/write_lp?db=prec&accept_partial=maybe',
      { error: expect.stringContaining('accept_partial'), data: null },
    ],
  ])('%s is a 400', async (path, body) => {
    const answer = await post(path, 'bad v=1 1');
    expect(answer.status).toBe(400);
    expect(answer.json()).toEqual(body);
  });
});

describe('bodies', () => {
  test('gzip bodies are accepted', async () => {
    const body = gzipSync(Buffer.from('gz,t=a v=1i 1\ngz,t=b v=2i 2'));
    const answer = await post('/api/v2/write?bucket=gz', body, { 'Content-Encoding': 'gzip' });
    expect(answer.status).toBe(204);
    expect((await select('SELECT t, v FROM "gz"."gz" ORDER BY time')).rows).toEqual([
      { t: 'a', v: 1n },
      { t: 'b', v: 2n },
    ]);
  });

  test('a broken gzip body is a 400, an unknown encoding a 415, invalid UTF-8 a 400', async () => {
    const broken = await post('/api/v2/write?bucket=gz', Buffer.from('not gzip'), {
      'Content-Encoding': 'gzip',
    });
    expect([broken.status, broken.json()]).toEqual([
      400,
      { code: 'invalid', message: expect.stringContaining('gzip') },
    ]);
    const br = await post('/api/v2/write?bucket=gz', 'x', { 'Content-Encoding': 'br' });
    expect([br.status, br.json()]).toEqual([
      415,
      { code: 'unsupported media type', message: expect.stringContaining("'br'") },
    ]);
    const latin1 = await post(
      '/api/v2/write?bucket=gz',
      Buffer.from([0x6d, 0x20, 0x76, 0x3d, 0x22, 0xe9, 0x22]),
    );
    expect([latin1.status, latin1.json()]).toEqual([
      400,
      { code: 'invalid', message: 'the request body is not valid UTF-8' },
    ]);
  });

  test('bodies over the limit are a 413, also when they only grow that large when gunzipped', async () => {
    const auth = { Authorization: `Token ${TOKEN}` };
    const big = 'm v=1\n'.repeat(1000); // 6000 bytes, limit 4096
    const plain = await post('/api/v2/write?bucket=big', big, auth, guarded);
    expect([plain.status, plain.json()]).toEqual([
      413,
      { code: 'request too large', message: expect.stringContaining('4096') },
    ]);
    const zipped = gzipSync(big);
    expect(zipped.length).toBeLessThan(4096);
    const bomb = await post(
      '/api/v3/write_lp?db=big',
      zipped,
      { ...auth, 'Content-Encoding': 'gzip' },
      guarded,
    );
    expect([bomb.status, bomb.json()]).toEqual([413, { error: expect.stringContaining('4096'), data: null }]);
    // The server is fine afterwards, and small bodies pass.
    expect((await post('/api/v2/write?bucket=big', 'm v=1', auth, guarded)).status).toBe(204);
  });

  test('a body sent in many chunks is read whole', async () => {
    const url = new URL(`${open.httpUrl}/api/v2/write?bucket=chunks`);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(url, { method: 'POST' }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      for (let i = 0; i < 50; i++) req.write(`c v=${i} ${i}\n`);
      req.end();
    });
    expect(status).toBe(204);
    expect(await count('SELECT count(*) AS n FROM "chunks"."c"')).toBe(50);
  });

  test('a 100,000-line body lands completely', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      lines.push(
        `big,host=h${i % 16},region=eu value=${i}.25,count=${i}i,ok=${i % 2 === 0} ${1_700_000_000_000_000_000n + BigInt(i)}`,
      );
    }
    const started = performance.now();
    const answer = await post('/api/v2/write?bucket=bulk', lines.join('\n'));
    const elapsed = performance.now() - started;
    expect(answer.status).toBe(204);
    process.stdout.write(`100k-line write: ${elapsed.toFixed(0)} ms\n`);
    // Generous: the machine may be busy; a statement per line would take far longer.
    expect(elapsed).toBeLessThan(8000);
    const { rows } = await select(
      'SELECT count(*) AS n, sum(count)::BIGINT AS s, count(DISTINCT host) AS h, min(time) AS t0, max(time) AS t1 FROM "bulk"."big"',
    );
    expect(rows).toEqual([
      {
        n: 100_000n,
        s: 4_999_950_000n,
        h: 16n,
        t0: 1_700_000_000_000_000_000n,
        t1: 1_700_000_000_000_099_999n,
      },
    ]);
  });
});

describe('routes and probes', () => {
  test('unknown paths are 404, wrong methods 405; /ping 204 and /health 200 without credentials', async () => {
    const missing = await fetch(`${open.httpUrl}/api/v3/query_sql`, { method: 'POST', body: 'x' });
    expect(missing.status).toBe(404);
    const get = await fetch(`${open.httpUrl}/api/v2/write?bucket=x`);
    expect([get.status, get.headers.get('allow'), await get.json()]).toEqual([
      405,
      'POST',
      { code: 'method not allowed', message: expect.stringContaining('use POST') },
    ]);
    const put = await fetch(`${open.httpUrl}/write?db=x`, { method: 'PUT', body: 'm v=1' });
    expect(put.status).toBe(405);
    const ping = await fetch(`${guarded.httpUrl}/ping`);
    expect(ping.status).toBe(204);
    const head = await fetch(`${guarded.httpUrl}/ping`, { method: 'HEAD' });
    expect(head.status).toBe(204);
    const health = await fetch(`${guarded.httpUrl}/health`);
    expect([health.status, await health.json()]).toEqual([200, expect.objectContaining({ status: 'pass' })]);
    expect((await fetch(`${open.httpUrl}/ping`, { method: 'POST' })).status).toBe(405);
  });

  test("httpUrl is the httpPort listener when given, else the server's one port", async () => {
    expect(open.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const bare = await startServer();
    try {
      expect(bare.httpUrl).toBe(`http://127.0.0.1:${bare.port}`);
    } finally {
      await bare.close();
    }
  });
});

describe('auth', () => {
  const basic = (user: string, password: string) =>
    `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  test.each([
    ['/api/v3/write_lp?db=auth', { error: expect.stringContaining('authorization required'), data: null }],
    [
      '/api/v2/write?bucket=auth',
      { code: 'unauthorized', message: expect.stringContaining('authorization required') },
    ],
    ['/write?db=auth', { error: expect.stringContaining('authorization required') }],
  ])('%s without credentials: 401', async (path, body) => {
    const answer = await post(path, 'a v=1', {}, guarded);
    expect([answer.status, answer.json()]).toEqual([401, body]);
  });

  test('a wrong token is 401 and the answer never holds a token', async () => {
    const wrong = await post(
      '/api/v2/write?bucket=auth',
      'a v=1',
      { Authorization: `Token ${TOKEN}x` },
      guarded,
    );
    expect([wrong.status, wrong.json()]).toEqual([
      401,
      { code: 'unauthorized', message: 'authorization failed' },
    ]);
    const v1 = await post(`/write?db=auth&u=me&p=${TOKEN}x`, 'a v=1', {}, guarded);
    expect(v1.status).toBe(401);
    expect(v1.headers.get('www-authenticate')).toBe('Basic realm="InfluxDB"');
    for (const text of [wrong.text, v1.text]) expect(text).not.toContain(TOKEN);
    const bearerOnV2 = await post(
      '/api/v2/write?bucket=auth',
      'a v=1',
      { Authorization: basic('me', 'nope') },
      guarded,
    );
    expect(bearerOnV2.status).toBe(401);
  });

  test.each([
    ['/api/v3/write_lp?db=auth', { Authorization: `Bearer ${TOKEN}` }],
    ['/api/v3/write_lp?db=auth', { Authorization: `Token ${TOKEN}` }],
    ['/api/v2/write?bucket=auth', { Authorization: `Token ${TOKEN}` }],
    ['/api/v2/write?bucket=auth', { Authorization: `Bearer ${TOKEN}` }],
    ['/write?db=auth', { Authorization: `Token ${TOKEN}` }],
    ['/write?db=auth', { Authorization: basic('anyone', TOKEN) }],
    [`/write?db=auth&u=anyone&p=${TOKEN}`, {}],
  ])('%s with %j: 204', async (path, headers) => {
    expect((await post(path, 'a v=1', headers, guarded)).status).toBe(204);
  });
});

test('with a username and password, Basic auth with them works on every API', async () => {
  const server = await startServer({ httpPort: 0, username: 'ann', password: 'pw' });
  try {
    const write = (path: string, headers: Record<string, string>) => post(path, 'u v=1', headers, server);
    const good = { Authorization: `Basic ${Buffer.from('ann:pw').toString('base64')}` };
    const bad = { Authorization: `Basic ${Buffer.from('ann:nope').toString('base64')}` };
    expect((await write('/api/v2/write?bucket=b', good)).status).toBe(204);
    expect((await write('/api/v3/write_lp?db=b', good)).status).toBe(204);
    expect((await write('/write?db=b&u=ann&p=pw', {})).status).toBe(204);
    expect((await write('/api/v2/write?bucket=b', bad)).status).toBe(401);
    expect((await write('/api/v2/write?bucket=b', {})).status).toBe(401);
  } finally {
    await server.close();
  }
});

describe('lifecycle', () => {
  test('close() ends requests in flight and stops listening', async () => {
    const server = await startServer({ httpPort: 0 });
    const url = new URL(`${server.httpUrl}/api/v2/write?bucket=x`);
    const req = request(url, { method: 'POST' });
    const ended = new Promise<string>((resolve) => {
      req.on('error', (err) => resolve(err.message));
      req.on('response', (res) => resolve(`answered ${res.statusCode}`));
    });
    req.write('m v=1\n'); // and never ends the body
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await server.close();
    expect(performance.now() - started).toBeLessThan(3000);
    expect(await ended).toMatch(/socket hang up|ECONNRESET|answered/);
    await expect(fetch(`${server.httpUrl}/ping`)).rejects.toThrow();
  });

  test('flightsql serve --http-port prints the HTTP URL on the second line', async () => {
    const root = join(__dirname, '../../..');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'serve', '--http-port', '0'],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      let out = '';
      while (out.split('\n').length < 3) {
        const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
        out += chunk.toString();
      }
      const [location, httpUrl] = out.split('\n');
      expect(location).toMatch(/^grpc\+tcp:\/\/127\.0\.0\.1:\d+$/);
      expect(httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const write = await fetch(`${httpUrl}/api/v3/write_lp?db=cli`, { method: 'POST', body: 'c v=42i 1' });
      expect(write.status).toBe(204);
      const cli = new FlightSQLClient({ host: location! });
      try {
        const table = await queryTable(cli, 'SELECT v FROM "cli"."c"');
        expect(table.getChildAt(0)!.get(0)).toBe(42n);
      } finally {
        await cli.close();
      }
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});
