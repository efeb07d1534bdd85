/**
 * InfluxDBClient3 on a par with @influxdata/influxdb3-client, against the embedded server:
 * construction from a connection string and from INFLUX_* variables, getServerVersion(),
 * defaultTags, queryPoints() with typed values, a logger, and Flight queries through a
 * proxy named by grpc-js's own variables.
 */
import * as http from 'node:http';
import { tableFromArrays } from 'apache-arrow';
import { InfluxDBClient3, Point, ProgrammingError, silentLogger, type Logger } from '../../../src/influx';
import { startServer, type RunningServer } from '../../../src/server';
import { recordingProxy, useLocalServers } from '../influx/servers';

const TOKEN = 'tok-parity-secret';
const T0 = 1_767_225_600_000_000_000n;
let server: RunningServer;
const local = useLocalServers();
const clients: InfluxDBClient3[] = [];

beforeAll(async () => {
  server = await startServer({ httpPort: 0, token: TOKEN });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.close();
});

function track(client: InfluxDBClient3): InfluxDBClient3 {
  clients.push(client);
  return client;
}

function connect(database: string, more: ConstructorParameters<typeof InfluxDBClient3>[0] & object = {}) {
  return track(
    new InfluxDBClient3({
      host: server.httpUrl!,
      token: TOKEN,
      database,
      flightOptions: { host: server.location },
      ...more,
    }),
  );
}

