import { SqlInfo } from '../../../src';
import { useServer } from '../fixture';

/** Session options over the session cookie, between FlightSQLClient and the embedded server. */
describe('session options', () => {
  const fx = useServer();

  test('set, get, refuse, remove and close, over the session cookie', async () => {
    const client = fx.connect();
    const result = await client.setSessionOptions({
      schema: 'main',
      'batch size': 3,
      limit: 1000n,
      ratio: 0.5,
      tags: ['a', 'b'],
      verbose: true,
    });
    expect([...result.errors]).toEqual([['batch size', 'invalid-name']]);
    const options = await client.getSessionOptions();
    expect(Object.fromEntries(options)).toEqual({
      schema: 'main',
      limit: 1000n,
      ratio: 0.5,
      tags: ['a', 'b'],
      verbose: true,
    });
    const wrong = await client.setSessionOptions({ schema: 42 });
    expect(wrong.errors.get('schema')).toBe('invalid-value');
    await client.setSessionOptions({ verbose: undefined });
    expect((await client.getSessionOptions()).has('verbose')).toBe(false);

    // Another client has its own session.
    expect((await fx.connect().getSessionOptions()).size).toBe(0);

    expect(await client.closeSession()).toBe('closed');
    expect((await client.getSessionOptions()).size).toBe(0);
  });

  test('ListActions names the session actions', async () => {
    const types = (await fx.client.flight.listActions()).map((a) => a.type);
    expect(types).toEqual(expect.arrayContaining(['SetSessionOptions', 'GetSessionOptions', 'CloseSession']));
    expect(
      (await fx.client.getSqlInfo([SqlInfo.FLIGHT_SQL_SERVER_CANCEL])).get(SqlInfo.FLIGHT_SQL_SERVER_CANCEL),
    ).toBe(true);
  });
});
