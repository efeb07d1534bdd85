/**
 * Issue: "Connected with grpc+tls:// and a token, a FlightInfo endpoint location
 * grpc://localhost:Q made the client open a plaintext connection there and send
 * `authorization: Bearer <token>`". Credentials now go only to the origin and to verified TLS
 * locations, unless the user trusts a location; the same rule holds in FlightSQLClient,
 * readFlightInfo, connect() with its cursor, and the Knex dialect.
 */
import { status } from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { FlightSQLClient, InterfaceError } from '../../../src';
import { makeCertificates, type TestCertificates } from '../certs';
import {
  batchOf,
  commandOf,
  flightDataMessages,
  flightInfoMessage,
  startHostileServer,
  type HostileCall,
  type HostileServer,
} from './hostileServer';
import { runProbe, type ProbeRun } from './probe';

const TOKEN = 'hostile-test-token-8c1f';
const CREDENTIALS = { token: TOKEN, metadata: { database: 'db1' } };

let certs: TestCertificates;
/** The origin the user configures (TLS), and a plaintext one for the plaintext-origin cases. */
let tlsOrigin: HostileServer;
let plainOrigin: HostileServer;
/** Where the FlightInfos point: a plaintext listener and a TLS one (127.0.0.1, not localhost). */
let plainElsewhere: HostileServer;
let tlsElsewhere: HostileServer;
/** The locations the origins put in their next FlightInfo. */
let locations: string[] = [];

/** Answers like a Flight SQL server whose results live at `locations`. */
async function flightSqlScript(call: HostileCall): Promise<void> {
  const [request] = await call.request();
  if (call.method === 'GetFlightInfo') {
    // No SqlInfo (connect() and Knex carry on without it); every statement points elsewhere.
    if (commandOf(request).includes('CommandGetSqlInfo'))
      return call.fail(status.UNIMPLEMENTED, 'no SqlInfo here');
    await call.send(flightInfoMessage('t', locations));
    return call.end();
  }
  if (call.method === 'DoGet') {
    for (const message of flightDataMessages([batchOf(1, 1)])) await call.send(message);
    return call.end();
  }
  call.fail(status.UNIMPLEMENTED, `${call.method} is not scripted`);
}

beforeAll(async () => {
  certs = makeCertificates();
  const tls = { key: certs.key, cert: certs.cert };
  [tlsOrigin, plainOrigin, plainElsewhere, tlsElsewhere] = await Promise.all([
    startHostileServer(flightSqlScript, { tls }),
    startHostileServer(flightSqlScript),
    startHostileServer(flightSqlScript),
    startHostileServer(flightSqlScript, { tls }),
  ]);
});

afterAll(async () => {
  await Promise.all([tlsOrigin, plainOrigin, plainElsewhere, tlsElsewhere].map((s) => s?.close()));
  certs?.remove();
});

/** What the listeners saw: cleared before each test. */
function resetRecords(): void {
  for (const server of [tlsOrigin, plainOrigin, plainElsewhere, tlsElsewhere]) server.reset();
}

beforeEach(resetRecords);

/** The TLS-origin query through `via`, with `options`, in a probe process. */
function query(via: string, options: Record<string, unknown>, origin = tlsOrigin): Promise<ProbeRun> {
  const tls = origin === tlsOrigin && options['disableServerVerification'] !== true;
  return runProbe('credentials', {
    via,
    origin: origin.location,
    options,
    caFile: tls ? certs.caFile : undefined,
  });
}

/** The probe survived, answered in time and within memory; returns its one outcome. */
function survived(run: ProbeRun) {
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const result = run.outcomes[0]!;
  expect(result.elapsedMs).toBeLessThan(10_000);
  expect(result.rssGrowthMb).toBeLessThan(100);
  return result;
}

function expectRefused(run: ProbeRun, location: string, why: RegExp): void {
  const result = survived(run);
  expect(result).toMatchObject({ ok: false, errorName: 'InterfaceError' });
  expect(result.message).toContain(location);
  expect(result.message).toContain('trustedLocations');
  expect(result.message).toMatch(why);
  expect(result.message).not.toContain(TOKEN);
}

describe.each(['client', 'connect', 'knex'])('through %s', (via) => {
  test('TLS origin with a token: a plaintext location elsewhere is refused, and the listener gets nothing', async () => {
    locations = [plainElsewhere.location];
    const run = await query(via, CREDENTIALS);
    expectRefused(
      run,
      `grpc+tcp://127.0.0.1:${plainElsewhere.port}`,
      /plaintext, and the origin .* uses TLS/,
    );
    // Not a call, not even a connection: nothing could have carried the token.
    expect(plainElsewhere.connections()).toBe(0);
    expect(plainElsewhere.calls).toEqual([]);
    // The origin itself got the credentials, over TLS.
    expect(tlsOrigin.calls.find((c) => c.method === 'GetFlightInfo')?.headers['authorization']).toBe(
      `Bearer ${TOKEN}`,
    );
  });
});

test('the origin host and port in plaintext is a downgrade: refused', async () => {
  locations = [`grpc://localhost:${tlsOrigin.port}`];
  expectRefused(await query('client', CREDENTIALS), `grpc+tcp://localhost:${tlsOrigin.port}`, /downgrade/);
  expect(tlsOrigin.calls.map((c) => c.method)).toEqual(['GetFlightInfo']);
});

