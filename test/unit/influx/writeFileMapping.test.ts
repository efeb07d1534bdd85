/**
 * writeFile refuses a mapping that names a column the file lacks, before anything is sent: the
 * CSV header, the Arrow schema, the keys of the first chunk of JSON rows. Parquet (hyparquet is
 * an ES module jest cannot load from the sources) is covered by test/package/writeFile.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Int64, Table, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow';
import { InterfaceError } from '../../../src/errors';
import { linesOfRecords } from '../../../src/influx/records';
import { writeFileLines, type WriteFileOptions } from '../../../src/influx/writeFile';

const dir = mkdtempSync(join(tmpdir(), 'flightsql-mapping-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const table = new Table({
  room: vectorFromArray(['kitchen', 'hall'], new Utf8()),
  co: vectorFromArray([3n, 4n], new Int64()),
  t: vectorFromArray([10n, 11n], new Int64()),
});
const files: Record<string, string | Uint8Array> = {
  'r.csv': 'room,co,t\nkitchen,3,10\nhall,4,11\n',
  'r.json': '[{"room": "kitchen", "co": 3, "t": 10}, {"room": "hall", "co": 4, "t": 11}]',
  'r.ndjson': '{"room": "kitchen", "co": 3, "t": 10}\n{"room": "hall", "co": 4, "t": 11}\n',
  'r.arrow': tableToIPC(table, 'file'),
  'r.arrows': tableToIPC(table, 'stream'),
};
beforeAll(() => {
  for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
});

/** Writes `name` with `options`: the lines sent, or the error. */
async function write(name: string, options: WriteFileOptions) {
  const sent: string[] = [];
  const path = join(dir, name);
  try {
    const n = await writeFileLines(path, 's', { measurement: 'm', ...options }, async (lines) => {
      sent.push(...lines);
    });
    return { n, sent };
  } catch (err) {
    return { err, sent };
  }
}

const right = { tagColumns: ['room'], integerColumns: ['co'], timestampColumn: 't' };

describe.each(Object.keys(files))('%s', (name) => {
  test('columns that exist: a tag is a tag, an integer an integer', async () => {
    expect(await write(name, right)).toEqual({
      n: 2,
      sent: ['m,room=kitchen co=3i 10', 'm,room=hall co=4i 11'],
    });
  });

  test.each([
    ['tagColumns', { tagColumns: ['room', 'rooms'] }, 'rooms'],
    ['fieldColumns', { fieldColumns: ['CO'] }, 'CO'],
    ['integerColumns', { integerColumns: ['c0'] }, 'c0'],
    ['timestampColumn', { timestampColumn: 'time' }, 'time'],
    ['measurementColumn', { measurementColumn: 'name' }, 'name'],
  ] as const)('a missing column of %s: an InterfaceError, nothing sent', async (option, mapping, column) => {
    const { err, sent } = await write(name, { ...right, ...mapping });
    expect(err).toBeInstanceOf(InterfaceError);
    expect((err as Error).message).toBe(`${option}: no column "${column}" in ${join(dir, name)}`);
    expect(sent).toEqual([]);
  });
});

test('a CSV file with a header and no rows is checked too', async () => {
  writeFileSync(join(dir, 'header.csv'), 'room,co\n');
  expect(await write('header.csv', { tagColumns: ['room'] })).toEqual({ n: 0, sent: [] });
  const { err } = await write('header.csv', { tagColumns: ['host'] });
  expect((err as Error).message).toBe(`tagColumns: no column "host" in ${join(dir, 'header.csv')}`);
});

describe.each(['json', 'ndjson'])('sparse %s rows: the keys of the first chunk count', (format) => {
  const rows = [{ v: 1 }, { v: 2, host: 'a' }, { v: 3 }, { v: 4, rack: 'r1' }];
  const name = `sparse.${format}`;
  beforeAll(() => {
    const text = format === 'json' ? JSON.stringify(rows) : rows.map((r) => JSON.stringify(r)).join('\n');
    writeFileSync(join(dir, name), text);
  });

  test('a column of some rows of the first chunk is found', async () => {
    expect(await write(name, { tagColumns: ['host'], chunkRows: 2 })).toEqual({
      n: 4,
      sent: ['m v=1', 'm,host=a v=2', 'm v=3', 'm v=4,rack="r1"'],
    });
  });

  test('one first seen after the first chunk is refused before anything is sent; a larger chunk finds it', async () => {
    const { err, sent } = await write(name, { tagColumns: ['rack'], chunkRows: 2 });
    expect(err).toBeInstanceOf(InterfaceError);
    expect((err as Error).message).toBe(
      `tagColumns: no column "rack" in the first 2 rows of ${join(dir, name)} ` +
        "(writeFile looks for columns there: raise chunkRows, the CLI's --batch-size, if one first appears later)",
    );
    expect(sent).toEqual([]);
    expect((await write(name, { tagColumns: ['rack'], chunkRows: 4 })).sent).toEqual([
      'm v=1',
      'm v=2,host="a"',
      'm v=3',
      'm,rack=r1 v=4',
    ]);
  });

  test('one of no row of a file shorter than a chunk is refused, naming the file alone', async () => {
    const { err } = await write(name, { integerColumns: ['n'] });
    expect((err as Error).message).toBe(`integerColumns: no column "n" in ${join(dir, name)}`);
  });
});

test('Arrow tables: integerColumns are checked too', () => {
  expect(() => linesOfRecords(table, 's', { measurement: 'm', integerColumns: ['c0'] })).toThrow(
    new InterfaceError('integerColumns: no column "c0" in the data'),
  );
  expect(
    linesOfRecords(table, 's', { measurement: 'm', integerColumns: ['co'], timestampColumn: 't' }),
  ).toEqual(['m room="kitchen",co=3i 10', 'm room="hall",co=4i 11']);
});
