import { status as Status } from '@grpc/grpc-js';
import {
  CloseSessionResult,
  CloseSessionResult_Status,
  GetSessionOptionsResult,
  SetSessionOptionsRequest,
  SetSessionOptionsResult,
  SetSessionOptionsResult_ErrorValue,
  type SessionOptionValue,
} from '../../../src/proto/Flight';
import { cookieValue, SESSION_COOKIE, SessionStore } from '../../../src/server/sessions';

const EMPTY = new Uint8Array(0);

function set(store: SessionStore, options: Record<string, SessionOptionValue>, cookie?: string) {
  const handled = store.handle(
    'SetSessionOptions',
    SetSessionOptionsRequest.encode({ sessionOptions: options }).finish(),
    cookie,
  )!;
  return { errors: SetSessionOptionsResult.decode(handled.result).errors, setCookie: handled.setCookie };
}

describe('SessionStore', () => {
  test('ignores other actions', () => {
    expect(new SessionStore().handle('CancelFlightInfo', EMPTY, undefined)).toBeUndefined();
  });

  test('creates a session on first set, with a cookie, and reuses it', () => {
    const store = new SessionStore();
    const first = set(store, { schema: { optionValue: { $case: 'stringValue', value: 'main' } } });
    expect(first.errors).toEqual({});
    expect(first.setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[0-9a-f-]{36}; Path=/; HttpOnly$`));
    const cookie = `other=1; ${first.setCookie!.split(';')[0]}`;
    expect(
      set(store, { n: { optionValue: { $case: 'int64Value', value: 7n } } }, cookie).setCookie,
    ).toBeUndefined();
    expect(store.optionsFor(cookie)).toEqual(
      new Map<string, unknown>([
        ['schema', 'main'],
        ['n', 7n],
      ]),
    );
    const got = GetSessionOptionsResult.decode(store.handle('GetSessionOptions', EMPTY, cookie)!.result);
    expect(got.sessionOptions.n).toEqual({ optionValue: { $case: 'int64Value', value: 7n } });
    expect(store.optionsFor(undefined)).toBeUndefined();
  });

  test('validates names and catalog/schema types; unset removes', () => {
    const store = new SessionStore();
    const { errors, setCookie } = set(store, {
      'a b': { optionValue: { $case: 'boolValue', value: true } },
      catalog: { optionValue: { $case: 'doubleValue', value: 1 } },
      x: { optionValue: { $case: 'stringListValue', value: { values: ['p'] } } },
    });
    expect(errors).toEqual({
      'a b': { value: SetSessionOptionsResult_ErrorValue.INVALID_NAME },
      catalog: { value: SetSessionOptionsResult_ErrorValue.INVALID_VALUE },
    });
    const cookie = setCookie!.split(';')[0];
    expect(store.optionsFor(cookie)).toEqual(new Map([['x', ['p']]]));
    expect(set(store, { x: {} }, cookie).errors).toEqual({});
    expect(store.optionsFor(cookie)!.size).toBe(0);
  });

  test('get without a session is empty; close of an unknown session is NOT_FOUND', () => {
    const store = new SessionStore();
    const got = GetSessionOptionsResult.decode(store.handle('GetSessionOptions', EMPTY, undefined)!.result);
    expect(got.sessionOptions).toEqual({});
    expect(() => store.handle('CloseSession', EMPTY, `${SESSION_COOKIE}=nope`)).toThrow(
      expect.objectContaining({ code: Status.NOT_FOUND }),
    );
    const cookie = set(store, {}).setCookie!.split(';')[0];
    const closed = CloseSessionResult.decode(store.handle('CloseSession', EMPTY, cookie)!.result);
    expect(closed.status).toBe(CloseSessionResult_Status.CLOSED);
    expect(store.optionsFor(cookie)).toBeUndefined();
  });

  test('a garbled body is INVALID_ARGUMENT', () => {
    expect(() =>
      new SessionStore().handle('SetSessionOptions', new Uint8Array([0x0a, 0xff]), undefined),
    ).toThrow(expect.objectContaining({ code: Status.INVALID_ARGUMENT }));
  });

  test('drops the oldest session past the cap', () => {
    const store = new SessionStore({ maxSessions: 2 });
    const a = set(store, {}).setCookie!.split(';')[0];
    set(store, {});
    set(store, {});
    expect(store.size).toBe(2);
    expect(store.optionsFor(a)).toBeUndefined();
  });

  test('cookieValue parses a cookie header', () => {
    expect(cookieValue('a=1; b = 2 ;c=', 'b')).toBe('2');
    expect(cookieValue('a=1', 'b')).toBeUndefined();
    expect(cookieValue(undefined, 'a')).toBeUndefined();
  });
});
