import { InterfaceError, ProgrammingError, RowConverter } from '../../../src';
import { packCommand } from '../../../src/protocol';
import { queryTable, useServer } from '../fixture';

async function rowsOf(fx: ReturnType<typeof useServer>, info: Awaited<ReturnType<typeof fx.client.execute>>) {
  const table = await (await fx.client.doGet(info.endpoints[0]!.ticket)).readAll();
  return table.batches.flatMap((b) => new RowConverter(table.schema, { rowMode: 'object' }).rows(b));
}

describe('updates and prepared statements', () => {
  const fx = useServer();

  test('executeUpdate returns affected row counts (CommandStatementUpdate over DoPut)', async () => {
    expect(
      await fx.client.executeUpdate(
        'CREATE TABLE items(id INTEGER PRIMARY KEY, name VARCHAR, price DECIMAL(10,2), seen TIMESTAMP, ok BOOLEAN)',
      ),
    ).toBe(0);
    expect(
      await fx.client.executeUpdate(
        "INSERT INTO items VALUES (1, 'a', 1.50, NULL, true), (2, 'b', 2.25, NULL, false), (3, 'c', 3.00, NULL, NULL)",
      ),
    ).toBe(3);
    expect(await fx.client.executeUpdate('UPDATE items SET price = price + 1 WHERE id >= 2')).toBe(2);
    expect(await fx.client.executeUpdate('DELETE FROM items WHERE id = 3')).toBe(1);
    const table = await queryTable(fx.client, 'SELECT count(*) AS n FROM items');
    expect(table.getChild('n')!.get(0)).toBe(2n);
  });

  test('executeUpdate errors: bad SQL, unknown table, duplicate key', async () => {
    await expect(fx.client.executeUpdate('INSRT INTO items VALUES (1)')).rejects.toBeInstanceOf(
      ProgrammingError,
    );
    await expect(fx.client.executeUpdate('DELETE FROM nowhere')).rejects.toThrow(/nowhere/);
    await expect(
      fx.client.executeUpdate("INSERT INTO items VALUES (1, 'dup', 0, NULL, NULL)"),
    ).rejects.toThrow(/[Dd]uplicate/);
  });

  test('prepare a query with parameters: schemas, execute, rows', async () => {
    const statement = await fx.client.prepare('SELECT id, name FROM items WHERE id = ? AND name <> ?');
    expect(statement.isUpdate).toBe(false);
    expect(statement.datasetSchema.fields.map((f) => f.name)).toEqual(['id', 'name']);
    expect(statement.parameterSchema.fields).toHaveLength(2);
    const info = await statement.execute([2, 'zzz']);
    expect(await rowsOf(fx, info)).toEqual([{ id: 2, name: 'b' }]);
    const again = await statement.execute([1, 'a']);
    expect(await rowsOf(fx, again)).toEqual([]);
    await statement.close();
    await statement.close();
    await expect(statement.execute([1, 'x'])).rejects.toBeInstanceOf(InterfaceError);
  });

  test('0, false, empty string and null bind correctly, several rows in one DoPut', async () => {
    await fx.client.executeUpdate('CREATE TABLE falsy(i INTEGER, b BOOLEAN, s VARCHAR, t TIMESTAMP)');
    const insert = await fx.client.prepare('INSERT INTO falsy VALUES (?, ?, ?, ?)');
    expect(insert.isUpdate).toBe(true);
    const when = new Date('2024-05-06T07:08:09.123Z');
    expect(
      await insert.executeUpdate([
        [0, false, '', when],
        [null, null, null, null],
        [7, true, 'x', null],
      ]),
    ).toBe(3);
    await insert.close();
    const table = await queryTable(
      fx.client,
      "SELECT count(*) FILTER (WHERE i = 0 AND b = false AND s = '' AND t = TIMESTAMP '2024-05-06 07:08:09.123') AS falsy, count(*) FILTER (WHERE i IS NULL AND b IS NULL AND s IS NULL AND t IS NULL) AS nulls, count(*) AS n FROM falsy",
    );
    expect(new RowConverter(table.schema, { rowMode: 'object' }).rows(table.batches[0]!)).toEqual([
      { falsy: 1n, nulls: 1n, n: 3n },
    ]);
  });

  test('decimal and bigint parameters keep their exact values', async () => {
    const statement = await fx.client.prepare('SELECT ?::DECIMAL(20,4) AS d, ?::BIGINT AS b');
    const info = await statement.execute([['12345678901234.5678', 9007199254740993n]]);
    expect(await rowsOf(fx, info)).toEqual([{ d: '12345678901234.5678', b: 9007199254740993n }]);
    await statement.close();
  });

  test('a wrong number of parameters is refused', async () => {
    const statement = await fx.client.prepare('SELECT ? AS a, ? AS b');
    await expect(statement.execute([1])).rejects.toThrow(/2 parameter/);
    await statement.close();
  });

  test('an unknown prepared statement handle is a ProgrammingError', async () => {
    const cmd = packCommand('CommandPreparedStatementQuery', {
      preparedStatementHandle: Buffer.from('no-such-handle'),
    });
    await expect(fx.client.flight.getFlightInfo({ type: 'cmd', cmd })).rejects.toBeInstanceOf(
      ProgrammingError,
    );
  });

  test('preparing bad SQL fails at prepare time', async () => {
    await expect(fx.client.prepare('SELEC 1')).rejects.toBeInstanceOf(ProgrammingError);
  });

  test('ListActions names the prepared-statement actions', async () => {
    const types = (await fx.client.flight.listActions()).map((a) => a.type);
    expect(types).toEqual(expect.arrayContaining(['CreatePreparedStatement', 'ClosePreparedStatement']));
  });
});

describe('readFlightInfo', () => {
  const fx = useServer();

  test('reads a whole result through FlightSQLClient', async () => {
    const info = await fx.client.execute('SELECT range AS i FROM range(100000)');
    const table = await fx.client.readFlightInfo(info).readAll();
    expect(table.numRows).toBe(100000);
  });
});
