/** The connection flags of query and shell: plaintext on the loopback, TLS elsewhere. */
import { UsageError } from '../../../src/cli/args';
import { DEFAULT_HOST, clientOptions, isLoopback } from '../../../src/cli/connection';

const saved = { ...process.env };
beforeEach(() => {
  for (const name of Object.keys(process.env))
    if (/^(FLIGHTSQL_|INFLUX_)/.test(name)) delete process.env[name];
});
afterAll(() => {
  process.env = saved;
});

test('without --host: plaintext 127.0.0.1:31337, where `flightsql serve --port 31337` listens', () => {
  expect(DEFAULT_HOST).toBe('grpc+tcp://127.0.0.1:31337');
  expect(clientOptions('query', {})).toMatchObject({ host: DEFAULT_HOST, tls: false });
  process.env['FLIGHTSQL_HOST'] = 'grpc+tls://db.example:8443';
  expect(clientOptions('query', {})).toMatchObject({ host: 'grpc+tls://db.example:8443', tls: true });
});

test.each([
  [{ host: 'localhost:5000' }, 'grpc+tcp://localhost:5000', false],
  [{ host: '127.0.0.2' }, 'grpc+tcp://127.0.0.2:31337', false],
  [{ host: '[::1]:9' }, 'grpc+tcp://[::1]:9', false],
  [{ host: 'localhost:5000', tls: true }, 'grpc+tls://localhost:5000', true],
  [{ host: 'db.example.com' }, 'grpc+tls://db.example.com:443', true],
  [{ host: 'db.example.com:8443' }, 'grpc+tls://db.example.com:8443', true],
  [{ host: 'db.example.com', plaintext: true }, 'grpc+tcp://db.example.com:31337', false],
  [{ host: 'grpc://10.0.0.1:7' }, 'grpc+tcp://10.0.0.1:7', false],
  [{ host: 'grpc+tls://db.example.com' }, 'grpc+tls://db.example.com:443', true],
  [{ host: 'flightsql://db.example.com:9?useEncryption=false' }, 'grpc+tcp://db.example.com:9', false],
])('%j -> %s', (values, host, tls) => {
  expect(clientOptions('query', values)).toMatchObject({ host, tls });
});

test('token, database, headers and timeout', () => {
  process.env['FLIGHTSQL_TOKEN'] = 'from-env';
  expect(clientOptions('shell', { database: 'db', header: ['X-Trace=a=b'], timeout: '1.5' })).toMatchObject({
    token: 'from-env',
    metadata: { database: 'db', 'x-trace': 'a=b' },
    timeoutMs: 1500,
  });
  expect(clientOptions('shell', { token: 'flag' }).token).toBe('flag');
});

test.each([
  [{ tls: true, plaintext: true }, 'flightsql query: --tls and --plaintext exclude each other'],
  [
    { host: 'grpc://h:1', tls: true },
    "flightsql query: --tls contradicts the plaintext location 'grpc://h:1'",
  ],
  [{ header: ['novalue'] }, "flightsql query: --header must be NAME=VALUE, got 'novalue'"],
  [{ password: 'p' }, 'flightsql query: --password needs --username'],
  [{ host: 'ftp://h:1' }, /^flightsql query: --host: unsupported location scheme 'ftp:'/],
])('%j is a UsageError', (values, message) => {
  expect(() => clientOptions('query', values)).toThrow(UsageError);
  expect(() => clientOptions('query', values)).toThrow(message);
});

test('isLoopback', () => {
  expect(
    ['localhost', 'LOCALHOST', 'a.localhost', '127.0.0.1', '127.8.9.10', '::1', '[::1]'].map(isLoopback),
  ).toEqual(Array(7).fill(true));
  expect(['example.com', '10.0.0.1', '128.0.0.1', '::2', 'localhost.example.com'].map(isLoopback)).toEqual(
    Array(5).fill(false),
  );
});
