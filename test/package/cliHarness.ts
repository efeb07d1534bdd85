/**
 * Runs the `flightsql` command for the CLI suites: the built dist/cli/main.js, as `npm start`
 * and users run it, or the sources through tsx when FLIGHTSQL_CLI_SRC=1 (for developing the
 * suites without a build).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

export const root = join(__dirname, '../..');

/** node's arguments before the CLI's own. */
export function cliCommand(): string[] {
  return process.env['FLIGHTSQL_CLI_SRC'] === '1'
    ? ['--import', 'tsx', join(root, 'src/cli/main.ts')]
    : [join(root, 'dist/cli/main.js')];
}

/** The environment of every run: none of the variables that would change the CLI's defaults. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(FLIGHTSQL_|INFLUX_)/.test(name)) delete env[name];
  }
  return { ...env, ...extra };
}

/** What a run of the command came to. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs `flightsql ARGS`, with `input` piped to its stdin (stdin is /dev/null without it). */
export async function runCli(
  args: string[],
  options: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliResult> {
  const started = performance.now();
  const child = spawn(process.execPath, [...cliCommand(), ...args], {
    cwd: root,
    env: cleanEnv(options.env),
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));
  if (options.input !== undefined) child.stdin!.end(options.input);
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  return {
    code,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
    ms: performance.now() - started,
  };
}

/**
 * Starts `flightsql ARGS` on a pseudo-terminal through util-linux's `script` (Debian's
 * bsdutils, which the pretest step installs): the CLI's stdin, stdout and stderr are a TTY,
 * what it draws comes out of the child's stdout, and the child's stdin is typed into it.
 */
export function spawnOnTerminal(
  args: string[],
  env: Record<string, string> = {},
): ChildProcessByStdio<Writable, Readable, null> {
  const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, ...cliCommand(), ...args].map(quote).join(' ');
  return spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: root,
    env: cleanEnv(env),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
}

/** A `flightsql serve` in a child process. */
export interface Served {
  readonly location: string;
  stop(): Promise<void>;
}

/** Starts `flightsql serve --port 0 ARGS` and waits for the location it prints. */
export async function serve(args: string[] = []): Promise<Served> {
  const child = spawn(process.execPath, [...cliCommand(), 'serve', '--port', '0', ...args], {
    cwd: root,
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let text = '';
  while (!text.includes('\n')) {
    const [chunk] = (await Promise.race([
      once(child.stdout!, 'data'),
      once(child, 'exit').then(([code]) => {
        throw new Error(`flightsql serve exited (${String(code)}) before printing its location`);
      }),
    ])) as [Buffer];
    text += chunk.toString();
  }
  return {
    location: text.split('\n')[0]!.trim(),
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    },
  };
}
