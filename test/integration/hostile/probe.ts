/**
 * Runs hostileProbe.ts in a child process and collects what it reports: the outcomes, its exit
 * code and its stderr (where an unhandled 'error' event or rejection would show).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** One attempt of the probe (see hostileProbe.ts). */
export interface Outcome {
  step: string;
  ok: boolean;
  errorName?: string;
  message?: string;
  grpcCode?: number;
  elapsedMs: number;
  rssGrowthMb: number;
  value?: unknown;
}

export interface ProbeRun {
  code: number | null;
  stderr: string;
  outcomes: Outcome[];
  totalMs: number;
}

/**
 * Runs `scenario` with `config`. `onLine` sees each stdout line as it comes (with the child, to
 * talk back on its stdin). The child is killed after `timeoutMs`: a probe that does not exit on
 * its own has left something running.
 */
export async function runProbe(
  scenario: string,
  config: Record<string, unknown>,
  options: { onLine?: (line: string, child: ChildProcess) => void; timeoutMs?: number } = {},
): Promise<ProbeRun> {
  const probe = join(__dirname, 'hostileProbe.ts');
  // grpc-js names the host as TLS ServerName even when it is an IP address (127.0.0.1 here),
  // which Node warns about on stderr: that warning is not what these tests look for.
  const flags = ['--expose-gc', '--disable-warning=DEP0123', '--import', 'tsx'];
  const child = spawn(process.execPath, [...flags, probe, scenario, JSON.stringify(config)], {
    cwd: join(__dirname, '../../..'),
    stdio: ['pipe', 'pipe', 'pipe'],
    // The probe's credentials are the test's alone, never the environment's defaults.
    env: Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('INFLUX_'))),
  });
  let stdout = '';
  let stderr = '';
  let buffered = '';
  child.stdout!.on('data', (data: Buffer) => {
    stdout += data;
    buffered += data;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      options.onLine?.(line, child);
    }
  });
  child.stderr!.on('data', (data: Buffer) => (stderr += data));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(timer);
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`the probe reported nothing (exit ${code}): ${stderr}${stdout}`);
  const result = JSON.parse(line.slice('RESULT '.length)) as { outcomes: Outcome[]; totalMs: number };
  return { code, stderr, ...result };
}

/** The probe's outcome of `step`. */
export function outcome(run: ProbeRun, step: string): Outcome {
  const found = run.outcomes.find((o) => o.step === step);
  if (!found) throw new Error(`no outcome '${step}' in ${JSON.stringify(run.outcomes)}`);
  return found;
}
