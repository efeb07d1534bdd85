/**
 * Input files of the commands (`query -f`, `write FILE`, `--ca`), and the one wording of a file
 * that cannot be read: `cannot read 'report.sql': no such file (ENOENT)`.
 */
import { readFile } from 'node:fs/promises';
import { InterfaceError } from '../errors';

/** Short reasons for the system errors people meet most. */
const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'a directory, not a file',
};

/**
 * The error for `file` failing to open or read with `err`: the reason in words and the
 * system's code in parentheses, as the CLI prints system errors; the original is the cause.
 */
export function cannotRead(file: string, err: unknown): InterfaceError {
  const { code, message } = err as { code?: unknown; message?: unknown };
  const known = typeof code === 'string' ? code : undefined;
  // Node's own text is "CODE: reason, syscall 'path'": the reason alone.
  const reason =
    (known && REASONS[known]) ??
    String(message ?? err)
      .replace(/^[A-Z]+: /, '')
      .replace(/, \w+ '.*'$/, '');
  return new InterfaceError(`cannot read '${file}': ${reason}${known ? ` (${known})` : ''}`, { cause: err });
}

/** The text of `file` (UTF-8), or `cannotRead`'s error. */
export async function readTextFile(file: string): Promise<string> {
  return readFile(file, 'utf8').catch((err: unknown) => {
    throw cannotRead(file, err);
  });
}
