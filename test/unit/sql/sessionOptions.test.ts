import { status as Status } from '@grpc/grpc-js';
import { DataError } from '../../../src/errors';
import type { FlightClient } from '../../../src/flight';
import { SESSION_COOKIE, SessionStore } from '../../../src/server/sessions';
import {
  closeSession,
  getSessionOptions,
  setSessionOptions,
  type SessionOptionValue,
} from '../../../src/sql/sessionOptions';
import { SetSessionOptionsRequest } from '../../../src/proto/Flight';

/** A FlightClient stand-in whose doAction runs the store, keeping the session cookie like the real jar. */
function fakeClient(
  store: SessionStore,
): FlightClient & { cookie: string | undefined; lastBody?: Uint8Array } {
  const fake = {
    cookie: undefined as string | undefined,
    lastBody: undefined as Uint8Array | undefined,
    async *doAction(type: string, body: Uint8Array = new Uint8Array(0)): AsyncGenerator<Uint8Array> {
      fake.lastBody = body;
      const handled = store.handle(type, body, fake.cookie);
      if (handled === undefined) throw new Error(`unexpected action ${type}`);
      if (handled.setCookie !== undefined) fake.cookie = handled.setCookie.split(';')[0];
      yield handled.result;
    },
  };
  return fake as unknown as FlightClient & { cookie: string | undefined; lastBody?: Uint8Array };
}

describe('session options client', () => {
  test('round-trips every value kind', async () => {
    const flight = fakeClient(new SessionStore());
    const options: Record<string, SessionOptionValue> = {
      s: 'text',
      b: true,
      i: 9_007_199_254_740_993n,
      d: 2.5,
      whole: 5,
      list: ['a', 'b', ' ', ''],
      empty: [],
    };
    const result = await setSessionOptions(flight, options);
    expect(result.errors.size).toBe(0);
    expect(flight.cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
    const got = await getSessionOptions(flight);
    expect(Object.fromEntries(got)).toEqual(options);
    expect(typeof got.get('whole')).toBe('number');
    expect(typeof got.get('i')).toBe('bigint');
  });

  test('an integer number is sent as a double, a bigint as an int64', async () => {
    const flight = fakeClient(new SessionStore());
    await setSessionOptions(flight, { n: 5, big: 5n });
    const sent = SetSessionOptionsRequest.decode(flight.lastBody!).sessionOptions;
    expect(sent.n!.optionValue).toEqual({ $case: 'doubleValue', value: 5 });
    expect(sent.big!.optionValue).toEqual({ $case: 'int64Value', value: 5n });
  });

  test('reports per-option errors and sets the rest', async () => {
    const flight = fakeClient(new SessionStore());
    const result = await setSessionOptions(flight, {
      'bad name': 'x',
      '': 'x',
      schema: 42n,
      catalog: 'memory',
      ok: false,
    });
    expect(Object.fromEntries(result.errors)).toEqual({
      'bad name': 'invalid-name',
      '': 'invalid-name',
      schema: 'invalid-value',
    });
    expect(Object.fromEntries(await getSessionOptions(flight))).toEqual({ catalog: 'memory', ok: false });
  });

  test('undefined unsets an option', async () => {
    const flight = fakeClient(new SessionStore());
    await setSessionOptions(flight, { a: 'x', b: 1 });
    expect((await setSessionOptions(flight, { a: undefined })).errors.size).toBe(0);
    expect(Object.fromEntries(await getSessionOptions(flight))).toEqual({ b: 1 });
  });

  test('close, then get is empty and a second close is NOT_FOUND', async () => {
    const store = new SessionStore();
    const flight = fakeClient(store);
    await setSessionOptions(flight, { schema: 'main' });
    expect(await closeSession(flight)).toBe('closed');
    expect(store.size).toBe(0);
    expect((await getSessionOptions(flight)).size).toBe(0);
    await expect(closeSession(flight)).rejects.toMatchObject({ code: Status.NOT_FOUND });
  });

  test('sessions are isolated', async () => {
    const store = new SessionStore();
    const one = fakeClient(store);
    const two = fakeClient(store);
    await setSessionOptions(one, { schema: 'a' });
    await setSessionOptions(two, { schema: 'b', only: 'two' });
    expect(one.cookie).not.toBe(two.cookie);
    expect(Object.fromEntries(await getSessionOptions(one))).toEqual({ schema: 'a' });
    expect(Object.fromEntries(await getSessionOptions(two))).toEqual({ schema: 'b', only: 'two' });
    await closeSession(one);
    expect(Object.fromEntries(await getSessionOptions(two))).toEqual({ schema: 'b', only: 'two' });
  });

  test('unsupported values throw DataError before any call', async () => {
    const flight = fakeClient(new SessionStore());
    const bad = [null, {}, [1, 2], 1n << 63n, () => 1];
    for (const value of bad) {
      await expect(
        setSessionOptions(flight, { x: value as unknown as SessionOptionValue }),
      ).rejects.toBeInstanceOf(DataError);
    }
    expect(flight.cookie).toBeUndefined();
  });
});
