/** writeFile with a file it cannot read: a rejected call, never an unhandled 'error' event. */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InterfaceError } from '../../../src/errors';
import { writeFileLines } from '../../../src/influx/writeFile';

const dir = mkdtempSync(join(tmpdir(), 'flightsql-writefile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Parquet's reader (hyparquet) is an ES module jest cannot load from the sources: test/package covers it.
const formats = ['csv', 'json', 'ndjson', 'arrow'] as const;

describe.each(formats)('%s', (format) => {
  test('a missing file rejects with an InterfaceError naming it', async () => {
    const path = join(dir, `missing.${format}`);
    const sink = jest.fn(async () => {});
    const failure = writeFileLines(path, 'n', {}, sink);
    await expect(failure).rejects.toThrow(InterfaceError);
    await expect(failure).rejects.toThrow(`writeFile: cannot read ${path}: ENOENT`);
    expect(sink).not.toHaveBeenCalled();
  });

  test('a directory rejects instead of reading as an empty file', async () => {
    const path = join(dir, `folder.${format}`);
    mkdirSync(path, { recursive: true });
    await expect(writeFileLines(path, 'n', {}, async () => {})).rejects.toThrow(InterfaceError);
  });
});
