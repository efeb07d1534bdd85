/**
 * The forms of Knex's `connection` mapped onto connect() options, without a server: strings go
 * through Knex's own parser first (as they do in `knex(config)`), objects as written. Each form
 * keeps its scheme (plaintext or TLS), and connection options never become headers.
 */
import knex from 'knex';
import FlightSQLDialect from '../../../dialect';
import { connectionPlan, isLoopback, transportOf, type ConnectionPlan } from '../../../dialect/connection';
import { InterfaceError } from '../../../src';

/** What Knex hands the dialect for `connection` (a string is parsed by Knex's own parser). */
function settingsOf(connection: unknown): unknown {
  const db = knex({ client: FlightSQLDialect, connection } as never);
  const settings = db.client.connectionSettings;
  void db.destroy();
  return settings;
}

const plan = (connection: unknown): ConnectionPlan => connectionPlan(settingsOf(connection));

test.each([
  // [connection, host, tls]
  ['flightsql://db.example.com:31337?useEncryption=false', 'grpc+tcp://db.example.com:31337', false],
  ['flightsql://db.example.com:31337?useEncryption=true', 'grpc+tls://db.example.com:31337', true],
  ['flightsql://ann:pw@db.example.com:31337', 'grpc+tls://db.example.com:31337', true],
  ['flightsql://db.example.com', 'grpc+tls://db.example.com:443', true],
  ['grpc+tls://db.example.com', 'grpc+tls://db.example.com:443', true],
  ['127.0.0.1:31337', '127.0.0.1:31337', undefined],
])('the string %s', (connection, host, tls) => {
  const { options, schemeLost } = plan(connection);
  expect(options.host).toBe(host);
  expect(options.tls).toBe(tls);
  expect(schemeLost).toBeUndefined();
});

test.each(['grpc://127.0.0.1:31337', 'grpc+tcp://127.0.0.1:31337', 'grpc+tls://127.0.0.1:31337'])(
  'the string %s: Knex drops the scheme, so the address is asked which it speaks',
  (connection) => {
    const { options, schemeLost } = plan(connection);
    expect(options.host).toBe('grpc+tls://127.0.0.1:31337');
    expect(schemeLost).toEqual({
      host: '127.0.0.1',
      port: 31337,
      plaintext: expect.objectContaining({ host: 'grpc+tcp://127.0.0.1:31337', tls: false }),
    });
  },
);

test('URL settings are settings, other parameters headers (as parseConnectionUrl has it)', () => {
  const { options } = plan(
    'grpc://10.0.0.1:31337?trustedLocations=*&idleTimeoutMs=5000&keepaliveTimeMs=1000&database=home&token=t0k',
  );
  expect(options).toMatchObject({
    trustedLocations: true,
    idleTimeoutMs: 5000,
    keepaliveTimeMs: 1000,
    token: 't0k',
    metadata: { database: 'home' },
  });
  expect(Object.keys(options.metadata ?? {})).toEqual(['database']);
});

test.each([
  [{ url: 'grpc://127.0.0.1:31337' }, { host: 'grpc://127.0.0.1:31337' }],
  [{ url: 'grpc+tls://db.example.com:443' }, { host: 'grpc+tls://db.example.com:443' }],
  [
    { url: 'flightsql://db.example.com:1?useEncryption=false&database=a', token: 't', metadata: { b: '2' } },
    { host: 'grpc+tcp://db.example.com:1', tls: false, token: 't', metadata: { database: 'a', b: '2' } },
  ],
  [
    { host: '127.0.0.1', port: '31337', insecure: true },
    { host: '127.0.0.1', port: 31337, insecure: true },
  ],
  [
    { host: 'grpc+tcp://127.0.0.1', port: 31337, user: 'ann', password: 'pw' },
    { host: 'grpc+tcp://127.0.0.1', port: 31337, username: 'ann', password: 'pw' },
  ],
  [
    {
      host: 'db.example.com',
      trustedLocations: ['other.example.com'],
      idleTimeoutMs: 10,
      keepaliveTimeMs: -1,
    },
    {
      host: 'db.example.com',
      trustedLocations: ['other.example.com'],
      idleTimeoutMs: 10,
      keepaliveTimeMs: -1,
    },
  ],
])('the object %j is connect() options, nothing a header', (connection, expected) => {
  const { options, schemeLost } = plan(connection);
  expect(options).toEqual(expected);
  expect(schemeLost).toBeUndefined();
});

test('a function is called by Knex; what it returns is read as any other form', () => {
  expect(connectionPlan('grpc://127.0.0.1:31337').options).toEqual({ host: 'grpc://127.0.0.1:31337' });
  expect(connectionPlan('flightsql://h:1?useEncryption=false').options).toMatchObject({
    host: 'grpc+tcp://h:1',
    tls: false,
  });
});

test('a port that is no port, and a setting that is no connection, are InterfaceErrors', () => {
  expect(() => plan({ host: 'h', port: 'abc' })).toThrow(InterfaceError);
  expect(() => plan({ host: 'h', port: 70000 })).toThrow(/port number/);
  expect(() => connectionPlan(42)).toThrow(InterfaceError);
});

test('the password Knex hides (a non-enumerable property) is still passed on', () => {
  const settings = settingsOf({ host: 'grpc+tcp://h:1', user: 'ann', password: 'secret' });
  expect(Object.keys(settings as object)).not.toContain('password');
  expect(connectionPlan(settings).options.password).toBe('secret');
  expect(plan('flightsql://ann:s%40cret@h:1?useEncryption=false').options.password).toBe('s@cret');
});

describe('transportOf: a string whose scheme Knex dropped', () => {
  const lost = (host: string) => plan(`grpc://${host}:31337`);

  test('on this machine, the address is followed: TLS or plaintext', async () => {
    expect(isLoopback('127.0.0.1') && isLoopback('localhost') && isLoopback('[::1]')).toBe(true);
    expect(isLoopback('10.0.0.1') || isLoopback('db.example.com')).toBe(false);
    const tls = await transportOf(lost('127.0.0.1'), new Map(), async () => true);
    expect(tls).toMatchObject({ host: 'grpc+tls://127.0.0.1:31337', tls: true });
    const plain = await transportOf(lost('127.0.0.1'), new Map(), async () => false);
    expect(plain).toMatchObject({ host: 'grpc+tcp://127.0.0.1:31337', tls: false });
  });

  test('elsewhere, TLS is never given up on a guess: a plaintext server is an InterfaceError saying what to write', async () => {
    await expect(transportOf(lost('10.0.0.1'), new Map(), async () => false)).rejects.toThrow(
      /speaks plaintext.*connection: \{ host: 'grpc:\/\/10\.0\.0\.1:31337' \}/,
    );
    expect(await transportOf(lost('10.0.0.1'), new Map(), async () => true)).toMatchObject({ tls: true });
  });

  test('the answer is asked once per address; an unreachable one is asked again', async () => {
    const cache = new Map<string, Promise<boolean>>();
    const probe = jest.fn(async () => false);
    await transportOf(lost('127.0.0.1'), cache, probe);
    await transportOf(lost('127.0.0.1'), cache, probe);
    expect(probe).toHaveBeenCalledTimes(1);
    const unreachable = jest.fn(async () => undefined);
    expect(await transportOf(lost('localhost'), cache, unreachable)).toMatchObject({ tls: true });
    await transportOf(lost('localhost'), cache, unreachable);
    expect(unreachable).toHaveBeenCalledTimes(2);
  });
});
