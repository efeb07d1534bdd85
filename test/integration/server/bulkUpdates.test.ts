/**
 * Bulk writes into the embedded server (issue 16, item 1): multi-row prepared updates
 * (`executemany`, `PreparedStatement.executeUpdate(rows)`) keep exact values and counts whether
 * they run set-based (plain INSERT ... VALUES) or row by row; a failing row applies nothing;
 * ingest streams its batches into DuckDB, so a client that leaves midway leaves nothing and the
 * server's memory stays bounded by a few batches.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { Field, Int64, RecordBatch, Schema, Table, vectorFromArray } from 'apache-arrow';
import { connect, RowConverter, type Connection } from '../../../src';
import {
  CommandStatementIngest_TableDefinitionOptions_TableExistsOption as IfExists,
  CommandStatementIngest_TableDefinitionOptions_TableNotExistOption as IfNotExists,
} from '../../../src/proto/FlightSql';
import { queryTable, useServer } from '../fixture';
import { CuttablePut, descriptorOf } from './rawPut';

const fx = useServer();
let conn: Connection;
beforeAll(async () => {
  conn = await connect({ host: fx.server.location });
});
afterAll(() => conn.close());

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  const table = await queryTable(fx.client, sql);
  const converter = new RowConverter(table.schema, { rowMode: 'object', timestamps: 'bigint' });
  return table.batches.flatMap((b) => converter.rows(b) as Record<string, unknown>[]);
}
const count = async (table: string) => (await rows(`SELECT count(*) AS n FROM ${table}`))[0]!['n'];
const tableExists = async (name: string) =>
  (await rows(`SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = '${name}'`))[0]!['n'] === 1n;

/** Rows of every kind the bench and users send: time, tag, floats, an exact decimal, nulls. */
const sample = (n: number) =>
  Array.from({ length: n }, (_, i) => [
    BigInt(i) - 3n,
    new Date(Date.UTC(2024, 0, 1) + i * 1000),
    i % 7 === 0 ? null : `tag${i % 5}`,
    i / 3,
    `${i}.125`,
  ]);

describe('executemany and multi-row prepared updates', () => {
  beforeEach(() =>
    fx.exec(
      'CREATE OR REPLACE TABLE m (id BIGINT PRIMARY KEY, t TIMESTAMP, tag VARCHAR, f DOUBLE, d DECIMAL(18, 3) NOT NULL)',
    ),
  );

  test('a plain INSERT ... VALUES keeps every value and counts every row', async () => {
    const cur = conn.cursor();
    const data = sample(5000);
    await cur.executemany('INSERT INTO m VALUES (?, ?, ?, ?, ?)', data);
    expect(cur.rowcount).toBe(5000);
    const back = await rows('SELECT id, epoch_ms(t) AS t, tag, f, d::VARCHAR AS d FROM m ORDER BY id');
    expect(back).toEqual(
      data.map(([id, t, tag, f, d]) => ({ id, t: BigInt((t as Date).getTime()), tag, f, d })),
    );
  });

  test('column lists, numbered placeholders in any order, quoted and qualified names', async () => {
    const stmt = await fx.client.prepare('insert into main."m" ("d", id) values ($2, $1);');
    expect(
      await stmt.executeUpdate([
        [1n, '1.5'],
        [2n, '2.25'],
        [3n, '-0.001'],
      ]),
    ).toBe(3);
    await stmt.close();
    expect(await rows('SELECT id, d::VARCHAR AS d, tag FROM m ORDER BY id')).toEqual([
      { id: 1n, d: '1.500', tag: null },
      { id: 2n, d: '2.250', tag: null },
      { id: 3n, d: '-0.001', tag: null },
    ]);
  });

  test('other statements run once per row with exact counts', async () => {
    const cur = conn.cursor();
    await cur.executemany('INSERT INTO m VALUES (?, ?, ?, ?, ?)', sample(20));
    await cur.executemany('UPDATE m SET f = ? WHERE abs(id) % 2 = ?', [
      [1.5, 0n],
      [2.5, 1n],
    ]);
    expect(cur.rowcount).toBe(20);
    await cur.executemany('INSERT INTO m (id, tag, d) VALUES (CAST(? AS BIGINT) + 100, ?, 0)', [
      [1n, 'a'],
      [2n, 'b'],
    ]);
    expect(cur.rowcount).toBe(2);
    expect(await count('m')).toBe(22n);
  });

  test('a failing row leaves nothing behind', async () => {
    const cur = conn.cursor();
    const data = sample(1000);
    data[700]![4] = null; // d is NOT NULL
    await expect(cur.executemany('INSERT INTO m VALUES (?, ?, ?, ?, ?)', data)).rejects.toThrow(/NOT NULL/);
    expect(await count('m')).toBe(0n);
    // Duplicate keys, set-based.
    const twice = [...sample(10), sample(10)[4]!];
    await expect(cur.executemany('INSERT INTO m VALUES (?, ?, ?, ?, ?)', twice)).rejects.toThrow(
      /(?:Duplicate|PRIMARY KEY|constraint)/i,
    );
    expect(await count('m')).toBe(0n);
  });

  test('row by row, the error names the failing row and nothing stays', async () => {
    const cur = conn.cursor();
    await cur.executemany('INSERT INTO m VALUES (?, ?, ?, ?, ?)', sample(10));
    const params = [
      ['1', 1n],
      ['2', 2n],
      ['3', 3n],
      [null, 4n], // d is NOT NULL
    ];
    await expect(cur.executemany('UPDATE m SET d = ? WHERE id = ?', params)).rejects.toThrow(
      /parameter row 4 of 4/,
    );
    expect(await rows('SELECT count(*) AS n FROM m WHERE d IN (1, 2, 3)')).toEqual([{ n: 0n }]);
  });

  test("inside a client transaction, the client's rollback undoes them", async () => {
    const txn = await fx.client.beginTransaction();
    const stmt = await txn.prepare('INSERT INTO m VALUES (?, ?, ?, ?, ?)');
    expect(await stmt.executeUpdate(sample(300))).toBe(300);
    const perRow = await txn.prepare('UPDATE m SET tag = ? WHERE id = ?');
    expect(
      await perRow.executeUpdate([
        ['u', 0n],
        ['v', 1n],
        ['w', 1000n],
      ]),
    ).toBe(2);
    await txn.rollback();
    expect(await count('m')).toBe(0n);

    const again = await fx.client.beginTransaction();
    const insert = await again.prepare('INSERT INTO m VALUES (?, ?, ?, ?, ?)');
    const bad = sample(50);
    bad[49]![4] = null;
    await expect(insert.executeUpdate(bad)).rejects.toThrow(/NOT NULL/);
    await again.rollback();
    expect(await count('m')).toBe(0n);
  });
});

