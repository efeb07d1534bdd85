import { InfluxDBClient, InterfaceError, parseDSN } from '../../../src/influx';
import { describeOptions, resolveOptions } from '../../../src/influx/options';

describe('parseDSN (influxdb-python from_dsn)', () => {
  test.each<[string, object]>([
    ['influxdb://localhost:8086/db', { host: 'localhost', port: 8086, database: 'db' }],
    [
      'influxdb://user:pass@host:1234/my_db',
      { host: 'host', port: 1234, username: 'user', password: 'pass', database: 'my_db' },
    ],
    [
      'https+influxdb://u:p@example.com/db',
      { host: 'example.com', username: 'u', password: 'p', database: 'db', ssl: true },
    ],
    [
      'udp+influxdb://u:p@h:8086/db',
      { host: 'h', port: 8086, username: 'u', password: 'p', database: 'db', useUdp: true },
    ],
    ['influxdb://h', { host: 'h' }],
    ['influxdb://h/', { host: 'h' }],
    ['influxdb://user@h', { host: 'h', username: 'user' }],
    ['INFLUXDB://h:1', { host: 'h', port: 1 }],
    ['influxdb://[::1]:8086/db', { host: '::1', port: 8086, database: 'db' }],
    [
      'influxdb://us%40er:p%3Aa%2Fss%20w@h/d%20b',
      { host: 'h', username: 'us@er', password: 'p:a/ss w', database: 'd b' },
    ],
    ['influxdb://u:p@ss@h/db', { host: 'h', username: 'u', password: 'p@ss', database: 'db' }],
  ])('%s', (dsn, expected) => {
    expect(parseDSN(dsn)).toEqual(expected);
  });

  test.each<[string, RegExp]>([
    ['http://h:8086', /unknown DSN scheme "http"/],
    ['tcp+influxdb://h', /unknown DSN modifier "tcp"/],
    ['a+b+influxdb://h', /unknown DSN scheme/],
    ['influxdb://h1:8086,h2:8086/db', /several hosts/],
    ['influxdb://h/db?ssl=true', /query strings/],
    ['h:8086', /invalid DSN/],
    ['influxdb://u:%zz@h', /percent-encoding/],
  ])('refuses %s', (dsn, message) => {
    expect(() => parseDSN(dsn)).toThrow(InterfaceError);
    expect(() => parseDSN(dsn)).toThrow(message);
  });

  test('fromDSN: overrides win, the UDP port comes from udpPort', () => {
    const c = InfluxDBClient.fromDSN('udp+influxdb://u:secretpw@h:8086/db', {
      udpPort: 159,
      database: 'other',
    });
    expect(String(c)).toBe('InfluxDBClient(http://u@h:8086, database: "other", udp: 159)');
  });
});

describe('resolveOptions', () => {
  test('influxdb-python defaults, except credentials (none) and certificate checks (on)', () => {
    expect(resolveOptions({})).toEqual({
      host: 'localhost',
      port: 8086,
      ssl: false,
      verifySsl: true,
      timeoutMs: undefined,
      retries: 3,
      useUdp: false,
      udpPort: 4444,
      proxies: {},
      path: '',
      headers: {},
      gzip: false,
      poolSize: 10,
      cert: undefined,
      database: undefined,
      username: undefined,
      password: undefined,
    });
  });

  test('timeout is in seconds (as influxdb-python), path gets its slash', () => {
    expect(resolveOptions({ timeout: 1.5, path: 'influx/' })).toMatchObject({
      timeoutMs: 1500,
      path: '/influx',
    });
  });

  test.each<[object, RegExp]>([
    [{ port: 0 }, /invalid port/],
    [{ port: 70000 }, /invalid port/],
    [{ udpPort: -1 }, /invalid udpPort/],
    [{ retries: -1 }, /invalid retries/],
    [{ retries: 1.5 }, /invalid retries/],
    [{ timeout: 0 }, /invalid timeout/],
    [{ poolSize: 0 }, /invalid poolSize/],
    [{ host: 'a b' }, /invalid host/],
    [{ cert: '/x.pem' }, /ssl is false/],
    [{ proxies: { ftp: 'http://p' } }, /unknown proxies key/],
    [{ proxies: { http: 'p:3128' } }, /invalid http proxy/],
  ])('refuses %o', (options, message) => {
    expect(() => resolveOptions(options)).toThrow(message);
  });

  test('the description never holds the password', () => {
    const text = describeOptions(
      resolveOptions({ username: 'u', password: 'hunter2!', ssl: true, host: '::1', path: '/p' }),
    );
    expect(text).toBe('https://u@[::1]:8086/p');
  });
});
