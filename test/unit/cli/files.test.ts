/**
 * The one wording of a file the CLI cannot read (`query -f`, `write FILE`, `--ca`): the reason in
 * words and the system's code in parentheses, as an InterfaceError with the original as cause.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InterfaceError } from '../../../src/errors';
import { cannotRead, readTextFile } from '../../../src/cli/files';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flightsql-files-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readTextFile', () => {
  test('a missing file: no such file (ENOENT), the system error as cause', async () => {
    const error = await readTextFile('nosuch.sql').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InterfaceError);
    expect((error as InterfaceError).message).toBe("cannot read 'nosuch.sql': no such file (ENOENT)");
    expect(((error as InterfaceError).cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  test('a directory: EISDIR in words', async () => {
    await expect(readTextFile(dir)).rejects.toThrow(`cannot read '${dir}': a directory, not a file (EISDIR)`);
  });

  test('a file: its text', async () => {
    const file = join(dir, 'q.sql');
    await writeFile(file, 'SELECT 1; -- é\n');
    await expect(readTextFile(file)).resolves.toBe('SELECT 1; -- é\n');
  });
});

describe('cannotRead', () => {
  test("an unlisted system error keeps Node's reason, without its code prefix and syscall", () => {
    const err = Object.assign(new Error("ELOOP: too many symbolic links encountered, open 'a.sql'"), {
      code: 'ELOOP',
    });
    expect(cannotRead('a.sql', err).message).toBe(
      "cannot read 'a.sql': too many symbolic links encountered (ELOOP)",
    );
  });

  test('permission denied, and an error without a code', () => {
    const eacces = Object.assign(new Error("EACCES: permission denied, open 'p.sql'"), { code: 'EACCES' });
    expect(cannotRead('p.sql', eacces).message).toBe("cannot read 'p.sql': permission denied (EACCES)");
    expect(cannotRead('x.sql', new Error('odd')).message).toBe("cannot read 'x.sql': odd");
  });
});
