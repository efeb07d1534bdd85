import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Streaming keeps the client's memory bounded by a few batches, whatever the result size. */
test('a 5-million-row query streams with bounded memory', () => {
  const probe = join(__dirname, 'memoryProbe.ts');
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', probe], {
    cwd: join(__dirname, '../../..'),
    encoding: 'utf8',
    timeout: 240_000,
  });
  const result = JSON.parse(out) as {
    rows: number;
    batches: number;
    resultBytes: number;
    rssGrowth: number;
    liveGrowth: number;
  };
  expect(result.rows).toBe(5_000_000);
  expect(result.batches).toBeGreaterThan(10);
  expect(result.resultBytes).toBeGreaterThan(100 * 1024 * 1024);
  // Live JS memory (heap + ArrayBuffers) and RSS stay far below the result size (~190 MB): a
  // few batches of about 1 MB each, the 8 MiB HTTP/2 receive window, and the runtime's own
  // buffers (measured 7 to 26 MB, depending on the machine's load).
  expect(result.liveGrowth).toBeLessThan(result.resultBytes / 5);
  expect(result.rssGrowth).toBeLessThan(result.resultBytes / 3);
}, 300_000);