describe('ingest streams its batches', () => {
  const schema = new Schema([new Field('v', new Int64(), true)]);
  const batch = (start: number, n: number) =>
    new Table({
      v: vectorFromArray(
        Array.from({ length: n }, (_, i) => BigInt(start + i)),
        new Int64(),
      ),
    }).batches[0]!;

  test('200 batches arrive whole and exact', async () => {
    async function* batches(): AsyncGenerator<RecordBatch> {
      for (let b = 0; b < 200; b++) yield batch(b * 1000, 1000);
    }
    expect(await fx.client.executeIngest(batches(), { table: 'streamed', dataSchema: schema })).toBe(200_000);
    expect(
      await rows('SELECT count(*) AS n, sum(v)::BIGINT AS s, count(DISTINCT v) AS d FROM streamed'),
    ).toEqual([{ n: 200_000n, s: 19_999_900_000n, d: 200_000n }]);
  });

  test('a client that aborts midway leaves no table', async () => {
    const controller = new AbortController();
    async function* batches(): AsyncGenerator<RecordBatch> {
      for (let b = 0; b < 200; b++) {
        // The abort, not the end of the data, ends the upload.
        if (b === 100) controller.abort();
        yield batch(b * 1000, 1000);
      }
    }
    await expect(
      fx.client.executeIngest(batches(), { table: 'aborted', signal: controller.signal }),
    ).rejects.toThrow();
    // The server is still served, and no part of the upload was applied.
    expect(await tableExists('aborted')).toBe(false);
  });

  test('a connection lost after 100 of 200 batches leaves no table', async () => {
    const put = new CuttablePut(fx.server.port).start(
      descriptorOf('CommandStatementIngest', {
        table: 'cut_streamed',
        tableDefinitionOptions: {
          ifNotExist: IfNotExists.TABLE_NOT_EXIST_OPTION_CREATE,
          ifExists: IfExists.TABLE_EXISTS_OPTION_APPEND,
        },
      }),
      schema,
    );
    for (let b = 0; b < 100; b++) put.batch(batch(b * 1000, 1000));
    await put.flushed();
    put.cut();
    // An update after the cut is served once the server has dealt with the lost upload.
    await fx.exec('CREATE TABLE after_cut (x INTEGER)');
    expect(await tableExists('cut_streamed')).toBe(false);
  });

  test("the server's live memory stays bounded by a few batches over a 3M-row upload", async () => {
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', '--expose-gc', join(__dirname, 'ingestMemoryProbe.ts')],
        { encoding: 'utf8', timeout: 240_000, killSignal: 'SIGKILL' },
        (_err, out, err) => resolve({ stdout: out, stderr: err }),
      );
    });
    expect(stderr).toBe('');
    const result = JSON.parse(stdout) as { rows: number; bytes: number; peak: number };
    expect(result.rows).toBe(3_000_000);
    // Holding the whole upload would take at least its ~120 MB. Streamed, what is live is a few
    // batches (~1 MB each) plus both HTTP/2 windows (client and server share the process):
    // about 20-35 MB measured.
    expect(result.peak).toBeLessThan(result.bytes / 2);
  }, 300_000);
});
