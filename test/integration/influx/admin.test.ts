/**
 * Administration against a real influxd (no auth): databases, retention policies,
 * measurements, series, continuous queries, and the quoting of every name that goes into
 * InfluxQL. Each call's effect is checked on the server.
 */
import { InfluxDBClientError, InterfaceError, Point } from '../../../src/influx';
import { uniqueName, useInfluxd } from '../influxd';

const fx = useInfluxd();

async function databases(): Promise<string[]> {
  return (await fx.client.getListDatabase()).map((d) => String(d['name']));
}

// Names that would break InfluxQL if they were not quoted and escaped. (Database names
// cannot hold "/", "\\" or unprintable characters on the server; user names and
// measurements can, see auth.test.ts and below.)
const awkward = [
  'with space',
  'dots.and-dashes',
  'quote"inside',
  "single'quote",
  'semi;colon',
  'x"; DROP DATABASE "victim',
  'é😀',
];

test('createDatabase / getListDatabase / dropDatabase with awkward names, and no injection', async () => {
  await fx.client.createDatabase('victim');
  for (const name of awkward) await fx.client.createDatabase(name);
  const listed = await databases();
  for (const name of [...awkward, 'victim']) expect(listed).toContain(name);
  for (const name of awkward) await fx.client.dropDatabase(name);
  const after = await databases();
  for (const name of awkward) expect(after).not.toContain(name);
  expect(after).toContain('victim');
});

test('names InfluxQL cannot express are refused before sending', async () => {
  await expect(fx.client.createDatabase('cr\rname')).rejects.toThrow(InterfaceError);
  await expect(fx.client.createDatabase('nul\0name')).rejects.toThrow(/carriage return or NUL/);
  await expect(fx.client.createDatabase('')).rejects.toThrow(/invalid name/);
  // Quoted correctly, refused by the server's own rule for database names.
  await expect(fx.client.createDatabase('back\\slash')).rejects.toThrow('query failed: invalid name');
  await expect(fx.client.createDatabase('new\nline')).rejects.toThrow('query failed: invalid name');
});

test('retention policies: create, list, alter, drop', async () => {
  const db = uniqueName('rp');
  await fx.client.createDatabase(db);
  await fx.client.createRetentionPolicy('a week', '7d', 1, { database: db, shardDuration: '1d' });
  await fx.client.createRetentionPolicy('short', '1h30m', 1, { database: db, default: true });
  const list = await fx.client.getListRetentionPolicies({ database: db });
  expect(list).toEqual([
    { name: 'autogen', duration: '0s', shardGroupDuration: '168h0m0s', replicaN: 1, default: false },
    { name: 'a week', duration: '168h0m0s', shardGroupDuration: '24h0m0s', replicaN: 1, default: false },
    { name: 'short', duration: '1h30m0s', shardGroupDuration: '1h0m0s', replicaN: 1, default: true },
  ]);
  await fx.client.alterRetentionPolicy('a week', { database: db, duration: '14d', default: true });
  const altered = await fx.client.getListRetentionPolicies({ database: db });
  expect(altered.find((p) => p['name'] === 'a week')).toMatchObject({ duration: '336h0m0s', default: true });
  await fx.client.dropRetentionPolicy('short', { database: db });
  expect((await fx.client.getListRetentionPolicies({ database: db })).map((p) => p['name'])).toEqual([
    'autogen',
    'a week',
  ]);
  await fx.client.dropDatabase(db);
});

test('retention policy failures: bad duration (refused here), too short and unknown (server)', async () => {
  const db = uniqueName('rpbad');
  await fx.client.createDatabase(db);
  await expect(fx.client.createRetentionPolicy('p', '1 day', 1, { database: db })).rejects.toThrow(
    /invalid duration "1 day"/,
  );
  await expect(fx.client.createRetentionPolicy('p', '1d', 0, { database: db })).rejects.toThrow(
    /invalid replication/,
  );
  await expect(fx.client.createRetentionPolicy('p', '30m', 1, { database: db })).rejects.toMatchObject({
    message: 'query failed: retention policy duration must be at least 1h0m0s',
  });
  await expect(fx.client.alterRetentionPolicy('nope', { database: db, duration: '2d' })).rejects.toThrow(
    /retention policy not found: nope/,
  );
  await expect(fx.client.alterRetentionPolicy('autogen', { database: db })).rejects.toThrow(
    /at least one of/,
  );
  await expect(fx.client.createRetentionPolicy('p', '1d', 1, { database: 'no_such' })).rejects.toThrow(
    /database not found: no_such/,
  );
  await expect(fx.client.dropRetentionPolicy('p')).rejects.toThrow(/no database/);
  // A duration the client lets through but the server's grammar refuses: the server's 400.
  await expect(
    fx.client.query(`CREATE RETENTION POLICY p ON ${db} DURATION 1x REPLICATION 1`),
  ).rejects.toMatchObject({
    code: 'ERR_HTTP_400',
    httpStatus: 400,
    serverMessage: expect.stringMatching(/invalid duration/),
  });
});