/** Sets environment variables while `fn` runs (synchronously: clients read them when built). */
function withEnv<T>(vars: Record<string, string | undefined>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

async function rows(client: InfluxDBClient3, sql: string) {
  return (await client.query(sql)).toArray().map((r) => r.toJSON() as Record<string, unknown>);
}

describe('construction', () => {
  test('from a connection string: host, token, database and write settings', async () => {
    const url = new URL(server.httpUrl!);
    const client = track(
      InfluxDBClient3.fromConnectionString(
        `${url.origin}?token=${TOKEN}&database=fromstring&precision=second&gzipThreshold=0`,
      ),
    );
    await client.write('m v=1 5');
    // Queries go to the Flight port, which a connection string cannot name here: a second client.
    const reader = connect('fromstring');
    expect(await rows(reader, 'SELECT v, epoch_ns(time) AS t FROM m')).toEqual([{ v: 1, t: 5_000_000_000n }]);
    expect(() => new InfluxDBClient3(`${url.origin}?token=x&bucket=b`)).toThrow(
      /unknown connection string parameter "bucket"/,
    );
  });

  test('from INFLUX_* variables: new InfluxDBClient3(), fromEnv(env), and as defaults of options', async () => {
    const env = {
      INFLUX_HOST: server.httpUrl!,
      INFLUX_TOKEN: TOKEN,
      INFLUX_DATABASE: 'fromenv',
      INFLUX_PRECISION: 'ms',
    };
    const [bare, withOptions] = withEnv(env, () => [
      track(new InfluxDBClient3()),
      track(new InfluxDBClient3({ database: 'fromenv2', writeOptions: { precision: 's' } })),
    ]);
    const explicit = track(InfluxDBClient3.fromEnv({ ...env, INFLUX_PRECISION: 'us' }));
    await bare!.write('m v=1 7');
    await explicit.write('m v=2 7');
    await withOptions!.write('m v=3 7');
    expect(await rows(connect('fromenv'), 'SELECT v, epoch_ns(time) AS t FROM m ORDER BY v')).toEqual([
      { v: 1, t: 7_000_000n },
      { v: 2, t: 7_000n },
    ]);
    expect(await rows(connect('fromenv2'), 'SELECT v, epoch_ns(time) AS t FROM m')).toEqual([
      { v: 3, t: 7_000_000_000n },
    ]);
    expect(() => withEnv({ INFLUX_HOST: undefined }, () => new InfluxDBClient3())).toThrow(
      'InfluxDBClient3: no host (pass host, or set INFLUX_HOST)',
    );
  });

  test('getServerVersion() reads X-Influxdb-Version from /ping', async () => {
    expect(await connect('any').getServerVersion()).toBe('flightsql-embedded');
  });
});

test('defaultTags: added to points, objects and table rows; the point’s own tag wins; text is left alone', async () => {
  const client = connect('tagged', {
    writeOptions: { defaultTags: { region: 'eu', host: 'default' } },
  });
  await client.write([
    new Point('m')
      .tag('host', 'h1')
      .intField('i', 1n)
      .timestamp(T0 + 1n),
    { measurement: 'm', fields: { i: 2n }, time: T0 + 2n },
    'm,host=text i=3i 1767225600000000003',
  ]);
  await client.write(tableFromArrays({ i: BigInt64Array.from([4n]), t: BigInt64Array.from([T0 + 4n]) }), {
    measurement: 'm',
    timestampColumn: 't',
  });
  // Per call: these defaults instead of the client's.
  await client.write(new Point('m').intField('i', 5n).timestamp(T0 + 5n), { defaultTags: { host: 'call' } });
  expect(await rows(client, 'SELECT i, host, region FROM m ORDER BY time')).toEqual([
    { i: 1n, host: 'h1', region: 'eu' },
    { i: 2n, host: 'default', region: 'eu' },
    { i: 3n, host: 'text', region: null },
    { i: 4n, host: 'default', region: 'eu' },
    { i: 5n, host: 'call', region: null },
  ]);
});

describe('queryPoints', () => {
  let client: InfluxDBClient3;
  beforeAll(async () => {
    client = connect('points');
    await client.write([
      new Point('cpu')
        .tag('host', 'a')
        .floatField('usage', 0.25)
        .intField('count', 9_223_372_036_854_775_807n)
        .stringField('note', 'x')
        .booleanField('ok', true)
        .timestamp(T0 + 123_456_789n),
      new Point('cpu')
        .tag('host', 'b')
        .floatField('usage', 0.5)
        .intField('count', -1n)
        .timestamp(T0 + 1n),
    ]);
  });

  test('SQL: typed fields (int64 exact as bigint), time in exact nanoseconds, tags named by tagColumns', async () => {
    const points = [];
    for await (const p of client.queryPoints('SELECT * FROM cpu ORDER BY time DESC', {
      tagColumns: ['host'],
    })) {
      points.push(p);
    }
    expect(points).toHaveLength(2);
    const [a, b] = points as [(typeof points)[0], (typeof points)[0]];
    expect(a.getMeasurement()).toBeUndefined();
    expect(a.getTag('host')).toBe('a');
    expect(a.getIntegerField('count')).toBe(9_223_372_036_854_775_807n);
    expect(a.getFloatField('usage')).toBe(0.25);
    expect(a.getStringField('note')).toBe('x');
    expect(a.getBooleanField('ok')).toBe(true);
    expect(a.getTimestamp()).toBe(T0 + 123_456_789n);
    expect(() => a.getFloatField('count')).toThrow(ProgrammingError);
    expect(b.getFieldNames()).toEqual(['usage', 'count']);
    expect(b.asPoint('cpu').toLineProtocol()).toBe(`cpu,host=b usage=0.5,count=-1i ${T0 + 1n}`);
  });

  test('without tagColumns the embedded server’s tags (plain strings, no iox metadata) are string fields', async () => {
    const [first] = await collect(client.queryPoints('SELECT host FROM cpu ORDER BY time LIMIT 1'));
    expect([first!.getTagNames(), first!.getFieldType('host'), first!.getStringField('host')]).toEqual([
      [],
      'string',
      'b',
    ]);
  });

  test('InfluxQL (`type`, as the official client names it): the measurement comes with each point', async () => {
    const points = await collect(
      client.queryPoints(`SELECT usage FROM cpu WHERE host = 'b'`, { type: 'influxql' }),
    );
    expect(points.map((p) => [p.getMeasurement(), p.getFloatField('usage'), p.getTimestamp()])).toEqual([
      ['cpu', 0.5, T0 + 1n],
    ]);
  });

  test('errors come with the first iteration; a loop may stop after its first point', async () => {
    const iterator = client.queryPoints('SELECT * FROM nowhere');
    // The query goes out, and its error comes back, when iteration starts.
    await expect(iterator.next()).rejects.toThrow(/nowhere/);
    for await (const p of client.queryPoints('SELECT * FROM range(1000000) t(n)')) {
      expect(p.getIntegerField('n')).toBe(0n);
      break;
    }
    // The client is still usable: the stopped stream was cancelled, not left half-read.
    expect(await rows(client, 'SELECT count(*) AS n FROM cpu')).toEqual([{ n: 2n }]);
  });
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('logger', () => {
  /** A write endpoint answering each request with the next status (204 once the list is used up). */
  async function statusServer(statuses: number[]) {
    const port = await local.listen(
      http.createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          const status = statuses.shift() ?? 204;
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(status === 204 ? undefined : `{"error":"status ${status}"}`);
        });
      }),
    );
    return `http://127.0.0.1:${port}`;
  }

  function recorder(): Logger & { lines: string[] } {
    const lines: string[] = [];
    return {
      lines,
      error: (message, err) => lines.push(`error: ${message}${err ? ` | ${String(err)}` : ''}`),
      warn: (message, err) => lines.push(`warn: ${message}${err ? ` | ${String(err)}` : ''}`),
    };
  }

  test('retries are warnings; a batch lost without an error callback and a throwing callback are errors', async () => {
    const logger = recorder();
    const warnings = jest.spyOn(process, 'emitWarning');
    try {
      const host = await statusServer([503, 204, 400]);
      const client = track(
        new InfluxDBClient3({
          host,
          database: 'd',
          logger,
          writeOptions: {
            batchSize: 1,
            retryInterval: 1,
            success: () => {
              throw new Error('callback bug');
            },
          },
        }),
      );
      await client.write('m v=1 1'); // 503, then 204: one retry, then the success callback throws
      await client.flush();
      await client.write('m v=2 2'); // 400: not retried, lost
      await client.flush();
      expect(logger.lines).toEqual([
        'warn: write of 1 lines failed (attempt 1), retrying in 1 ms | InfluxDBServerError: write of 1 lines to "d": 503 Service Unavailable: status 503',
        'error: a write callback threw | Error: callback bug',
        'error: a batch of 1 lines was not written | InfluxDBClientError: write of 1 lines to "d": 400 Bad Request: status 400',
      ]);
      expect(warnings).not.toHaveBeenCalled();
    } finally {
      warnings.mockRestore();
    }
  });

  test('the default logger makes process warnings; silentLogger says nothing', async () => {
    const warnings = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      for (const logger of [undefined, silentLogger]) {
        const host = await statusServer([400]);
        const client = track(
          new InfluxDBClient3({ host, database: 'd', logger, writeOptions: { batchSize: 1 } }),
        );
        await client.write('m v=1 1');
        await client.flush();
      }
      expect(warnings.mock.calls).toEqual([
        [
          'flightsql: a batch of 1 lines was not written: write of 1 lines to "d": 400 Bad Request: status 400',
          'FlightSQLWarning',
        ],
      ]);
    } finally {
      warnings.mockRestore();
    }
  });
});

test('Flight queries follow grpc-js’s proxy variables (grpc_proxy: a CONNECT tunnel)', async () => {
  const proxy = await recordingProxy(local);
  const client = connect('tunnelled');
  await client.write('m v=1 1');
  // grpc-js reads the variables when the channel is made, on the first query.
  const pending = withEnv({ grpc_proxy: `http://127.0.0.1:${proxy.port}` }, () =>
    client.query('SELECT v FROM m'),
  );
  expect((await pending).toArray().map((r) => r.toJSON())).toEqual([{ v: 1 }]);
  const flight = new URL(server.location.replace(/^grpc\+tcp:/, 'http:'));
  expect(proxy.log.tunnels).toEqual([`${flight.hostname}:${flight.port}`]);
});
