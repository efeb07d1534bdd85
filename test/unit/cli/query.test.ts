/**
 * `flightsql query` closes the client and ends its output once whatever happens, and when the
 * statements fail, their error is the one reported: not a later failure to flush the output
 * (a full disk) or to close the client.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OperationalError } from '../../../src/errors';
import { writingTo } from '../../../src/cli/query';
import type { Sink } from '../../../src/cli/output/sink';

/** A sink and a client that count their calls; `end` and `close` fail when given an error. */
function fakes(endError?: Error, closeError?: Error) {
  const calls = { end: 0, close: 0, writes: [] as string[] };
  const sink: Sink = {
    write: async (chunk) => void calls.writes.push(String(chunk)),
    end: async () => {
      calls.end++;
      if (endError) throw endError;
    },
  };
  const client = {
    close: async () => {
      calls.close++;
      if (closeError) throw closeError;
    },
  };
  return { sink, client, calls };
}

function enospc(): Error {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flightsql-query-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writingTo', () => {
  test('a failed query is reported though ending the output fails too; end() runs once, the file is removed', async () => {
    const { sink, client, calls } = fakes(enospc());
    const file = join(dir, 'out.csv');
    const failure = new OperationalError('query failed');
    const thrown = await writingTo(sink, client, file, async () => {
      await sink.write('a\n');
      await writeFile(file, 'a\n');
      throw failure;
    }).catch((e: unknown) => e);
    expect(thrown).toBe(failure);
    expect(calls).toEqual({ end: 1, close: 1, writes: ['a\n'] });
    expect(existsSync(file)).toBe(false);
  });

  test('a failed query is reported though closing the client fails too', async () => {
    const { sink, client, calls } = fakes(undefined, new OperationalError('close failed'));
    const failure = new OperationalError('query failed');
    await expect(
      writingTo(sink, client, undefined, async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(calls).toEqual({ end: 1, close: 1, writes: [] });
  });

  test('after a query that succeeded, a failure to end the output is reported; end() runs once', async () => {
    const { sink, client, calls } = fakes(enospc());
    const file = join(dir, 'out.csv');
    await writeFile(file, 'a\n');
    await expect(writingTo(sink, client, file, async () => sink.write('a\n'))).rejects.toThrow(
      'ENOSPC: no space left on device, write',
    );
    expect(calls).toEqual({ end: 1, close: 1, writes: ['a\n'] });
  });

  test('a query that succeeded: client closed and output ended once, the file kept', async () => {
    const { sink, client, calls } = fakes();
    const file = join(dir, 'out.csv');
    await writeFile(file, 'a\n');
    await writingTo(sink, client, file, async () => sink.write('a\n'));
    expect(calls).toEqual({ end: 1, close: 1, writes: ['a\n'] });
    expect(existsSync(file)).toBe(true);
  });
});
