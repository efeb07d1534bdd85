/**
 * DataFrameClient against its reference: influxdb-python's DataFrameClient (Debian's
 * python3-influxdb 5.3.1 with python3-pandas, which `npm test` installs through
 * scripts/ensure-system-deps.sh) on the same influxd. The same frame is written by both into
 * twin measurements and must be stored as the same points; the frames both read from the
 * Python-written data must have the same keys, columns, times and values. The differences
 * docs/dataframes.md lists (nanosecond times, a row without fields) are asserted as such.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import pl from 'nodejs-polars';
import { DataFrameClient, type DataFrameWriteOptions, type DataFrames } from '../../../src/influx';
import { uniqueName, useInfluxd } from '../influxd';

type Kind = 'float' | 'int' | 'bool' | 'str';
interface FrameSpec {
  time: string[];
  columns: { name: string; kind: Kind; values: (number | string | boolean | null)[] }[];
}
interface PyFrame {
  key: string | [string, [string, string][]];
  columns: string[];
  dtypes: string[];
  index: number[];
  values: Record<string, unknown[]>;
}

/** The Python that has influxdb-python and pandas: Debian's, whatever python3 is first on PATH. */
function referencePython(): string {
  const candidates = [process.env.FLIGHTSQL_PYTHON, '/usr/bin/python3', 'python3'].filter(
    Boolean,
  ) as string[];
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import influxdb, pandas'], { encoding: 'utf8' });
    if (probe.status === 0) return python;
  }
  throw new Error(
    "no python3 with influxdb-python and pandas: install Debian's python3-influxdb and python3-pandas " +
      '(bash scripts/ensure-system-deps.sh does, as npm test runs it)',
  );
}

const seconds = (s: number) => String(BigInt(s) * 1_000_000_000n);
const t0 = 1_700_000_000;
const main: FrameSpec = {
  time: [0, 60, 120, 180, 240, 300].map((d) => seconds(t0 + d)),
  columns: [
    { name: 'host', kind: 'str', values: ['a', 'b', 'a', 'b', null, 'a'] },
    { name: 'rack', kind: 'float', values: [1.0, 2.5, 1.0, 2.5, 1.0, 2.5] },
    { name: 'flag', kind: 'bool', values: [true, false, true, false, true, true] },
    { name: 'v', kind: 'float', values: [0.5, null, 2.0, 1e16, -0.25, 3.0] },
    { name: 'n', kind: 'int', values: [1, 2, 3, 4, 5, -6] },
    { name: 's', kind: 'str', values: ['x', null, 'hello world', 'a,b=c', '', 'é'] },
  ],
};
const emptyRow: FrameSpec = {
  time: [0, 1, 2].map((d) => seconds(t0 + d)),
  columns: [
    { name: 'host', kind: 'str', values: ['a', 'b', 'c'] },
    { name: 'v', kind: 'float', values: [1.5, null, 2.5] },
  ],
};
const nanos: FrameSpec = {
  time: ['1700000000123456789'],
  columns: [{ name: 'v', kind: 'float', values: [1.5] }],
};

/** Each write: measurement stem, frame, options in Python's names and in ours. */
const writes: [string, FrameSpec, Record<string, unknown>, DataFrameWriteOptions][] = [
  [
    'cmp_line',
    main,
    { tag_columns: ['host', 'rack', 'flag'], tags: { region: 'eu' } },
    { tagColumns: ['host', 'rack', 'flag'], tags: { region: 'eu' } },
  ],
  ['cmp_fields', main, { field_columns: ['v', 'n'] }, { fieldColumns: ['v', 'n'] }],
  [
    'cmp_json',
    main,
    { tag_columns: ['host'], tags: { region: 'eu' }, protocol: 'json' },
    { tagColumns: ['host'], tags: { region: 'eu' }, protocol: 'json' },
  ],
  ['cmp_prec', main, { time_precision: 's', batch_size: 4 }, { timePrecision: 's', batchSize: 4 }],
  ['cmp_empty_row', emptyRow, { tag_columns: ['host'] }, { tagColumns: ['host'] }],
  ['cmp_ns', nanos, {}, {}],
];
const reads = [
  'SELECT * FROM cmp_line_py',
  'SELECT v, n FROM cmp_line_py GROUP BY host',
  'SELECT max(v), count(n), last(s) FROM cmp_line_py GROUP BY host, flag',
  'SELECT * FROM cmp_fields_py',
  'SELECT * FROM cmp_json_py',
];

