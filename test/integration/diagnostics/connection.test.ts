/**
 * flightsql:connection (connect, handshake, close) and what every channel must never publish:
 * tokens, passwords and parameter values.
 */
import { Int32, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { FlightClient, OperationalError, type FlightSQLClient } from '../../../src';
import { connect } from '../../../src/dbapi';
import { useServer } from '../fixture';
import { COMPLETED, FAILED, record, serialize, type Recorder } from './record';

const TOKEN = 'tok-S3CRET-4242-bearer';
const PASSWORD = 'pw-S3CRET-9090';
const PARAM = 'param-V4LUE-777';
const ROW_VALUE = 'row-V4LUE-555';

describe('flightsql:connection', () => {
  const fx = useServer({ username: 'alice', password: PASSWORD, token: TOKEN });
  let rec: Recorder;
  beforeEach(() => (rec = record(['flightsql:connection'])));
  afterEach(() => rec.stop());
  const calls = () => rec.calls('flightsql:connection');

  test('a client publishes its connect (synchronous) and its close, with the calls it cancels', async () => {
    const client = fx.connect({ token: TOKEN });
    const server = client.flight.location;
    expect(calls()).toEqual([{ context: { kind: 'connect', server, tls: false }, events: ['start', 'end'] }]);
    const info = await client.execute('SELECT range FROM range(1000000000)');
    const reader = await client.doGet(info.endpoints[0]!.ticket);
    await reader.readChunk();
    await client.close();
    await client.close(); // a second close is a no-op: no second event
    expect(calls().map((c) => [c.context, c.events])).toEqual([
      [{ kind: 'connect', server, tls: false }, ['start', 'end']],
      [{ kind: 'close', server, tls: false, activeCalls: 1 }, COMPLETED],
    ]);
  });

  test('a basic-auth Handshake is traced; a refused one carries its error', async () => {
    const client = fx.connect({ username: 'alice', password: PASSWORD, token: undefined });
    await client.getTableTypes();
    const server = client.flight.location;
    expect(calls().map((c) => [c.context['kind'], c.events])).toEqual([
      ['connect', ['start', 'end']],
      ['handshake', COMPLETED],
    ]);
    expect(calls()[1]!.context).toEqual({ kind: 'handshake', server, tls: false });

    rec.clear();
    const refused = new FlightClient(server, { username: 'alice', password: 'wrong' });
    const err = await refused.listActions().catch((e: unknown) => e);
    await refused.close();
    expect(err).toBeInstanceOf(Error);
    const [, handshake] = calls();
    expect(handshake!.events).toEqual(FAILED);
    expect(handshake!.context['error']).toBe(err);
  });
});

describe('what the channels never publish', () => {
  const fx = useServer({ username: 'alice', password: PASSWORD, token: TOKEN });
  let rec: Recorder;
  beforeEach(() => (rec = record()));
  afterEach(() => rec.stop());

  test('tokens, passwords, parameter values and data stay out of every context', async () => {
    await fx.exec('CREATE SCHEMA traced_db');
    const token = fx.connect({ token: TOKEN, metadata: { database: 'traced_db' } });
    const basic = fx.connect({ username: 'alice', password: PASSWORD, token: undefined });
    const work = async (client: FlightSQLClient, table: string) => {
      await client.executeUpdate(`CREATE TABLE ${table} (id INTEGER, name VARCHAR)`);
      const insert = await client.prepare(`INSERT INTO ${table} VALUES (?, ?)`);
      expect(await insert.executeUpdate([[1, PARAM]])).toBe(1);
      await insert.close();
      const ingest = new Table({
        id: vectorFromArray(Int32Array.from([2])),
        name: vectorFromArray([ROW_VALUE], new Utf8()),
      });
      expect(ingest.schema.fields[0]!.type).toBeInstanceOf(Int32);
      expect(await client.executeIngest(ingest, { table })).toBe(1);
      const select = await client.prepare(`SELECT name FROM ${table} WHERE name = ?`);
      const rows = await client.readFlightInfo(await select.execute([PARAM])).readAll();
      expect(rows.getChild('name')!.get(0)).toBe(PARAM);
      await select.close();
      await client.getTables();
      await expect(client.execute(`SELECT * FROM ${table} WHERE nope = 1`)).rejects.toThrow();
    };
    await work(token, 'secrets_a');
    await work(basic, 'secrets_b');

    const conn = await connect({ host: fx.server.location, token: TOKEN });
    const cursor = conn.cursor();
    await cursor.execute('SELECT ? AS p', [PARAM]);
    expect(await cursor.fetchall()).toEqual([[PARAM]]);
    await conn.close();

    const aborted = new AbortController();
    const reader = token.readFlightInfo(await token.execute('SELECT range FROM range(1000000000)'), {
      signal: aborted.signal,
    });
    const err = await (async () => {
      for await (const _ of reader) aborted.abort(new Error(`aborted ${TOKEN}`));
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    await token.close();
    await basic.close();

    const json = serialize(rec.events.flatMap((e) => [e.snapshot, e.context]));
    // The contexts were published, SQL and database included...
    expect(rec.calls('flightsql:query').length).toBeGreaterThanOrEqual(20);
    expect(rec.calls('flightsql:connection').map((c) => c.context['kind'])).toContain('handshake');
    expect(json).toContain('SELECT name FROM secrets_a WHERE name = ?');
    expect(json).toContain('traced_db');
    expect(json).toContain('nope'); // the failed statement's error, serialized
    // ...but no secret and no value: not in the contexts, nor in the errors they carry.
    for (const secret of [
      TOKEN,
      PASSWORD,
      PARAM,
      ROW_VALUE,
      Buffer.from(`alice:${PASSWORD}`).toString('base64'),
    ])
      expect(json).not.toContain(secret);
  });
});
