import { InterfaceError, NotSupportedError, ProgrammingError, RowConverter, SqlInfo } from '../../../src';
import { queryTable, useServer } from '../fixture';

describe('transactions (BeginTransaction / EndTransaction)', () => {
  const fx = useServer();
  const count = async (client = fx.client, options = {}) => {
    const info = await client.execute('SELECT count(*) AS n FROM ledger', options);
    const table = await (await client.doGet(info.endpoints[0]!.ticket)).readAll();
    return (new RowConverter(table.schema).rows(table.batches[0]!) as unknown[][])[0]![0];
  };

  beforeAll(async () => {
    await fx.client.executeUpdate('CREATE TABLE ledger(id INTEGER, amount DECIMAL(10,2))');
  });

  test('SqlInfo says transactions are supported, without savepoints', async () => {
    const info = await fx.client.getSqlInfo([
      SqlInfo.FLIGHT_SQL_SERVER_TRANSACTION,
      SqlInfo.SQL_TRANSACTIONS_SUPPORTED,
    ]);
    expect(info.get(SqlInfo.FLIGHT_SQL_SERVER_TRANSACTION)).toBe(1);
    expect(info.get(SqlInfo.SQL_TRANSACTIONS_SUPPORTED)).toBe(true);
  });

  test('uncommitted writes are invisible to another session, visible after commit', async () => {
    const txn = await fx.client.beginTransaction();
    expect(await txn.executeUpdate('INSERT INTO ledger VALUES (1, 10.00), (2, 20.00)')).toBe(2);
    expect(await count(fx.client, { transaction: txn })).toBe(2n);
    expect(await count()).toBe(0n);
    await txn.commit();
    expect(await count()).toBe(2n);
    await expect(txn.executeUpdate('DELETE FROM ledger')).rejects.toBeInstanceOf(InterfaceError);
  });

  test('rollback undoes updates, prepared statements and ingest made in the transaction', async () => {
    const txn = await fx.client.beginTransaction();
    await txn.executeUpdate('DELETE FROM ledger');
    const insert = await txn.prepare('INSERT INTO ledger VALUES (?, ?)');
    expect(await insert.executeUpdate([[3, '30.00']])).toBe(1);
    await insert.close();
    expect(await count(fx.client, { transaction: txn })).toBe(1n);
    await txn.rollback();
    expect(await count()).toBe(2n);
    const table = await queryTable(fx.client, 'SELECT sum(amount) AS s FROM ledger');
    expect((new RowConverter(table.schema).rows(table.batches[0]!) as unknown[][])[0]![0]).toBe('30.00');
  });

  test('await using rolls back a forgotten transaction', async () => {
    {
      await using txn = await fx.client.beginTransaction();
      await txn.executeUpdate('INSERT INTO ledger VALUES (9, 1.00)');
    }
    expect(await count()).toBe(2n);
  });

  test('an unknown transaction id is refused: statements and commit', async () => {
    const bogus = new Uint8Array([1, 2, 3, 4]);
    await expect(fx.client.execute('SELECT 1', { transactionId: bogus })).rejects.toBeInstanceOf(
      ProgrammingError,
    );
    await expect(fx.client.executeUpdate('DELETE FROM ledger', { transactionId: bogus })).rejects.toThrow(
      /unknown transaction/,
    );
    const txn = await fx.client.beginTransaction();
    await txn.commit();
    const stale = new (txn.constructor as new (c: unknown, id: Uint8Array) => typeof txn)(fx.client, txn.id);
    await expect(stale.commit()).rejects.toThrow(/unknown transaction/);
  });

  test('savepoints are refused with NotSupportedError (DuckDB has none)', async () => {
    const txn = await fx.client.beginTransaction();
    await expect(txn.beginSavepoint('s1')).rejects.toBeInstanceOf(NotSupportedError);
    await txn.rollback();
  });
});
