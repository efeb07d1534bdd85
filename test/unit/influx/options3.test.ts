/**
 * InfluxDB 3 settings as @influxdata/influxdb3-client reads them (connection strings and
 * INFLUX_* variables), how options and the environment combine, and the proxy taken from
 * `proxies` or from HTTP_PROXY / HTTPS_PROXY / NO_PROXY as undici reads them.
 */
import { inspect } from 'node:util';
import {
  fromConnectionString as officialFromConnectionString,
  fromEnv as officialFromEnv,
} from '@influxdata/influxdb3-client';
import { InterfaceError, optionsFromEnv, parseConnectionString } from '../../../src/influx';
import { resolveOptions, resolveProxy, withEnvDefaults } from '../../../src/influx/options';

describe('parseConnectionString', () => {
  test.each<[string, object]>([
    [
      'https://us-east-1-1.aws.cloud2.influxdata.com/?token=my-token&database=my-db',
      { host: 'https://us-east-1-1.aws.cloud2.influxdata.com', token: 'my-token', database: 'my-db' },
    ],
    ['http://localhost:8181', { host: 'http://localhost:8181' }],
    ['localhost:8181?database=db', { host: 'https://localhost:8181', database: 'db' }],
    [
      'http://h:1/influx/?authScheme=Token&timeout=1500',
      { host: 'http://h:1/influx', authScheme: 'Token', timeoutMs: 1500 },
    ],
    [
      'http://h?org=o&precision=second&gzipThreshold=0&writeNoSync=yes',
      { host: 'http://h', org: 'o', writeOptions: { precision: 's', gzipThreshold: 0, noSync: true } },
    ],
    [
      'http://h?precision=MS&writeNoSync=0',
      { host: 'http://h', writeOptions: { precision: 'ms', noSync: false } },
    ],
    ['http://h?token=a%2Fb%26c', { host: 'http://h', token: 'a/b&c' }],
  ])('%s', (text, expected) => {
    expect(parseConnectionString(text)).toEqual(expected);
  });

  test('reads what the official client reads, the same way', () => {
    const text =
      'https://h:8181/?token=t0k&authScheme=Bearer&database=db&timeout=2000&precision=us&gzipThreshold=10&writeNoSync=true';
    const official = officialFromConnectionString(text);
    const ours = parseConnectionString(text);
    expect(ours).toEqual({
      host: 'https://h:8181',
      token: official.token,
      authScheme: official.authScheme,
      database: official.database,
      timeoutMs: official.timeout,
      writeOptions: {
        precision: official.writeOptions!.precision,
        gzipThreshold: official.writeOptions!.gzipThreshold,
        noSync: official.writeOptions!.noSync,
      },
    });
  });

  test.each<[string, RegExp]>([
    ['', /empty/],
    ['http://h?tokn=x', /unknown connection string parameter "tokn": use token, authScheme/],
    ['http://h?timeout=soon', /timeout must be an integer >= 1, not "soon"/],
    ['http://h?timeout=0', /timeout must be an integer >= 1/],
    ['http://h?precision=minute', /precision must be ns, us, ms or s, not "minute"/],
    ['http://h?writeNoSync=maybe', /writeNoSync must be true or false/],
    ['http://[bad?token=secret-token-1', /invalid connection string/],
  ])('refuses %j', (text, message) => {
    expect(() => parseConnectionString(text)).toThrow(InterfaceError);
    expect(() => parseConnectionString(text)).toThrow(message);
  });

  test('a token in a refused string is not in the error', () => {
    const error = (() => {
      try {
        parseConnectionString('http://[bad?token=never-shown-token');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(inspect(error)).not.toContain('never-shown-token');
  });
});

describe('optionsFromEnv', () => {
  const env = {
    INFLUX_HOST: ' https://h:8181 ',
    INFLUX_TOKEN: 'tok-env-secret',
    INFLUX_AUTH_SCHEME: 'Token',
    INFLUX_DATABASE: 'db',
    INFLUX_ORG: 'org',
    INFLUX_TIMEOUT: '2500',
    INFLUX_PRECISION: 'millisecond',
    INFLUX_GZIP_THRESHOLD: '64',
    INFLUX_WRITE_NO_SYNC: 'TRUE',
    INFLUX_GRPC_OPTIONS: 'grpc.max_receive_message_length=1048576,grpc.primary_user_agent=me',
  };

  test('every variable, as the official client reads them (timeout in ms)', () => {
    const ours = optionsFromEnv(env);
    expect(ours).toEqual({
      host: 'https://h:8181',
      token: 'tok-env-secret',
      authScheme: 'Token',
      database: 'db',
      org: 'org',
      timeoutMs: 2500,
      writeOptions: { precision: 'ms', gzipThreshold: 64, noSync: true },
      flightOptions: {
        channelOptions: {
          'grpc.max_receive_message_length': 1048576,
          'grpc.primary_user_agent': 'me',
        },
      },
    });
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const official = officialFromEnv();
      expect([official.timeout, official.writeOptions, official.grpcOptions]).toEqual([
        ours.timeoutMs,
        ours.writeOptions,
        ours.flightOptions!.channelOptions,
      ]);
    } finally {
      for (const key of Object.keys(env)) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });

  test('unset and empty variables are left out; bad values are refused', () => {
    expect(optionsFromEnv({ INFLUX_HOST: 'h', INFLUX_TOKEN: '', INFLUX_DATABASE: '  ' })).toEqual({
      host: 'h',
    });
    expect(optionsFromEnv({})).toEqual({});
    expect(() => optionsFromEnv({ INFLUX_GZIP_THRESHOLD: '-1' })).toThrow(
      'INFLUX_GZIP_THRESHOLD must be an integer >= 0, not "-1"',
    );
    expect(() => optionsFromEnv({ INFLUX_GRPC_OPTIONS: 'a=1,b' })).toThrow(
      /INFLUX_GRPC_OPTIONS: expected name=value/,
    );
  });

  test('options win over the environment, write and Flight options one by one', () => {
    const merged = withEnvDefaults(
      {
        host: 'http://mine',
        timeoutMs: undefined,
        writeOptions: { precision: 's', batchSize: 10 },
        flightOptions: { host: 'grpc+tcp://mine:1' },
      },
      env,
    );
    expect(merged).toEqual({
      host: 'http://mine',
      token: 'tok-env-secret',
      authScheme: 'Token',
      database: 'db',
      org: 'org',
      timeoutMs: 2500,
      writeOptions: { precision: 's', gzipThreshold: 64, noSync: true, batchSize: 10 },
      flightOptions: {
        host: 'grpc+tcp://mine:1',
        channelOptions: expect.objectContaining({ 'grpc.primary_user_agent': 'me' }),
      },
    });
  });
});

describe('resolveProxy', () => {
  test.each<[string, NodeJS.ProcessEnv, 'http' | 'https', object | undefined]>([
    ['no variables: none', {}, 'http', undefined],
    ['HTTP_PROXY', { HTTP_PROXY: 'http://p:1' }, 'http', { uri: 'http://p:1', noProxy: '' }],
    [
      'http_proxy before HTTP_PROXY',
      { http_proxy: 'http://lower:1', HTTP_PROXY: 'http://upper:1' },
      'http',
      { uri: 'http://lower:1', noProxy: '' },
    ],
    [
      'an empty http_proxy turns HTTP_PROXY off (as undici)',
      { http_proxy: '', HTTP_PROXY: 'http://upper:1' },
      'http',
      undefined,
    ],
    [
      'https falls back to the http proxy (as undici)',
      { HTTP_PROXY: 'http://p:1' },
      'https',
      { uri: 'http://p:1', noProxy: '' },
    ],
    ['HTTPS_PROXY for https only', { HTTPS_PROXY: 'http://s:1' }, 'http', undefined],
    [
      'https_proxy, NO_PROXY',
      { https_proxy: 'http://s:1', NO_PROXY: 'a,.b' },
      'https',
      { uri: 'http://s:1', noProxy: 'a,.b' },
    ],
    [
      'no_proxy before NO_PROXY',
      { HTTP_PROXY: 'p:3128', no_proxy: 'x', NO_PROXY: 'y' },
      'http',
      { uri: 'http://p:3128', noProxy: 'x' },
    ],
  ])('%s', (_name, env, scheme, expected) => {
    expect(resolveProxy(undefined, scheme, env)).toEqual(expected);
  });

  test('an explicit `proxies` wins: the environment is not read at all', () => {
    const env = { HTTP_PROXY: 'http://env:1', NO_PROXY: 'h' };
    expect(resolveProxy({ http: 'http://mine:2' }, 'http', env)).toEqual({
      uri: 'http://mine:2',
      noProxy: '',
    });
    expect(resolveProxy({}, 'http', env)).toBeUndefined();
    expect(resolveProxy({ http: 'http://mine:2' }, 'https', env)).toBeUndefined();
    expect(resolveProxy({ https: 'http://s:3', noProxy: 'x' }, 'https', env)).toEqual({
      uri: 'http://s:3',
      noProxy: 'x',
    });
  });

  test('resolveOptions takes the proxy of its scheme, and refuses a bad one without showing its password', () => {
    expect(resolveOptions({ ssl: true }, { HTTPS_PROXY: 'http://s:1' }).proxy).toEqual({
      uri: 'http://s:1',
      noProxy: '',
    });
    expect(resolveOptions({}, { HTTPS_PROXY: 'http://s:1' }).proxy).toBeUndefined();
    expect(() => resolveOptions({ proxies: { noProxy: 1 as unknown as string } })).toThrow(
      'proxies.noProxy must be a string',
    );
    const error = (() => {
      try {
        resolveOptions({}, { HTTP_PROXY: 'ftp://u:hunter2-proxy@p:1' });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(InterfaceError);
    expect(error!.message).toBe('invalid http_proxy in the environment: expected http://host:port');
  });
});
