/** SeriesHelper's queue, series names, commits and autocommits, against a recording client. */
import {
  InterfaceError,
  Point,
  ProgrammingError,
  SeriesHelper,
  type SeriesHelperClient,
  type WritePointsOptions,
} from '../../../src/influx';
import type { Logger, WritablePoint } from '../../../src/influx';
import { guardedWriters } from '../../../src/influx/exitGuard';

/** A client that records each writePoints call as lines, failing the calls listed in `failures`. */
function recorder(failures: Error[] = []) {
  const calls: { lines: string[]; options: WritePointsOptions | undefined }[] = [];
  const client: SeriesHelperClient = {
    async writePoints(points: readonly WritablePoint[], options?: WritePointsOptions) {
      await Promise.resolve();
      const failure = failures.shift();
      if (failure) throw failure;
      calls.push({ lines: points.map((p) => (p as Point).toLineProtocol()), options });
      return true;
    },
  };
  return { client, calls };
}

/** Lets the background writes run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

test('a definition is checked when it is made', () => {
  const { client } = recorder();
  const base = { seriesName: 'cpu', fields: ['v'], tags: ['host'] };
  expect(() => SeriesHelper.define({ ...base, autocommit: true })).toThrow(
    'autocommit is set, but no client is',
  );
  expect(() => SeriesHelper.define({ ...base, client, autocommit: true, bulkSize: 0 })).toThrow(
    'invalid bulkSize 0',
  );
  expect(() => SeriesHelper.define({ ...base, client, bulkSize: 5 })).toThrow(
    'bulkSize has no effect without autocommit',
  );
  expect(() => SeriesHelper.define({ ...base, seriesName: 'cpu.{rack}' })).toThrow(
    '{rack} is not a tag or field',
  );
  expect(() => SeriesHelper.define({ ...base, seriesName: 'cpu.{host:>5}' })).toThrow(InterfaceError);
  expect(() => SeriesHelper.define({ ...base, seriesName: 'cpu.{host' })).toThrow('unmatched brace');
  expect(() => SeriesHelper.define({ ...base, timePrecision: 'x' as never })).toThrow('invalid precision');
});

test('points: every tag required, known names only, at least one field, series name from the template', () => {
  const Cpu = SeriesHelper.define({
    seriesName: 'events.{{stats}}.{server}.{load}.{up}',
    fields: ['load', 'up', 'time'],
    tags: ['server'],
  });
  expect(() => new Cpu({ load: 1 } as never)).toThrow(ProgrammingError);
  expect(() => new Cpu({ load: 1 } as never)).toThrow('missing ["server"]');
  expect(() => new Cpu({ server: 'a', load: 1, other: 2 } as never)).toThrow('not a tag or field: ["other"]');
  expect(() => new Cpu({ server: 'a' })).toThrow('a point needs at least one field');
  expect(() => new Cpu({ server: 'a', load: 1 })).toThrow('seriesName needs {up}');
  const p = new Cpu({ server: 'a', load: 1.5, up: true, time: 1_000n });
  // Values are written into the name as Python's str() writes them.
  expect(p.point).toEqual({
    measurement: 'events.{stats}.a.1.5.True',
    tags: { server: 'a' },
    fields: { load: 1.5, up: true },
    time: 1_000n,
  });
  expect(new Cpu({ server: 'b', load: 2, up: false, time: 2_000n }).point.measurement).toBe(
    'events.{stats}.b.2.False',
  );
  expect(Cpu.size).toBe(2);
  Cpu.reset();
  expect(Cpu.size).toBe(0);
});

test('without time a point is stamped now, to the microsecond', () => {
  const Cpu = SeriesHelper.define({ seriesName: 'cpu', fields: ['v'], tags: [] });
  const before = BigInt(Date.now() - 1) * 1_000_000n;
  const { time } = new Cpu({ v: 1 }).point;
  expect(typeof time).toBe('bigint');
  expect(time as bigint).toBeGreaterThanOrEqual(before);
  expect((time as bigint) % 1_000n).toBe(0n);
});

test("jsonBody is influxdb-python's _json_body_: grouped by series name, in order within each, null fields left out", () => {
  const Cpu = SeriesHelper.define({ seriesName: 'cpu.{host}', fields: ['v', 'w'], tags: ['host'] });
  new Cpu({ host: 'a', v: 1, time: 1n });
  new Cpu({ host: 'b', v: 2, w: null, time: 2n });
  new Cpu({ host: 'a', v: 3, w: 'x', time: 3n });
  expect(Cpu.jsonBody()).toEqual([
    { measurement: 'cpu.a', tags: { host: 'a' }, fields: { v: 1 }, time: 1n },
    { measurement: 'cpu.a', tags: { host: 'a' }, fields: { v: 3, w: 'x' }, time: 3n },
    { measurement: 'cpu.b', tags: { host: 'b' }, fields: { v: 2 }, time: 2n },
  ]);
  // Each defined class has its own queue.
  const Mem = SeriesHelper.define({ seriesName: 'mem', fields: ['v'], tags: [] });
  new Mem({ v: 1, time: 1n });
  expect([Cpu.size, Mem.size]).toEqual([3, 1]);
});

test('commit writes every queued point in one call with the definition options, then empties the queue', async () => {
  const { client, calls } = recorder();
  const Cpu = SeriesHelper.define({
    client,
    seriesName: 'cpu',
    fields: ['v'],
    tags: ['host'],
    retentionPolicy: 'week',
    timePrecision: 's',
  });
  expect(await Cpu.commit()).toBe(true);
  expect(calls).toEqual([]);
  new Cpu({ host: 'a', v: 1.5, time: 10n });
  new Cpu({ host: 'b', v: 2.5, time: 20n });
  await Cpu.commit();
  expect(calls).toEqual([
    {
      lines: ['cpu,host=a v=1.5 10', 'cpu,host=b v=2.5 20'],
      options: { retentionPolicy: 'week', timePrecision: 's' },
    },
  ]);
  expect(Cpu.size).toBe(0);
  const other = recorder();
  new Cpu({ host: 'c', v: 3, time: 30n });
  await Cpu.commit(other.client);
  expect(other.calls.map((c) => c.lines)).toEqual([['cpu,host=c v=3 30']]);
  const Lonely = SeriesHelper.define({ seriesName: 'x', fields: ['v'], tags: [] });
  new Lonely({ v: 1 });
  await expect(Lonely.commit()).rejects.toThrow('commit needs a client');
});

test('autocommit writes each bulk in the background, oldest first; commit writes the rest after them', async () => {
  const { client, calls } = recorder();
  const Cpu = SeriesHelper.define({
    client,
    seriesName: 'cpu',
    fields: ['v'],
    tags: [],
    bulkSize: 3,
    autocommit: true,
  });
  for (let i = 1; i <= 7; i++) new Cpu({ v: i, time: BigInt(i) });
  await Cpu.commit();
  expect(calls.map((c) => c.lines)).toEqual([
    ['cpu v=1 1', 'cpu v=2 2', 'cpu v=3 3'],
    ['cpu v=4 4', 'cpu v=5 5', 'cpu v=6 6'],
    ['cpu v=7 7'],
  ]);
  // Without bulkSize, autocommit writes each point.
  const each = recorder();
  const One = SeriesHelper.define({
    client: each.client,
    seriesName: 'one',
    fields: ['v'],
    tags: [],
    autocommit: true,
  });
  new One({ v: 1, time: 1n });
  new One({ v: 2, time: 2n });
  await settle();
  expect(each.calls.map((c) => c.lines)).toEqual([['one v=1 1'], ['one v=2 2']]);
});

test('a failed background write keeps its points in order and is thrown by the next call', async () => {
  const refused = new Error('server down');
  const { client, calls } = recorder([refused]);
  const Cpu = SeriesHelper.define({
    client,
    seriesName: 'cpu',
    fields: ['v'],
    tags: [],
    bulkSize: 2,
    autocommit: true,
  });
  new Cpu({ v: 1, time: 1n });
  new Cpu({ v: 2, time: 2n });
  await settle();
  expect(calls).toEqual([]);
  expect(Cpu.size).toBe(2);
  // The constructor after the failure queues its point, then throws the failure (about earlier points).
  expect(() => new Cpu({ v: 3, time: 3n })).toThrow(refused);
  expect(Cpu.jsonBody().map((p) => p.fields['v'])).toEqual([1, 2, 3]);
  // Thrown once: the caller carries on.
  new Cpu({ v: 4, time: 4n });
  await settle();
  // The retry the constructor of 3 started takes the oldest points first; 4 completes the next bulk.
  expect(calls.map((c) => c.lines)).toEqual([
    ['cpu v=1 1', 'cpu v=2 2'],
    ['cpu v=3 3', 'cpu v=4 4'],
  ]);
  new Cpu({ v: 5, time: 5n });
  await Cpu.commit();
  expect(calls.map((c) => c.lines)).toEqual([
    ['cpu v=1 1', 'cpu v=2 2'],
    ['cpu v=3 3', 'cpu v=4 4'],
    ['cpu v=5 5'],
  ]);
});

test('a point refused by its constructor is not queued, and the pending failure waits for the next call', async () => {
  const refused = new Error('server down');
  const { client, calls } = recorder([refused]);
  const Cpu = SeriesHelper.define({ client, seriesName: 'cpu', fields: ['v'], tags: [], autocommit: true });
  new Cpu({ v: 1, time: 1n });
  await settle();
  expect(() => new Cpu({} as never)).toThrow(ProgrammingError);
  expect(Cpu.size).toBe(1);
  expect(() => new Cpu({ v: 2, time: 2n })).toThrow(refused);
  await Cpu.commit();
  expect(calls.map((c) => c.lines)).toEqual([['cpu v=1 1'], ['cpu v=2 2']]);
});

describe('a background failure no call has thrown is reported when the process ends', () => {
  const what =
    'a background write of SeriesHelper "cpu" failed and no call on the helper has thrown it since: ' +
    '2 points stay queued, not written';
  const failing = (logger?: Logger) => {
    const refused = new Error('server down');
    const { client } = recorder([refused]);
    const Cpu = SeriesHelper.define({
      client,
      seriesName: 'cpu',
      fields: ['v'],
      tags: [],
      bulkSize: 2,
      autocommit: true,
      ...(logger ? { logger } : {}),
    });
    new Cpu({ v: 1, time: 1n });
    new Cpu({ v: 2, time: 2n });
    return { Cpu, refused };
  };

  test("to the logger's error when the event loop empties, once", async () => {
    const heard: [string, unknown][] = [];
    const logger: Logger = { error: (m, e) => void heard.push([m, e]), warn: () => {} };
    const { refused } = failing(logger);
    await settle();
    expect(guardedWriters()).toBe(1);
    // What the end of the event loop does.
    process.emit('beforeExit', 0);
    expect(heard).toEqual([[what, refused]]);
    expect(guardedWriters()).toBe(0);
    process.emit('beforeExit', 0);
    expect(heard).toHaveLength(1);
  });

  test('as a process warning by default', async () => {
    const warnings = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      failing();
      await settle();
      process.emit('beforeExit', 0);
      expect(warnings.mock.calls).toEqual([[`flightsql: ${what}: server down`, 'FlightSQLWarning']]);
    } finally {
      warnings.mockRestore();
    }
  });

  test('not at all once a call has thrown it', async () => {
    const heard: string[] = [];
    const logger: Logger = { error: (m) => void heard.push(m), warn: () => {} };
    const { Cpu, refused } = failing(logger);
    await settle();
    await expect(Cpu.commit(recorder().client)).rejects.toBe(refused);
    expect(guardedWriters()).toBe(0);
    process.emit('beforeExit', 0);
    expect(heard).toEqual([]);
  });
});

test('commit rejects with a background failure not thrown yet, and a failed commit keeps its points first', async () => {
  const first = new Error('first');
  const second = new Error('second');
  const { client, calls } = recorder([first, second]);
  const Cpu = SeriesHelper.define({
    client,
    seriesName: 'cpu',
    fields: ['v'],
    tags: [],
    bulkSize: 2,
    autocommit: true,
  });
  new Cpu({ v: 1, time: 1n });
  new Cpu({ v: 2, time: 2n });
  await expect(Cpu.commit()).rejects.toBe(first);
  expect(Cpu.size).toBe(2);
  await expect(Cpu.commit()).rejects.toBe(second);
  new Cpu({ v: 3, time: 3n });
  await settle();
  await Cpu.commit();
  expect(calls.flatMap((c) => c.lines)).toEqual(['cpu v=1 1', 'cpu v=2 2', 'cpu v=3 3']);
});
