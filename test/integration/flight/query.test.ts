import { status } from '@grpc/grpc-js';
import { FlightSQLClient, OperationalError, ProgrammingError, RowConverter } from '../../../src';
import { queryTable, useServer } from '../fixture';

describe('FlightSQLClient query path against the embedded server', () => {
  const fx = useServer();

  test('execute returns a FlightInfo with schema and a ticket; doGet reads it', async () => {
    const info = await fx.client.execute("SELECT 42::INTEGER AS answer, 'hi' AS greeting");
    expect(info.schema.fields.map((f) => f.name)).toEqual(['answer', 'greeting']);
    expect(info.endpoints).toHaveLength(1);
    expect(info.endpoints[0]!.ticket.ticket.byteLength).toBeGreaterThan(0);
    expect(info.endpoints[0]!.locations).toEqual([]);
    expect(info.totalRecords).toBe(-1n);
    expect(info.totalBytes).toBe(-1n);
    expect(typeof info.ordered).toBe('boolean');
    const reader = await fx.client.doGet(info.endpoints[0]!.ticket);
    expect(reader.schema.fields.map((f) => f.name)).toEqual(['answer', 'greeting']);
    const table = await reader.readAll();
    expect(table.numRows).toBe(1);
    expect(table.getChild('answer')!.get(0)).toBe(42);
    expect(table.getChild('greeting')!.get(0)).toBe('hi');
    expect(reader.state).toBe('done');
  });

  test('getExecuteSchema returns the schema without running the query', async () => {
    await fx.exec('CREATE TABLE runs(n INTEGER)');
    const schema = await fx.client.getExecuteSchema('INSERT INTO runs VALUES (1) RETURNING n * 2 AS doubled');
    expect(schema.fields.map((f) => f.name)).toEqual(['doubled']);
    const count = await queryTable(fx.client, 'SELECT count(*) AS n FROM runs');
    expect(count.getChild('n')!.get(0)).toBe(0n);
  });

  test('an empty result has a schema and zero rows', async () => {
    const info = await fx.client.execute('SELECT 1::INTEGER AS x WHERE false');
    const reader = await fx.client.doGet(info.endpoints[0]!.ticket);
    expect(reader.schema.fields.map((f) => f.name)).toEqual(['x']);
    const batches = [];
    for await (const b of reader) batches.push(b);
    expect(batches.reduce((n, b) => n + b.numRows, 0)).toBe(0);
    const again = await queryTable(fx.client, 'SELECT 1::INTEGER AS x WHERE false');
    expect(again.numRows).toBe(0);
    expect(again.schema.fields[0]!.name).toBe('x');
  });

  test('a result of several batches arrives whole and in order', async () => {
    const info = await fx.client.execute(
      'SELECT range::BIGINT AS i, range::VARCHAR AS s, range * 0.5 AS x, range * 2.0 AS y, now() AS t FROM range(300000)',
    );
    const reader = await fx.client.doGet(info.endpoints[0]!.ticket);
    let batches = 0;
    let expected = 0n;
    for await (const batch of reader) {
      batches++;
      const values = batch.getChild('i')!.toArray() as BigInt64Array;
      const strings = batch.getChild('s')!;
      for (let r = 0; r < batch.numRows; r++, expected++) {
        if (values[r] !== expected || strings.get(r) !== String(expected))
          throw new Error(`row ${expected} is wrong`);
      }
    }
    expect(batches).toBeGreaterThan(1);
    expect(expected).toBe(300000n);
    // The server pads each header so that bodies arrive 8-aligned: no buffer is copied.
    expect(reader.alignmentCopies).toBe(0);
  });

  test('readChunk and rows give batches and converted rows', async () => {
    const info = await fx.client.execute('SELECT range::INTEGER AS i FROM range(3)');
    const reader = await fx.client.doGet(info.endpoints[0]!.ticket);
    const chunk = await reader.readChunk();
    expect(chunk!.data!.numRows).toBe(3);
    expect(chunk!.appMetadata).toBeUndefined();
    expect(await reader.readChunk()).toBeNull();

    const rowsReader = await fx.client.doGet(info.endpoints[0]!.ticket);
    const rows = [];
    for await (const row of rowsReader.rows({ rowMode: 'object' })) rows.push(row);
    expect(rows).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
    expect(new RowConverter(rowsReader.schema).names).toEqual(['i']);
  });

  test('bad SQL fails with the server message and INVALID_ARGUMENT', async () => {
    const err = await fx.client.execute('SELEC nonsense').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProgrammingError);
    expect((err as ProgrammingError).grpcCode).toBe(status.INVALID_ARGUMENT);
    expect((err as ProgrammingError).message).toMatch(/syntax error/i);
    expect((err as ProgrammingError).serverMessage).toMatch(/Parser Error/);
  });

  test('an unknown table is a ProgrammingError naming the table', async () => {
    const err = await fx.client.execute('SELECT * FROM no_such_table').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProgrammingError);
    expect(String((err as Error).message)).toContain('no_such_table');
  });

  test('a transaction id the server does not know is refused', async () => {
    const err = await fx.client
      .execute('SELECT 1', { transactionId: new Uint8Array([1, 2, 3]) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProgrammingError);
    expect(String(err)).toMatch(/unknown transaction/);
  });

  test('a dead server is an OperationalError (UNAVAILABLE), not a hang', async () => {
    const client = new FlightSQLClient({ host: 'grpc://127.0.0.1:1', timeoutMs: 5000 });
    const err = await client.execute('SELECT 1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as OperationalError).grpcCode).toBe(status.UNAVAILABLE);
    await client.close();
  });

  test('a closed client refuses calls with an InterfaceError', async () => {
    const client = fx.connect();
    await client.close();
    await client.close();
    await expect(client.execute('SELECT 1')).rejects.toThrow(/closed/);
  });
});
