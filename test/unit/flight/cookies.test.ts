import { CookieJar } from '../../../src/flight/cookies';

describe('CookieJar', () => {
  test('stores, sends back, replaces and expires cookies', () => {
    const jar = new CookieJar();
    expect(jar.header()).toBeUndefined();
    jar.store(['arrow_flight_session_id=abc; Path=/; HttpOnly', 'other=1']);
    expect(jar.header()).toBe('arrow_flight_session_id=abc; other=1');
    jar.store(['other=2']);
    expect(jar.header()).toBe('arrow_flight_session_id=abc; other=2');
    jar.store(['other=; Max-Age=0']);
    expect(jar.header()).toBe('arrow_flight_session_id=abc');
    jar.store(['arrow_flight_session_id=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT']);
    expect(jar.header()).toBeUndefined();
  });
});