function polarsFrame(spec: FrameSpec) {
  const dtypes: Record<Kind, unknown> = { float: pl.Float64, int: pl.Int64, bool: pl.Bool, str: pl.Utf8 };
  return pl.DataFrame([
    pl.Series('time', spec.time).cast(pl.Int64).cast(pl.Datetime('ns', 'UTC')),
    // Python's NaN where the spec says null in a float column: the same value on both sides.
    ...spec.columns.map((c) =>
      pl.Series(
        c.name,
        c.kind === 'float' ? c.values.map((v) => v ?? Number.NaN) : c.values,
        dtypes[c.kind] as never,
      ),
    ),
  ]);
}

const fx = useInfluxd();
let db: string;
let dfc: DataFrameClient;
let python: { writes: { ok: boolean; error?: string }[]; reads: PyFrame[][] };

beforeAll(async () => {
  db = uniqueName('pycmp');
  await fx.client.createDatabase(db);
  const job = {
    host: fx.server.host,
    port: fx.server.port,
    database: db,
    writes: writes.map(([stem, frame, options]) => ({ measurement: `${stem}_py`, frame, options })),
    reads,
  };
  const run = spawnSync(referencePython(), [join(__dirname, 'dataFrameClient.reference.py')], {
    input: JSON.stringify(job),
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (run.status !== 0) throw new Error(`influxdb-python failed: ${run.stderr}`);
  python = JSON.parse(run.stdout) as typeof python;
  dfc = new DataFrameClient({ host: fx.server.host, port: fx.server.port, database: db });
  for (const [stem, frame, , options] of writes)
    await dfc.writePoints(polarsFrame(frame), `${stem}_ts`, options);
}, 60_000);
afterAll(() => dfc?.close());

async function stored(measurement: string) {
  return (await fx.client.query(`SELECT * FROM "${measurement}"`, { database: db, epoch: 'ns' })).getPoints();
}

test.each(['cmp_line', 'cmp_fields', 'cmp_json', 'cmp_prec'])('%s: the same points written', async (stem) => {
  const theirs = await stored(`${stem}_py`);
  expect(theirs.length).toBeGreaterThan(0);
  expect(await stored(`${stem}_ts`)).toEqual(theirs);
});

test('a row with no field left: influxdb-python sends a line InfluxDB refuses, we leave it out', async () => {
  expect(python.writes[4]).toEqual({ ok: false, error: expect.stringContaining('unable to parse') });
  // InfluxDB wrote the other lines of Python's request: the stored points are the same.
  expect(await stored('cmp_empty_row_ts')).toEqual(await stored('cmp_empty_row_py'));
  expect((await stored('cmp_empty_row_ts')).map((p) => p['host'])).toEqual(['a', 'c']);
});

test('nanosecond times: influxdb-python divides them as floats, we keep them exact', async () => {
  expect((await stored('cmp_ns_py'))[0]!['time']).toBe(BigInt(Number(1_700_000_000_123_456_789n)));
  expect((await stored('cmp_ns_ts'))[0]!['time']).toBe(1_700_000_000_123_456_789n);
});

/** pandas' dtype of one of our columns: nulls make pandas' integers float and its booleans object. */
function pandasDtype(dtype: string, hasNull: boolean): string {
  const plain = dtype.replace(/^DataType\((.*)\)$/, '$1');
  if (plain === 'Int64') return hasNull ? 'float64' : 'int64';
  if (plain === 'Bool') return hasNull ? 'object' : 'bool';
  return { Float64: 'float64', String: 'object', Null: 'object' }[plain] ?? plain;
}

function compare(ours: DataFrames, theirs: PyFrame[]): void {
  expect(ours.pythonKeys()).toEqual(theirs.map((f) => f.key));
  ours.items().forEach(([, df], k) => {
    const py = theirs[k]!;
    expect(df.columns).toEqual(['time', ...py.columns]);
    const time = df.select(pl.col('time').cast(pl.Int64).cast(pl.Utf8)).getColumn('time').toArray();
    expect(time).toEqual(py.index.map((t) => String(BigInt(t))));
    for (const [i, name] of py.columns.entries()) {
      const values = df.getColumn(name).toArray() as unknown[];
      expect([name, values]).toEqual([name, py.values[name]]);
      const dtype = pandasDtype(String(df.getColumn(name).dtype), values.includes(null));
      expect([name, dtype]).toEqual([name, py.dtypes[i]]);
    }
  });
}

test.each(reads.map((q, i) => [q, i] as const))('%s: the same frames read', async (q, i) => {
  const theirs = python.reads[i]!;
  expect(theirs.length).toBeGreaterThan(0);
  compare(await dfc.query(q), theirs);
});
