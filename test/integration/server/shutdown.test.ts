/**
 * Clean shutdown: `close()` interrupts every running DuckDB query (aborted by its client or not),
 * and the process can exit right after it resolves. DuckDB runs queries in worker threads; a
 * connection closed while one still runs leaves it running and the process alive, so the probe
 * runs in a child process and must end by itself.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

test('a child process exits on its own after close() with long queries running and aborted', async () => {
  const started = Date.now();
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve) => {
      const child = execFile(
        process.execPath,
        ['--import', 'tsx', join(__dirname, 'shutdownProbe.ts')],
        { encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' },
        (_err, out, err) => resolve({ code: child.exitCode, stdout: out, stderr: err }),
      );
    },
  );
  const elapsed = Date.now() - started;
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  expect(stdout).toMatch(/^closed in \d+ ms\ncalls settled\n$/);
  // Killed by the timeout otherwise; a few seconds cover tsx start-up and the 1 s grace of close().
  expect(elapsed).toBeLessThan(15_000);
});
