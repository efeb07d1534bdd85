/**
 * writeFile as installed, from ES modules and from CommonJS: the same rows in CSV, JSON, NDJSON,
 * Arrow IPC (file, stream, Feather) and Parquet (TIMESTAMP NANOS and MICROS) are stored the same,
 * 64-bit integers and nanosecond times exact; ORC is refused with the list of formats; a bad
 * cell names its row and column; a mapping that names a missing column is refused, nothing sent. Each module system runs in its own process, with the embedded
 * server of the installed package.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  Bool,
  Float64,
  Int64,
  Table,
  TimestampNanosecond,
  Utf8,
  makeData,
  makeVector,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import { appDir, runNode } from './app';

const root = join(__dirname, '../..');
const run = promisify(execFile);

const rooms = ['kitchen', 'living room', 'hall'];
const temps = [21.5, -0.25, 1e-7];
const cos = [9_007_199_254_740_993n, -9_223_372_036_854_775_808n, 9_223_372_036_854_775_807n];
const doors = [true, false, true];
const notes = ['say "hi"\nthere', 'plain', 'a, b = c'];
const times = [1_714_564_800_123_456_789n, 1_714_564_800_123_456_790n, 1_714_564_800_999_999_999n];

/** What the server must hold for every format (Parquet MICROS: times cut to microseconds). */
const stored = (unit = 1n) =>
  rooms.map((room, i) => ({
    room,
    temp: temps[i],
    co: String(cos[i]),
    door: doors[i],
    note: notes[i],
    t: String((times[i]! / unit) * unit),
    types: 'BIGINT DOUBLE BOOLEAN VARCHAR',
  }));

const FORMATS = ['csv', 'json', 'ndjson', 'arrow', 'arrows', 'feather', 'parquet', 'us.parquet'];