test('user headers alone (database) count as credentials', async () => {
  locations = [plainElsewhere.location];
  expectRefused(
    await query('client', { metadata: { database: 'db1' } }),
    plainElsewhere.location.slice(7),
    /plaintext/,
  );
  expect(plainElsewhere.calls).toEqual([]);
});

test('a plaintext origin with a token: another plaintext location is refused, its own URI is home', async () => {
  locations = [plainElsewhere.location];
  expectRefused(
    await query('client', CREDENTIALS, plainOrigin),
    `grpc+tcp://127.0.0.1:${plainElsewhere.port}`,
    /plaintext and not the origin/,
  );
  expect(plainElsewhere.connections()).toBe(0);
  locations = [`grpc+tcp://127.0.0.1:${plainOrigin.port}`];
  expect(survived(await query('client', CREDENTIALS, plainOrigin))).toMatchObject({ ok: true, value: 1 });
  expect(plainOrigin.calls.map((c) => c.method)).toEqual(['GetFlightInfo', 'GetFlightInfo', 'DoGet']);
});

test('a verified TLS location on another host gets the credentials', async () => {
  locations = [`grpc+tls://127.0.0.1:${tlsElsewhere.port}`];
  expect(survived(await query('client', CREDENTIALS))).toMatchObject({ ok: true, value: 1 });
  const doGet = tlsElsewhere.calls.find((c) => c.method === 'DoGet');
  expect(doGet?.headers['authorization']).toBe(`Bearer ${TOKEN}`);
});

test('without certificate verification, a TLS location elsewhere is refused', async () => {
  locations = [`grpc+tls://127.0.0.1:${tlsElsewhere.port}`];
  const run = await query('client', { ...CREDENTIALS, disableServerVerification: true });
  expectRefused(run, `grpc+tls://127.0.0.1:${tlsElsewhere.port}`, /not be verified/);
  expect(tlsElsewhere.connections()).toBe(0);
});

test('a refused location gives way to the next one that the rule allows', async () => {
  locations = [plainElsewhere.location, `grpc+tls://127.0.0.1:${tlsElsewhere.port}`];
  expect(survived(await query('connect', CREDENTIALS))).toMatchObject({ ok: true, value: 1 });
  expect(plainElsewhere.calls).toEqual([]);
  expect(tlsElsewhere.calls.map((c) => c.method)).toEqual(['DoGet']);
});

test('a client without credentials follows any location', async () => {
  locations = [plainElsewhere.location];
  expect(survived(await query('client', {}))).toMatchObject({ ok: true, value: 1 });
  expect(plainElsewhere.calls.map((c) => c.method)).toEqual(['DoGet']);
  expect(plainElsewhere.calls[0]!.headers['authorization']).toBeUndefined();
});

describe('trustedLocations widens the rule', () => {
  test.each([
    ['client', ['127.0.0.1']],
    ['connect', [`127.0.0.1:${0}`]],
    ['knex', true],
  ])('through %s, trusting %j', async (via, trusted) => {
    locations = [plainElsewhere.location];
    const list = Array.isArray(trusted)
      ? trusted.map((h) => h.replace(':0', `:${plainElsewhere.port}`))
      : trusted;
    expect(survived(await query(via, { ...CREDENTIALS, trustedLocations: list }))).toMatchObject({
      ok: true,
    });
    // The positive control: the listener records what it is sent.
    const doGet = plainElsewhere.calls.find((c) => c.method === 'DoGet');
    expect(doGet?.headers['authorization']).toBe(`Bearer ${TOKEN}`);
    expect(doGet?.headers['database']).toBe('db1');
  });

  test('a host that is not listed is still refused; another port of a listed host:port too', async () => {
    locations = [plainElsewhere.location];
    const run = await query('client', { ...CREDENTIALS, trustedLocations: ['example.com', '127.0.0.1:1'] });
    expectRefused(run, plainElsewhere.location.slice(7), /plaintext/);
  });

  test('in a flightsql:// URL', async () => {
    locations = [plainElsewhere.location];
    const url =
      `flightsql://localhost:${tlsOrigin.port}/?token=${TOKEN}&database=db1` +
      `&tlsRootCerts=${encodeURIComponent(certs.caFile)}&trustedLocations=127.0.0.1`;
    expect(survived(await runProbe('credentials', { via: 'url', url }))).toMatchObject({
      ok: true,
      value: 1,
    });
    expect(plainElsewhere.calls.find((c) => c.method === 'DoGet')?.headers['authorization']).toBe(
      `Bearer ${TOKEN}`,
    );
    // A setting, not a header.
    expect(tlsOrigin.calls[0]!.headers['trustedlocations']).toBeUndefined();
  });

  test('as a function of the location', async () => {
    locations = [plainElsewhere.location];
    const seen: string[][] = [];
    await using client = new FlightSQLClient({
      host: tlsOrigin.location,
      tls: { ca: readFileSync(certs.caFile) },
      ...CREDENTIALS,
      trustedLocations: (location, origin) => {
        seen.push([location, origin]);
        return false;
      },
    });
    const info = await client.execute('SELECT 1');
    const err = await client
      .readFlightInfo(info)
      .readAll()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterfaceError);
    expect(seen).toEqual([
      [`grpc+tcp://127.0.0.1:${plainElsewhere.port}`, `grpc+tls://localhost:${tlsOrigin.port}`],
    ]);
    // Per read, the option of readFlightInfo wins over the client's.
    const table = await client.readFlightInfo(info, { trustedLocations: () => true }).readAll();
    expect(table.numRows).toBe(1);
  });
});
