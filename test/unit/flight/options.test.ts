import { parseLocation, resolveSqlClientConfig } from '../../../src/flight/options';
import { InterfaceError } from '../../../src';

describe('parseLocation', () => {
  test.each([
    ['grpc://localhost:8815', 'localhost:8815', false],
    ['grpc+tcp://127.0.0.1:1234', '127.0.0.1:1234', false],
    ['grpc+tls://example.com:443', 'example.com:443', true],
    ['grpc+tls://example.com', 'example.com:443', true],
    ['grpc://example.com:80', 'example.com:80', false],
    ['grpc+tls://example.com:80', 'example.com:80', true],
    ['grpc+tcp://example.com:443/', 'example.com:443', false],
    ['grpc://[::1]:9000', '[::1]:9000', false],
    ['localhost:8815', 'localhost:8815', false],
    ['[::1]:8815', '[::1]:8815', false],
  ])('%s', (location, address, tls) => {
    const endpoint = parseLocation(location);
    expect(endpoint.address).toBe(address);
    expect(endpoint.tls).toBe(tls);
  });

  test.each(['', 'ftp://x:1', 'grpc://nohostport', 'host:99999', 'a b:1'])('refuses %j', (location) => {
    expect(() => parseLocation(location)).toThrow(InterfaceError);
  });
});

describe('resolveSqlClientConfig (flightsql-dbapi host rules)', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test.each([
    [{ host: 'example.com' }, 'grpc+tls://example.com:443', true],
    [{ host: 'example.com', port: 8443 }, 'grpc+tls://example.com:8443', true],
    [{ host: 'example.com:8443' }, 'grpc+tls://example.com:8443', true],
    [{ host: 'localhost', port: 8815, insecure: true }, 'grpc+tcp://localhost:8815', false],
    [{ host: 'localhost:8815', tls: false }, 'grpc+tcp://localhost:8815', false],
    [{ host: 'grpc://127.0.0.1:9' }, 'grpc+tcp://127.0.0.1:9', false],
    [{ host: 'grpc+tls://db.example:31337' }, 'grpc+tls://db.example:31337', true],
  ])('%j', (options, location, tls) => {
    const config = resolveSqlClientConfig(options);
    expect(config.location).toBe(location);
    expect(config.tls !== false).toBe(tls);
  });

  test('environment defaults: INFLUX_HOST, INFLUX_TOKEN, INFLUX_DATABASE', () => {
    process.env['INFLUX_HOST'] = 'grpc://envhost:1';
    process.env['INFLUX_TOKEN'] = 'env-token';
    process.env['INFLUX_DATABASE'] = 'envdb';
    const config = resolveSqlClientConfig({});
    expect(config.location).toBe('grpc+tcp://envhost:1');
    expect(config.token).toBe('env-token');
    expect(config.headers).toEqual({ database: 'envdb' });
    expect(resolveSqlClientConfig({ metadata: { database: 'mine' } }).headers).toEqual({ database: 'mine' });
  });

  test('INFLUX_TOKEN does not override explicit username/password', () => {
    process.env['INFLUX_TOKEN'] = 'env-token';
    expect(resolveSqlClientConfig({ host: 'grpc://h:1', username: 'u' }).token).toBeUndefined();
    expect(resolveSqlClientConfig({ host: 'grpc://h:1' }).token).toBe('env-token');
  });

  test('disableServerVerification keeps TLS but skips verification', () => {
    const config = resolveSqlClientConfig({ host: 'example.com', disableServerVerification: true });
    expect(config.tls).toEqual({ disableCertificateVerification: true });
  });

  test('a grpc+tls host with tls: false is a contradiction', () => {
    expect(() => resolveSqlClientConfig({ host: 'grpc+tls://x:1', tls: false })).toThrow(InterfaceError);
  });
});