let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flightsql-formats-'));
  const csvText = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  writeFileSync(
    join(dir, 'r.csv'),
    'room,temp,co,door,note,time\n' +
      rooms
        .map((r, i) => [r, temps[i], cos[i], doors[i], csvText(notes[i]!), times[i]].join(','))
        .join('\n') +
      '\n',
  );
  // Integers as bare JSON numbers, beyond 2^53: they must be read from their text.
  const objects = rooms.map(
    (r, i) =>
      `{"room":${JSON.stringify(r)},"temp":${temps[i]},"co":${cos[i]},"door":${doors[i]},"note":${JSON.stringify(notes[i])},"time":${times[i]}}`,
  );
  writeFileSync(join(dir, 'r.json'), `[\n${objects.join(',\n')}\n]`);
  writeFileSync(join(dir, 'r.ndjson'), objects.join('\n') + '\n');
  const table = new Table({
    room: vectorFromArray(rooms, new Utf8()),
    temp: vectorFromArray(temps, new Float64()),
    co: vectorFromArray(cos, new Int64()),
    door: vectorFromArray(doors, new Bool()),
    note: vectorFromArray(notes, new Utf8()),
    time: makeVector(
      makeData({ type: new TimestampNanosecond(), length: 3, nullCount: 0, data: BigInt64Array.from(times) }),
    ),
  });
  writeFileSync(join(dir, 'r.arrow'), tableToIPC(table, 'file'));
  writeFileSync(join(dir, 'r.arrows'), tableToIPC(table, 'stream'));
  writeFileSync(join(dir, 'r.feather'), tableToIPC(table, 'file'));
  // Parquet with hyparquet-writer (ES module only): in a process of its own, from the repository.
  const parquet = `
    import { parquetWriteFile } from 'hyparquet-writer';
    const { FILES, DATA } = process.env;
    const d = JSON.parse(DATA, (k, v) => (typeof v === 'string' && /^-?\\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v));
    for (const [file, unit, div] of [['r.parquet', 'NANOS', 1n], ['r.us.parquet', 'MICROS', 1000n]]) {
      parquetWriteFile({
        filename: FILES + '/' + file,
        columnData: [
          { name: 'room', data: d.rooms },
          { name: 'temp', data: d.temps },
          { name: 'co', data: d.cos },
          { name: 'door', data: d.doors },
          { name: 'note', data: d.notes },
          { name: 'time', data: d.times.map((t) => t / div) },
        ],
        schema: [
          { name: 'root', num_children: 6 },
          { name: 'room', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
          { name: 'temp', type: 'DOUBLE', repetition_type: 'REQUIRED' },
          { name: 'co', type: 'INT64', repetition_type: 'REQUIRED' },
          { name: 'door', type: 'BOOLEAN', repetition_type: 'REQUIRED' },
          { name: 'note', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
          { name: 'time', type: 'INT64', repetition_type: 'REQUIRED',
            logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit } },
        ],
      });
    }
  `;
  const data = JSON.stringify({ rooms, temps, cos, doors, notes, times }, (_k, v: unknown) =>
    typeof v === 'bigint' ? `${v}n` : v,
  );
  await run(process.execPath, ['--input-type=module', '-e', parquet], {
    cwd: root,
    env: { ...process.env, FILES: dir, DATA: data },
  });
  writeFileSync(join(dir, 'bad.csv'), 'room,co\nkitchen,3\nhall,1.5\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The probe, the same for both module systems but for how it loads the package. */
function probe(load: string): string {
  return `${load}
(async () => {
  const [dir, formats] = [process.argv[2], process.argv[3].split(',')];
  const server = await startServer({ port: 0, httpPort: 0 });
  const client = new InfluxDBClient3({ host: server.httpUrl, database: 'files', flightOptions: { host: server.location } });
  const out = { stored: {}, written: {} };
  try {
    for (const format of formats) {
      const measurement = 'f_' + format.replace('.', '_');
      out.written[format] = await client.writeFile(dir + '/r.' + format, {
        measurement, tagColumns: ['room'], timestampColumn: 'time', integerColumns: ['co'], precision: 'ns',
      });
      const table = await client.query(
        'SELECT room, temp, co::VARCHAR AS co, door, note, epoch_ns(time)::VARCHAR AS t, ' +
          "concat_ws(' ', typeof(co), typeof(temp), typeof(door), typeof(note)) AS types FROM " + measurement + ' ORDER BY time');
      out.stored[format] = table.toArray().map((r) => r.toJSON());
    }
    out.missing = {};
    for (const format of formats) {
      const e = await client
        .writeFile(dir + '/r.' + format, { measurement: 'missing', tagColumns: ['rooms'], integerColumns: ['co'] })
        .catch((e) => e);
      out.missing[format] = { name: e.name, message: e.message.replace(dir + '/', '') };
    }
    out.missingStored = await client.query('SELECT count(*) AS n FROM missing').then(() => 'some', () => 'none');
    const orc = await client.writeFile(dir + '/r.orc', { measurement: 'o' }).catch((e) => e);
    out.orc = { name: orc.name, message: orc.message };
    const bad = await client.writeFile(dir + '/bad.csv', { measurement: 'bad', integerColumns: ['co'] }).catch((e) => e);
    out.bad = { name: bad.name, message: bad.message, row: bad.row, column: bad.column };
  } finally {
    await client.close();
    await server.close();
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
`;
}

const probes = {
  esm: [
    'probe.mjs',
    probe(
      "import { InfluxDBClient3 } from 'flightsql/influx';\nimport { startServer } from 'flightsql/server';",
    ),
  ],
  cjs: [
    'probe.cjs',
    probe(
      "const { InfluxDBClient3 } = require('flightsql/influx');\nconst { startServer } = require('flightsql/server');",
    ),
  ],
} as const;

const results: Record<
  string,
  { stored: Record<string, unknown>; written: Record<string, number> } & Record<string, unknown>
> = {};

test.each(['esm', 'cjs'] as const)(
  '%s: every format stored exactly',
  async (system) => {
    const scratch = join(appDir('full'), 'checks', 'writeFile');
    mkdirSync(scratch, { recursive: true });
    const [file, text] = probes[system];
    writeFileSync(join(scratch, file), text);
    const { code, stdout, stderr } = await runNode([file, dir, FORMATS.join(',')], {
      cwd: scratch,
      timeoutMs: 120_000,
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    results[system] = out;
    for (const format of FORMATS) {
      expect([format, out.written[format]]).toEqual([format, 3]);
      expect([format, out.stored[format]]).toEqual([format, stored(format === 'us.parquet' ? 1000n : 1n)]);
    }
    for (const format of FORMATS) {
      expect([format, out.missing[format]]).toEqual([
        format,
        { name: 'InterfaceError', message: `tagColumns: no column "rooms" in r.${format}` },
      ]);
    }
    expect(out.missingStored).toBe('none');
    expect(out.orc.name).toBe('NotSupportedError');
    expect(out.orc.message).toMatch(
      /ORC files are not supported; writeFile reads CSV .*NDJSON.*Arrow IPC.*Parquet/,
    );
    expect(out.bad).toMatchObject({ name: 'LineProtocolError', row: 2, column: 'co' });
    expect(out.bad.message).toMatch(/bad\.csv: row 2, column "co" .*"1\.5" is not an integer/);
  },
  180_000,
);

test('ES modules and CommonJS store the same', () => {
  expect(results['esm']).toBeDefined();
  expect(results['cjs']).toEqual(results['esm']);
});
