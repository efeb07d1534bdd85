/**
 * HTTP writes that arrive together are written in one transaction (group commit) on the writer's
 * own connection with a cached catalog: each request still lands whole or not at all, one bad
 * request never costs another its points, and a client's DDL between writes is seen.
 */
import { FlightSQLClient, RowConverter } from '../../../src';
import { startServer, type RunningServer } from '../../../src/server';
import { queryTable } from '../fixture';

let server: RunningServer;
let client: FlightSQLClient;

beforeAll(async () => {
  server = await startServer({});
  client = new FlightSQLClient({ host: server.location });
});

afterAll(async () => {
  await client?.close();
  await server?.close();
});

async function post(path: string, body: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${server.httpUrl}${path}`, { method: 'POST', body });
  return { status: res.status, text: await res.text() };
}

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  const table = await queryTable(client, sql);
  const converter = new RowConverter(table.schema, { rowMode: 'object', timestamps: 'bigint' });
  return table.batches.flatMap((b) => converter.rows(b)) as Record<string, unknown>[];
}

const ddl = (sql: string) => client.executeUpdate(sql);

describe('concurrent requests (group commit)', () => {
  test('every good request lands exactly; each bad one is refused alone, with its own answer', async () => {
    const requests = Array.from({ length: 40 }, (_, i) => {
      // Every fifth request has a type conflict (v is a float); with accept_partial=false it is refused whole.
      const bad = i % 5 === 4;
      const lines = [
        `gc,w=w${i} v=${i}.5,n=${i}i ${i * 10 + 1}`,
        `gc,w=w${i} v=${bad ? `"x"` : `${i}.25`} ${i * 10 + 2}`,
      ];
      return post('/api/v3/write_lp?db=g1&precision=ns&accept_partial=false', lines.join('\n'));
    });
    const answers = await Promise.all(requests);
    answers.forEach((answer, i) => {
      if (i % 5 === 4) {
        expect(answer.status).toBe(400);
        expect(JSON.parse(answer.text)).toMatchObject({ data: { line_number: 2 } });
      } else expect(answer).toEqual({ status: 204, text: '' });
    });
    const stored = await rows('SELECT w, v, n, time FROM "g1"."gc" ORDER BY time');
    const expected = Array.from({ length: 40 }, (_, i) => i)
      .filter((i) => i % 5 !== 4)
      .flatMap((i) => [
        { w: `w${i}`, v: i + 0.5, n: BigInt(i), time: BigInt(i * 10 + 1) },
        { w: `w${i}`, v: i + 0.25, n: null, time: BigInt(i * 10 + 2) },
      ]);
    expect(stored).toEqual(expected);
  });

  test('a request DuckDB refuses (a CHECK constraint) fails alone; the others of its group land', async () => {
    await ddl('CREATE TABLE checked (time TIMESTAMP_NS, v DOUBLE CHECK (v < 100))');
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        post('/write?db=main', `checked v=${i === 7 ? 500 : i} ${i + 1}\nother,k=x v=${i} ${i + 1}`),
      ),
    );
    answers.forEach((answer, i) => expect([i, answer.status]).toEqual([i, i === 7 ? 500 : 204]));
    const checked = await rows('SELECT v FROM checked ORDER BY time');
    expect(checked.map((r) => r['v'])).toEqual(
      Array.from({ length: 20 }, (_, i) => i).filter((i) => i !== 7),
    );
    // The refused request is all or nothing: its line for `other` did not land either.
    const other = await rows('SELECT v FROM other ORDER BY time');
    expect(other.map((r) => r['v'])).toEqual(Array.from({ length: 20 }, (_, i) => i).filter((i) => i !== 7));
  });

  test('new columns from several requests of one group', async () => {
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => post('/write?db=g2', `wide,t${i % 3}=a f${i}=${i}i ${i + 1}`)),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(204));
    const stored = await rows('SELECT * FROM "g2"."wide" ORDER BY time');
    expect(stored).toHaveLength(12);
    stored.forEach((row, i) => {
      expect(row[`f${i}`]).toBe(BigInt(i));
      expect(row[`t${i % 3}`]).toBe('a');
    });
  });
});

describe("a client's DDL between writes is seen", () => {
  test('DROP TABLE, then a write recreates the table', async () => {
    expect((await post('/write?db=d1', 'm,h=a v=1 1')).status).toBe(204);
    await ddl('DROP TABLE "d1"."m"');
    expect((await post('/write?db=d1', 'm,h=b v=2 2')).status).toBe(204);
    expect(await rows('SELECT h, v, time FROM "d1"."m"')).toEqual([{ h: 'b', v: 2, time: 2n }]);
  });

  test('a renamed column is not written by its old position: the field gets a new column', async () => {
    expect((await post('/write?db=d2', 'm,h=a v=1,w=10 1')).status).toBe(204);
    await ddl('ALTER TABLE "d2"."m" RENAME COLUMN v TO v_old');
    expect((await post('/write?db=d2', 'm,h=b v=2,w=20 2')).status).toBe(204);
    expect(await rows('SELECT h, v_old, w, v, time FROM "d2"."m" ORDER BY time')).toEqual([
      { h: 'a', v_old: 1, w: 10, v: null, time: 1n },
      { h: 'b', v_old: null, w: 20, v: 2, time: 2n },
    ]);
  });

  test('a column retyped by a client is a type conflict, not a silent cast', async () => {
    expect((await post('/write?db=d3', 'm v=1 1')).status).toBe(204);
    await ddl('ALTER TABLE "d3"."m" ALTER COLUMN v TYPE VARCHAR');
    const answer = await post('/write?db=d3', 'm v=2 2');
    expect(answer.status).toBe(400);
    expect(answer.text).toMatch(/column 'v'/);
    // Many points go through the appender: the same answer.
    const many = Array.from({ length: 50 }, (_, i) => `m v=${i} ${i + 10}`).join('\n');
    expect((await post('/write?db=d3', many)).status).toBe(400);
    expect(await rows('SELECT v FROM "d3"."m"')).toEqual([{ v: '1.0' }]);
  });

  test('a column added by a client takes a field of its name and type', async () => {
    expect((await post('/write?db=d4', 'm v=1 1')).status).toBe(204);
    await ddl('ALTER TABLE "d4"."m" ADD COLUMN extra BIGINT');
    expect((await post('/write?db=d4', 'm v=2,extra=7i 2')).status).toBe(204);
    const many = Array.from({ length: 50 }, (_, i) => `m v=${i},extra=${i}i ${i + 10}`).join('\n');
    expect((await post('/write?db=d4', many)).status).toBe(204);
    expect(await rows('SELECT count(*) AS n, sum(extra)::BIGINT AS s FROM "d4"."m"')).toEqual([
      { n: 52n, s: 7n + 1225n },
    ]);
  });

  test('a view created in place of a dropped table is refused', async () => {
    expect((await post('/write?db=d5', 'm v=1 1')).status).toBe(204);
    await ddl('DROP TABLE "d5"."m"');
    await ddl('CREATE VIEW "d5"."m" AS SELECT 1 AS v');
    const answer = await post('/write?db=d5', 'm v=2 2');
    expect(answer.status).toBe(400);
    expect(answer.text).toMatch(/is a view/);
  });
});
