/** The `flightsql` command as built (dist/cli/main.js), and `npm start` as the README prints it. */
import { exec, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const root = join(__dirname, '../..');
const cli = join(root, 'dist/cli/main.js');
const run = promisify(execFile);
const node = (args: string[]) => run(process.execPath, [cli, ...args], { cwd: root, timeout: 60_000 });

describe('npm start', () => {
  test("runs the start script's command on the built files: exit 0, every section printed", async () => {
    // Exactly what `npm start` runs after its prestart build (npm test has built dist/ already).
    const { start } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts;
    expect(start).toBe('node dist/cli/main.js demo');
    const { stdout, stderr } = await promisify(exec)(start, { cwd: root, timeout: 120_000 });
    expect(stderr).toBe('');
    const sections = stdout.split(/\n(?=== )/);
    expect(sections.map((s) => s.split('\n', 1)[0])).toEqual([
      expect.stringMatching(
        /^Embedded Flight SQL server at grpc\+tcp:\/\/127\.0\.0\.1:\d+, table home loaded \(2880 rows\)$/,
      ),
      '== First readings',
      '== Per room',
      '== Downsampled: temperature per room per 2 hours',
      '== Carbon monoxide alerts',
      '== Through connect() and a cursor (PEP 249)',
      '== Through Knex (flightsql/dialect)',
      expect.stringMatching(
        /^== InfluxDB 3 style: InfluxDBClient3 writes to http:\/\/127\.0\.0\.1:\d+, queries over Flight$/,
      ),
    ]);
    const [, first, perRoom, downsampled, alerts, cursor, knex, influx] = sections as string[];
    expect(first).toMatch(/2026-01-01 00:00:00 \| Kitchen\s+\|.*\n.*\(6 rows\)/s);
    expect(perRoom).toMatch(/Kitchen\s+\|\s+1440 \|/);
    expect(perRoom).toMatch(/Living Room \|\s+1440 \|/);
    expect(downsampled).toMatch(/\(24 rows\)/);
    expect(alerts).toMatch(/\| Kitchen \|\s+2[1-4]\n/);
    expect(cursor).toMatch(/description: room Utf8, warmest Float64\n {2}Kitchen: \d+(\.\d+)?\n/);
    expect(cursor).toMatch(
      /executemany inserted 2 rows inside a transaction; after rollback\(\) the Attic has 0 rows/,
    );
    expect(knex).toMatch(
      /\{"room":"Kitchen","readings":\d+,"co":\d+\}\n {2}\{"room":"Living Room","readings":\d+,"co":\d+\}/,
    );
    expect(knex).toMatch(/columnInfo: time timestamp, room varchar, temp double, hum double, co bigint/);
    expect(influx).toMatch(
      /station \| readings \| avg_temp \| max_wind\n-+\+.*\ngarden\s+\|\s+144 \|.*\nroof\s+\|\s+144 \|.*\n\(2 rows\)/s,
    );
    expect(influx).toMatch(/the same rows through connect\(\)\/cursor\(\): \d+ readings with wind > 30/);
  });
});

describe('the flightsql command', () => {
  test('serve prints its location and answers query; SIGTERM stops it', async () => {
    const server = spawn(process.execPath, [cli, 'serve', '--port', '0', '--token', 'cli-token-1'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const [line] = (await once(server.stdout!, 'data')) as [Buffer];
      const location = line.toString().trim();
      expect(location).toMatch(/^grpc\+tcp:\/\/127\.0\.0\.1:\d+$/);
      const { stdout } = await node([
        'query',
        '--host',
        location,
        '--token',
        'cli-token-1',
        '--format',
        'table', // piped stdout defaults to CSV
        'SELECT 40 + 2 AS answer',
      ]);
      expect(stdout).toMatch(/answer\n-+\n\s*42\n\(1 row\)/);
      const denied = await node(['query', '--host', location, 'SELECT 1']).catch(
        (e: { stderr: string; code: number }) => e,
      );
      expect((denied as { code: number }).code).toBe(1);
      expect((denied as { stderr: string }).stderr).toMatch(/UNAUTHENTICATED/);
    } finally {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
  });
});
