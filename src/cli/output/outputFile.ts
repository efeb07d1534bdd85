/**
 * `--output FILE` written whole or not at all: the result goes to a temporary file beside FILE
 * (same directory, so same file system) that is renamed over FILE only when the command has
 * succeeded. A failing statement, a full disk or Ctrl-C leaves an existing FILE as it was and
 * no temporary file behind; a half-written result is never taken for a whole one.
 */
import { randomBytes } from 'node:crypto';
import { constants, rmSync } from 'node:fs';
import { access, chmod, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileSink, type Sink } from './sink';

/** Where a command's results go: written through `sink`, then `commit` or `discard`, once. */
export interface Output {
  /** Where the bytes go (for a file: the temporary file, or the target itself; see `openOutputFile`). */
  readonly sink: Sink;
  /** The result is complete (the sink ended): it becomes the target. */
  commit(): Promise<void>;
  /** The result failed: what was written is dropped; an existing target is left as it was. */
  discard(): Promise<void>;
}

/** Signals that end the command before it can clean up: the temporary file goes with them. */
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Errors of creating the temporary file that opening the target itself would name better. */
const PLACE_ERRORS = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOENT', 'ENOTDIR']);

/**
 * Opens `target` for a result. A regular file (new or existing, or a link to one) is written
 * through a temporary file `.NAME.PID.RANDOM.tmp` beside it, created with the mode of a new
 * file, given the existing file's permissions and renamed over it on `commit`. Devices, pipes
 * and `/dev/...` or `/proc/...` paths (`-o /dev/stdout`), files this user may not write, and
 * directories where no file can be created are written in place, as `>` would.
 */
export async function openOutputFile(target: string): Promise<Output> {
  const info = await stat(target).catch(() => undefined);
  const special = /^\/(dev|proc)\//.test(resolve(target)) || (info !== undefined && !info.isFile());
  const writable =
    info === undefined ||
    (await access(target, constants.W_OK).then(
      () => true,
      () => false,
    ));
  if (special || !writable) return inPlace(target);
  // A link is followed: the file it names is replaced and the link kept.
  const real = info === undefined ? target : await realpath(target);
  const temp = join(dirname(real), `.${basename(real)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let sink: Sink;
  try {
    sink = await fileSink(temp, 'wx');
  } catch (err) {
    if (PLACE_ERRORS.has((err as NodeJS.ErrnoException).code ?? '')) return inPlace(target);
    throw err;
  }
  const removeNow = () => rmSync(temp, { force: true });
  const onSignal = (signal: NodeJS.Signals) => {
    forget();
    removeNow();
    // Ends the process as the signal would have, now that nothing listens for it.
    process.kill(process.pid, signal);
  };
  const forget = () => {
    for (const signal of SIGNALS) process.off(signal, onSignal);
    process.off('exit', removeNow);
  };
  for (const signal of SIGNALS) process.once(signal, onSignal);
  process.once('exit', removeNow);
  return {
    sink,
    async commit() {
      forget();
      try {
        if (info !== undefined) await chmod(temp, info.mode & 0o777);
        await rename(temp, real);
      } catch (err) {
        await rm(temp, { force: true }).catch(() => {});
        throw err;
      }
    },
    async discard() {
      forget();
      await rm(temp, { force: true });
    },
  };
}

/** The target opened and truncated as it is; nothing to rename, and nothing removed on failure. */
async function inPlace(target: string): Promise<Output> {
  return { sink: await fileSink(target), commit: async () => {}, discard: async () => {} };
}
