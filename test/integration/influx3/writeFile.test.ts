/**
 * writeFile: CSV, JSON, NDJSON and Arrow IPC files round-trip through the embedded server with
 * their values and types; Parquet and a 1-million-line file (memory bounded) run in a child
 * process against the built package.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  Int64,
  Table,
  TimestampNanosecond,
  makeData,
  makeVector,
  tableFromArrays,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import { InfluxDBClient3, LineProtocolError, NotSupportedError } from '../../../src/influx';
import { startServer, type RunningServer } from '../../../src/server';

const root = join(__dirname, '../../..');
const run = promisify(execFile);
let server: RunningServer;
let client: InfluxDBClient3;
let dir: string;
const T0 = 1_767_225_600n;

beforeAll(async () => {
  server = await startServer({ httpPort: 0 });
  client = new InfluxDBClient3({
    host: server.httpUrl!,
    database: 'files',
    flightOptions: { host: server.location },
  });
  dir = mkdtempSync(join(tmpdir(), 'flightsql-files-'));
});
afterAll(async () => {
  await client.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function rows(sql: string) {
  return (await client.query(sql)).toArray().map((r) => r.toJSON() as Record<string, unknown>);
}

const expected = [
  { room: 'kitchen', temp: 21.5, co: 3n, door: true, t: T0 },
  { room: 'attic', temp: 17.25, co: 0n, door: false, t: T0 + 1n },
  { room: 'hall', temp: 19, co: 1n, door: true, t: T0 + 2n },
];
const query = (m: string) => `SELECT room, temp, co, door, epoch(time)::BIGINT AS t FROM ${m} ORDER BY time`;

test('CSV: numbers are floats unless named integers; true/false are booleans', async () => {
  const path = join(dir, 'r.csv');
  writeFileSync(
    path,
    `room,temp,co,door,time\nkitchen,21.5,3,true,${T0}\nattic,17.25,0,false,${T0 + 1n}\nhall,19,1,true,${T0 + 2n}\n`,
  );
  const n = await client.writeFile(path, {
    measurement: 'csv',
    tagColumns: ['room'],
    timestampColumn: 'time',
    integerColumns: ['co'],
    precision: 's',
  });
  expect(n).toBe(3);
  expect(await rows(query('csv'))).toEqual(expected);
});

test('JSON array and NDJSON', async () => {
  const objects = expected.map((r) => ({
    room: r.room,
    temp: r.temp,
    co: Number(r.co),
    door: r.door,
    time: Number(r.t),
  }));
  writeFileSync(join(dir, 'r.json'), JSON.stringify(objects));
  writeFileSync(join(dir, 'r.ndjson'), objects.map((o) => JSON.stringify(o)).join('\n') + '\n');
  const options = {
    tagColumns: ['room'],
    timestampColumn: 'time',
    integerColumns: ['co'],
    precision: 's' as const,
  };
  await client.writeFile(join(dir, 'r.json'), { ...options, measurement: 'js' });
  await client.writeFile(join(dir, 'r.ndjson'), { ...options, measurement: 'nd' });
  expect(await rows(query('js'))).toEqual(expected);
  expect(await rows(query('nd'))).toEqual(expected);
});

test('Arrow IPC (file and stream formats) keep the column types', async () => {
  const table = tableFromArrays({
    room: ['kitchen', 'attic', 'hall'],
    temp: Float64Array.from([21.5, 17.25, 19]),
    co: BigInt64Array.from([3n, 0n, 1n]),
    door: [true, false, true],
    time: BigInt64Array.from([T0, T0 + 1n, T0 + 2n]),
  });
  writeFileSync(join(dir, 'r.arrow'), tableToIPC(table, 'file'));
  writeFileSync(join(dir, 'r.arrows'), tableToIPC(table, 'stream'));
  const options = { tagColumns: ['room'], timestampColumn: 'time', precision: 's' as const };
  await client.writeFile(join(dir, 'r.arrow'), { ...options, measurement: 'ipcf' });
  await client.writeFile(join(dir, 'r.arrows'), { ...options, measurement: 'ipcs' });
  expect(await rows(query('ipcf'))).toEqual(expected);
  expect(await rows(query('ipcs'))).toEqual(expected);
});

test('64-bit integers and nanosecond times stay exact: CSV, JSON, NDJSON, Arrow timestamps', async () => {
  const big = [9_007_199_254_740_993n, -9_223_372_036_854_775_808n, 9_223_372_036_854_775_807n];
  const times = [1_714_564_800_123_456_789n, 1_714_564_800_123_456_790n, 1_714_564_800_999_999_999n];
  const exact = big.map((co, i) => ({ co: String(co), t: String(times[i]) }));
  const q = (m: string) =>
    rows(`SELECT co::VARCHAR AS co, epoch_ns(time)::VARCHAR AS t FROM ${m} ORDER BY time`).then((r) =>
      r.map((x) => ({ co: x.co, t: x.t })),
    );
  const options = { timestampColumn: 'time', integerColumns: ['co'], precision: 'ns' as const };
  writeFileSync(join(dir, 'x.csv'), `co,time\n${big.map((c, i) => `${c},${times[i]}`).join('\n')}\n`);
  writeFileSync(join(dir, 'x.json'), `[${big.map((c, i) => `{"co": ${c}, "time": ${times[i]}}`).join(',')}]`);
  writeFileSync(join(dir, 'x.ndjson'), big.map((c, i) => `{"co":${c},"time":${times[i]}}`).join('\n'));
  const table = new Table({
    co: vectorFromArray(big, new Int64()),
    time: makeVector(
      makeData({ type: new TimestampNanosecond(), length: 3, nullCount: 0, data: BigInt64Array.from(times) }),
    ),
  });
  writeFileSync(join(dir, 'x.arrow'), tableToIPC(table, 'file'));
  for (const ext of ['csv', 'json', 'ndjson', 'arrow']) {
    await client.writeFile(join(dir, `x.${ext}`), { ...options, measurement: `exact_${ext}` });
    expect([ext, await q(`exact_${ext}`)]).toEqual([ext, exact]);
  }
});

test('a bad cell is a LineProtocolError naming its file, row and column (rows counted across chunks)', async () => {
  const path = join(dir, 'cells.csv');
  writeFileSync(path, `room,co\nkitchen,3\nattic,4\nhall,1.5\n`);
  const err = await client
    .writeFile(path, { measurement: 'cells', integerColumns: ['co'], chunkRows: 2 })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(LineProtocolError);
  expect(err).toMatchObject({ row: 3, column: 'co', index: 2, measurement: 'cells' });
  expect(String(err)).toMatch(/cells\.csv: row 3, column "co" \(point "cells"\): "1\.5" is not an integer/);
  const json = join(dir, 'cells.ndjson');
  writeFileSync(json, '{"co": 1}\n{"co": 2.5}\n');
  await expect(client.writeFile(json, { measurement: 'cells', integerColumns: ['co'] })).rejects.toThrow(
    /row 2, column "co" .*"2\.5" is not an integer/,
  );
});

test('ORC: a clear error listing the formats writeFile reads', async () => {
  const err = await client.writeFile(join(dir, 'data.orc'), { measurement: 'o' }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(NotSupportedError);
  expect(String(err)).toMatch(/ORC files are not supported; writeFile reads CSV .* and Parquet/);
});

test('a bad row is refused before anything of its chunk is sent, naming the row', async () => {
  const path = join(dir, 'bad.ndjson');
  writeFileSync(path, '{"v":1}\n{"v":2}\n');
  await expect(client.writeFile(path, { precision: 's' })).rejects.toBeInstanceOf(LineProtocolError);
  await expect(client.writeFile(join(dir, 'x.unknown'))).rejects.toThrow(/cannot tell the format/);
});

describe('in a child process, against the built package', () => {
  beforeAll(() => {
    if (!existsSync(join(root, 'dist/influx/index.mjs')))
      throw new Error('dist/ is missing: run `npm run build` first');
  });
  const probe = async (mode: string) => {
    const { stdout } = await run(
      process.execPath,
      ['--expose-gc', join(__dirname, 'fileProbe.mjs'), mode, server.httpUrl!, server.location, dir],
      { cwd: root, encoding: 'utf8', timeout: 240_000, maxBuffer: 1 << 20 },
    );
    return JSON.parse(stdout);
  };

  test('Parquet keeps INT64 as integers, DOUBLE as floats, BOOLEAN as booleans', async () => {
    const out = await probe('parquet');
    expect(out.written).toBe(3);
    expect(out.types).toMatchObject({ room: 'Utf8', temp: 'Float64', co: 'Int64', door: 'Bool' });
    expect(out.rows).toEqual([
      { room: 'kitchen', temp: 21.5, co: '3', door: true, t: String(T0 * 1000n) },
      { room: 'attic', temp: 17.25, co: '0', door: false, t: String(T0 * 1000n + 1000n) },
      { room: 'hall', temp: 19, co: '1', door: true, t: String(T0 * 1000n + 2000n) },
    ]);
  });

  test('a 1-million-line file streams in with bounded memory', async () => {
    const out = await probe('million');
    expect(out).toMatchObject({ written: 1_000_000, n: '1000000', d: '1000000' });
    // The file is ~110 MB, and its lines would be more as JS strings; what stays live is a
    // 20,000-line buffer, a read chunk and a batch being sent (measured: about 10 MB).
    expect(out.growth).toBeLessThan(40 * 1024 * 1024);
  }, 300_000);
});
