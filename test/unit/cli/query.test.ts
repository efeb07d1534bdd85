/**
 * `flightsql query` closes the client and ends its output once whatever happens; when the
 * statements fail, their error is the one reported (not a later failure to flush the output or
 * to close the client), and an `--output FILE` is replaced only by a complete result: an
 * existing file survives a failure byte for byte, and no temporary file is left either way.
 */
import { chmod, lstat, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OperationalError } from '../../../src/errors';
import { writingTo } from '../../../src/cli/query';
import { openOutputFile, type Output } from '../../../src/cli/output/outputFile';

/** An output and a client that count their calls; `end` and `close` fail when given an error. */
function fakes(endError?: Error, closeError?: Error) {
  const calls = { end: 0, close: 0, commit: 0, discard: 0, writes: [] as string[] };
  const output: Output = {
    sink: {
      write: async (chunk) => void calls.writes.push(String(chunk)),
      end: async () => {
        calls.end++;
        if (endError) throw endError;
      },
    },
    commit: async () => void calls.commit++,
    discard: async () => void calls.discard++,
  };
  const client = {
    close: async () => {
      calls.close++;
      if (closeError) throw closeError;
    },
  };
  return { output, client, calls };
}

function enospc(): Error {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
}

/** A client whose close succeeds. */
const client = { close: async () => {} };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flightsql-query-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writingTo', () => {
  test('a failed query is reported though ending the output fails too; each step once, the output discarded', async () => {
    const { output, client, calls } = fakes(enospc());
    const failure = new OperationalError('query failed');
    const thrown = await writingTo(output, client, async () => {
      await output.sink.write('a\n');
      throw failure;
    }).catch((e: unknown) => e);
    expect(thrown).toBe(failure);
    expect(calls).toEqual({ end: 1, close: 1, commit: 0, discard: 1, writes: ['a\n'] });
  });

  test('a failed query is reported though closing the client fails too', async () => {
    const { output, client, calls } = fakes(undefined, new OperationalError('close failed'));
    const failure = new OperationalError('query failed');
    await expect(
      writingTo(output, client, async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(calls).toEqual({ end: 1, close: 1, commit: 0, discard: 1, writes: [] });
  });

  test('after a query that succeeded, a failure to end the output is reported and the output discarded', async () => {
    const { output, client, calls } = fakes(enospc());
    await expect(writingTo(output, client, async () => output.sink.write('a\n'))).rejects.toThrow(
      'ENOSPC: no space left on device, write',
    );
    expect(calls).toEqual({ end: 1, close: 1, commit: 0, discard: 1, writes: ['a\n'] });
  });

  test('a query that succeeded: client closed, output ended and committed once', async () => {
    const { output, client, calls } = fakes();
    await writingTo(output, client, async () => output.sink.write('a\n'));
    expect(calls).toEqual({ end: 1, close: 1, commit: 1, discard: 0, writes: ['a\n'] });
  });

  test('a complete result survives a failure to close the client, which is still reported', async () => {
    const closeFailure = new OperationalError('close failed');
    const { output, client, calls } = fakes(undefined, closeFailure);
    await expect(writingTo(output, client, async () => output.sink.write('a\n'))).rejects.toBe(closeFailure);
    expect(calls).toEqual({ end: 1, close: 1, commit: 1, discard: 0, writes: ['a\n'] });
  });
});

describe('--output FILE through a temporary file', () => {
  const OLD = 'old contents\n\u00e9\u0000\n';

  test('a failing statement leaves an existing file byte for byte and no temporary file', async () => {
    const file = join(dir, 'out.csv');
    await writeFile(file, OLD);
    const output = await openOutputFile(file);
    // Written so far: the first statement's result, before the second fails.
    const failure = new OperationalError('second statement failed');
    await expect(
      writingTo(output, client, async () => {
        await output.sink.write('a\n1\n');
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await readFile(file, 'utf8')).toBe(OLD);
    expect(await readdir(dir)).toEqual(['out.csv']);
  });

  test('a failing statement creates no file where there was none', async () => {
    const file = join(dir, 'new.csv');
    const output = await openOutputFile(file);
    await expect(
      writingTo(output, client, async () => {
        throw new OperationalError('failed');
      }),
    ).rejects.toThrow('failed');
    expect(await readdir(dir)).toEqual([]);
  });

  test('success replaces the file, keeps its permissions, leaves no temporary file', async () => {
    const file = join(dir, 'out.csv');
    await writeFile(file, OLD);
    await chmod(file, 0o640);
    const output = await openOutputFile(file);
    // Until the rename, the target is untouched and the result sits in a hidden file beside it.
    await output.sink.write('a\n');
    const names = await readdir(dir);
    expect(names).toHaveLength(2);
    expect(names.find((n) => n !== 'out.csv')).toMatch(
      new RegExp(`^\\.out\\.csv\\.${process.pid}\\.[0-9a-f]{12}\\.tmp$`),
    );
    expect(await readFile(file, 'utf8')).toBe(OLD);
    await writingTo(output, client, async () => output.sink.write('1\n'));
    expect(await readFile(file, 'utf8')).toBe('a\n1\n');
    expect((await stat(file)).mode & 0o777).toBe(0o640);
    expect(await readdir(dir)).toEqual(['out.csv']);
  });

  test('a new file gets the mode of a new file (0666 less the umask)', async () => {
    const file = join(dir, 'new.csv');
    const output = await openOutputFile(file);
    await writingTo(output, client, async () => output.sink.write('x\n'));
    expect((await stat(file)).mode & 0o777).toBe(0o666 & ~process.umask());
    expect(await readdir(dir)).toEqual(['new.csv']);
  });

  test('a link to a file: the file is replaced, the link kept', async () => {
    const file = join(dir, 'real.csv');
    const link = join(dir, 'link.csv');
    await writeFile(file, OLD);
    await symlink('real.csv', link);
    const output = await openOutputFile(link);
    await writingTo(output, client, async () => output.sink.write('new\n'));
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readFile(file, 'utf8')).toBe('new\n');
    expect((await readdir(dir)).sort()).toEqual(['link.csv', 'real.csv']);
  });

  test('a device is written in place: nothing is created beside it', async () => {
    const output = await openOutputFile('/dev/null');
    await writingTo(output, client, async () => output.sink.write('gone\n'));
    expect((await stat('/dev/null')).isCharacterDevice()).toBe(true);
    const failed = await openOutputFile('/dev/null');
    await expect(
      writingTo(failed, client, async () => {
        throw new OperationalError('failed');
      }),
    ).rejects.toThrow('failed');
    expect((await stat('/dev/null')).isCharacterDevice()).toBe(true);
  });

  test('a missing directory is reported with the path that was asked for', async () => {
    const file = join(dir, 'no-such-dir', 'out.csv');
    await expect(openOutputFile(file)).rejects.toThrow(`ENOENT: no such file or directory, open '${file}'`);
  });
});
