import { InterfaceError, parseConnectionUrl } from '../../../src';
import { resolveConnectOptions } from '../../../src/dbapi';

describe('flightsql:// URLs (the JDBC driver form)', () => {
  test('user info, TLS by default, database and unknown parameters as headers', () => {
    const o = parseConnectionUrl(
      'flightsql://al%40ice:p%40ss@db.example.com:32010/?database=metrics&x-trace=1',
    );
    expect(o).toEqual({
      host: 'grpc+tls://db.example.com:32010',
      username: 'al@ice',
      password: 'p@ss',
      token: undefined,
      tls: true,
      metadata: { database: 'metrics', 'x-trace': '1' },
    });
  });

  test('useEncryption=false, token, parameter names in any case; default TLS port 443', () => {
    expect(parseConnectionUrl('flightsql://127.0.0.1:8080?useEncryption=false&TOKEN=abcd1234')).toMatchObject(
      {
        host: 'grpc+tcp://127.0.0.1:8080',
        tls: false,
        token: 'abcd1234',
      },
    );
    expect(parseConnectionUrl('flightsql://example.com').host).toBe('grpc+tls://example.com:443');
    expect(parseConnectionUrl('flightsql://[::1]:9?useEncryption=false').host).toBe('grpc+tcp://[::1]:9');
  });

  test('disableCertificateVerification and user/password parameters', () => {
    const o = parseConnectionUrl(
      'flightsql://h:1?disableCertificateVerification=true&user=bob&password=pw12',
    );
    expect(o.tls).toEqual({
      ca: undefined,
      cert: undefined,
      key: undefined,
      disableCertificateVerification: true,
    });
    expect(o.username).toBe('bob');
    expect(o.password).toBe('pw12');
  });

  test('errors are InterfaceErrors that never show the password or token', () => {
    expect(() => parseConnectionUrl('http://h:1')).toThrow(InterfaceError);
    expect(() => parseConnectionUrl('flightsql://h?useEncryption=false')).toThrow(/no port/);
    expect(() => parseConnectionUrl('flightsql://h:1?useEncryption=maybe')).toThrow(/true or false/);
    let message = '';
    try {
      parseConnectionUrl('flightsql://bob:hunter2secret@h:99999?token=tok-zzz-123');
    } catch (err) {
      message = String(err);
    }
    expect(message).toMatch(/invalid connection URL/);
    expect(message).not.toContain('hunter2secret');
    expect(message).not.toContain('tok-zzz-123');
  });
});

describe('resolveConnectOptions', () => {
  test('explicit options win over the URL; headers merge; database becomes the database header', () => {
    const o = resolveConnectOptions('flightsql://h:1?useEncryption=false&database=a&x=1', {
      database: 'b',
      metadata: { y: '2' },
      token: 'abcd',
    });
    expect(o).toMatchObject({
      host: 'grpc+tcp://h:1',
      token: 'abcd',
      metadata: { database: 'b', x: '1', y: '2' },
    });
  });

  test('a location or host:port string is the host', () => {
    expect(resolveConnectOptions('grpc://127.0.0.1:5').host).toBe('grpc://127.0.0.1:5');
    expect(resolveConnectOptions({ host: 'h:1', database: 'd' })).toMatchObject({
      metadata: { database: 'd' },
    });
  });
});
