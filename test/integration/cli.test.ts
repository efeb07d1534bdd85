import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { promisify } from 'node:util';

const root = join(__dirname, '../..');
const cli = join(root, 'src/cli/main.ts');
const run = promisify(execFile);
const node = (args: string[]) =>
  run(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: root, timeout: 60_000 });

describe('the flightsql command', () => {
  test('demo loads the home dataset and prints the seed queries, downsampling included', async () => {
    const { stdout } = await node(['demo']);
    expect(stdout).toMatch(/table home loaded \(2880 rows\)/);
    expect(stdout).toMatch(/== Downsampled: temperature per room per 2 hours/);
    expect(stdout).toMatch(/Kitchen\s+\|\s+1440/);
    expect(stdout).toMatch(/\(24 rows\)/);
  });

  test('serve prints its location and answers query; SIGTERM stops it', async () => {
    const server = spawn(
      process.execPath,
      ['--import', 'tsx', cli, 'serve', '--port', '0', '--token', 'cli-token-1'],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
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
