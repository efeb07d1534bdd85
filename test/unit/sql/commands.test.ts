import { Any } from '../../../src/proto/google/protobuf/any';
import { packCommand, unpackAs, unpackCommand, TYPE_URL_PREFIX } from '../../../src/sql/commands';

describe('Flight SQL command table', () => {
  test('packs with the spec type URL and unpacks to a typed message', () => {
    const bytes = packCommand('CommandStatementQuery', { query: 'SELECT 1' });
    expect(Any.decode(bytes).typeUrl).toBe(
      'type.googleapis.com/arrow.flight.protocol.sql.CommandStatementQuery',
    );
    const command = unpackCommand(bytes);
    expect(command.kind).toBe('CommandStatementQuery');
    if (command.kind === 'CommandStatementQuery') expect(command.message.query).toBe('SELECT 1');
    expect(unpackAs(bytes, 'CommandStatementQuery')?.query).toBe('SELECT 1');
    expect(unpackAs(bytes, 'CommandGetTables')).toBeUndefined();
  });

  test('an unknown type URL is reported, not thrown', () => {
    const bytes = Any.encode({
      typeUrl: `${TYPE_URL_PREFIX}CommandFromTheFuture`,
      value: Buffer.alloc(0),
    }).finish();
    expect(unpackCommand(bytes)).toEqual({
      kind: 'unknown',
      typeUrl: `${TYPE_URL_PREFIX}CommandFromTheFuture`,
    });
  });
});
