/**
 * The package as a user gets it: projects made by scripts/pack-install.mjs (run by `npm test`),
 * with the `npm pack` tarball installed. Tests here import nothing from src/ or dist/: they run
 * Node (or tsc) in those projects, which see only what the tarball installed.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const base = process.env.FLIGHTSQL_APP ?? join(tmpdir(), 'flightsql-app');

/** `client`: `npm install flightsql` alone; `full`: also @duckdb/node-api, knex, typescript. */
export function appDir(kind: 'client' | 'full'): string {
  const dir = join(base, kind);
  if (!existsSync(join(dir, 'node_modules/flightsql/package.json')))
    throw new Error(
      `${dir} has no installed flightsql: run \`npm run build && node scripts/pack-install.mjs\``,
    );
  return dir;
}

/** What scripts/pack-install.mjs measured: tarball and install sizes. */
export function installReport(): {
  tarball: { bytes: number; unpackedBytes: number; files: number };
  clientOnly: { nodeModulesBytes: number; duckdb: boolean };
  full: { nodeModulesBytes: number };
} {
  return JSON.parse(readFileSync(join(base, 'report.json'), 'utf8'));
}

const execFileAsync = promisify(execFile);

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node ...args` in `cwd` (asynchronously: a server of the calling test may be in this
 * process). Resolves with the exit code, never rejects on a non-zero exit.
 */
export async function runNode(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number; input?: string },
): Promise<RunResult> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      encoding: 'utf8',
      timeout: options.timeoutMs ?? 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string; signal?: string };
    if (typeof e.code !== 'number' && !e.signal) throw err;
    return {
      code: typeof e.code === 'number' ? e.code : -1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? `${e.signal}`,
    };
  }
}