test('measurements and series: list, delete series by tags, drop measurement', async () => {
  const db = uniqueName('series');
  await fx.client.createDatabase(db);
  const c = fx.connect({ database: db });
  await c.writePoints([
    new Point('cpu').tag('host', 'a').tag('dc', "it's").field('v', 1).timestamp(1n),
    new Point('cpu').tag('host', 'b').field('v', 2).timestamp(1n),
    new Point('disk space').tag('host', 'a').field('v', 3).timestamp(1n),
  ]);
  expect(await c.getListMeasurements()).toEqual([{ name: 'cpu' }, { name: 'disk space' }]);
  expect(await c.getListSeries()).toEqual(["cpu,dc=it's,host=a", 'cpu,host=b', 'disk\\ space,host=a']);
  expect(await c.getListSeries({ measurement: 'cpu', tags: { dc: "it's" } })).toEqual(["cpu,dc=it's,host=a"]);
  await c.deleteSeries({ measurement: 'cpu', tags: { host: 'b' } });
  expect(await c.getListSeries()).toEqual(["cpu,dc=it's,host=a", 'disk\\ space,host=a']);
  await c.deleteSeries({ tags: { host: 'a' } });
  expect(await c.getListSeries()).toEqual([]);
  const odd = `odd "name" \\x with 'quotes'`;
  await c.writePoints([
    new Point('disk space').field('v', 4).timestamp(2n),
    new Point(odd).field('v', 1).timestamp(1n),
  ]);
  expect(await c.getListMeasurements()).toEqual([{ name: 'disk space' }, { name: odd }]);
  await c.dropMeasurement('disk space');
  await c.dropMeasurement(odd);
  expect(await c.getListMeasurements()).toEqual([]);
  await expect(c.deleteSeries()).rejects.toThrow(/needs a measurement or tags/);
  await expect(c.deleteSeries({ measurement: 'x', database: 'no_such' })).rejects.toThrow(
    /database not found/,
  );
});

test('continuous queries: create (with RESAMPLE), list by database, drop', async () => {
  const db = uniqueName('cq');
  await fx.client.createDatabase(db);
  await fx.client.createContinuousQuery(
    'cpu mean',
    'SELECT mean(v) INTO "cpu_mean" FROM "cpu" GROUP BY time(1m)',
    db,
    'EVERY 10s FOR 2m',
  );
  const cqs = await fx.client.getListContinuousQueries();
  const mine = cqs.find((entry) => Object.keys(entry)[0] === db)!;
  expect(mine[db]).toEqual([
    {
      name: 'cpu mean',
      query: `CREATE CONTINUOUS QUERY "cpu mean" ON ${db} RESAMPLE EVERY 10s FOR 2m BEGIN SELECT mean(v) INTO ${db}.autogen.cpu_mean FROM ${db}.autogen.cpu GROUP BY time(1m) END`,
    },
  ]);
  await fx.client.dropContinuousQuery('cpu mean', db);
  const after = await fx.client.getListContinuousQueries();
  expect(after.find((entry) => Object.keys(entry)[0] === db)![db]).toEqual([]);
});

test('a continuous query body cannot end the statement or start another', async () => {
  const db = uniqueName('cqbad');
  await fx.client.createDatabase(db);
  await expect(
    fx.client.createContinuousQuery(
      'x',
      'SELECT mean(v) INTO a FROM b GROUP BY time(1m) END; DROP DATABASE victim',
      db,
    ),
  ).rejects.toThrow(InterfaceError);
  await expect(
    fx.client.createContinuousQuery('x', 'SELECT mean(v) FROM b GROUP BY time(1m)', db),
  ).rejects.toThrow(/INTO/);
  await expect(
    fx.client.createContinuousQuery(
      'x',
      'SELECT mean(v) INTO a FROM b GROUP BY time(1m)',
      db,
      'EVERY 1s; DROP',
    ),
  ).rejects.toThrow(/invalid resample/);
  expect(await databases()).toContain('victim');
});

test('the default database can be switched; methods that need one say so', async () => {
  const c = fx.connect();
  await expect(c.getListRetentionPolicies()).rejects.toThrow(/no database/);
  c.switchDatabase('victim');
  expect(c.database).toBe('victim');
  expect((await c.getListRetentionPolicies()).map((p) => p['name'])).toEqual(['autogen']);
});

test('statement errors from admin calls are InfluxDBClientError with the server text', async () => {
  const error = await fx.client.dropUser('ghost').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InfluxDBClientError);
  expect((error as Error).message).toBe('query failed: user not found');
});
