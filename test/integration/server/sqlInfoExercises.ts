/**
 * What each SqlInfo id claims, exercised against a server through the client: one check per id,
 * given the value the server reported (a boolean claim is tried both ways: true must work, false
 * must be refused). sqlInfo.test.ts runs them and fails for an id reported without one here.
 * The SQL syntax ids are in sqlInfoSyntax.ts.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SqlInfo, type SqlInfoValue } from '../../../src';
import {
  SqlSupportedResultSetType as ResultSetType,
  SqlSupportedTransaction,
  SqlTransactionIsolationLevel as Isolation,
} from '../../../src/proto/FlightSql';
import {
  begin,
  bits,
  claim,
  ingestData,
  rows,
  scalar,
  tableCount,
  tableExists,
  type Exercise,
  type Probe,
} from './sqlInfoProbe';
import { SYNTAX_EXERCISES } from './sqlInfoSyntax';

export type { Exercise, Probe } from './sqlInfoProbe';
export { rows, scalar, works } from './sqlInfoProbe';

/** A long query running on a DoGet, cancelled: the read must end CANCELLED. */
async function cancelRunningQuery(p: Probe): Promise<void> {
  const info = await p.client.execute(`SELECT range AS ${p.name()} FROM range(1000000000)`);
  const reader = await p.client.doGet(info.endpoints[0]!.ticket);
  await reader.readChunk();
  expect(await p.client.cancelFlightInfo(info)).toBe('cancelled');
  const read = (async () => {
    for (;;) if ((await reader.readChunk()) === null) return 'ended';
  })();
  await expect(read).rejects.toThrow(/cancel/i);
}

/**
 * The isolation a transaction sees: NONE when there are no transactions, REPEATABLE_READ when
 * it sees neither another session's uncommitted rows nor, once it has read, its committed ones
 * (DuckDB's snapshots), READ_COMMITTED when only the latter change.
 */
async function observedIsolation(p: Probe): Promise<Isolation> {
  const t = p.name();
  await p.client.executeUpdate(`CREATE TABLE ${t}(x INTEGER); INSERT INTO ${t} VALUES (1)`);
  const txn = await begin(p);
  if (!txn) return Isolation.SQL_TRANSACTION_NONE;
  const other = await begin(p);
  try {
    expect(await tableCount(p, t, { transaction: txn })).toBe(1);
    await other!.executeUpdate(`INSERT INTO ${t} VALUES (2)`);
    if ((await tableCount(p, t, { transaction: txn })) !== 1)
      return Isolation.SQL_TRANSACTION_READ_UNCOMMITTED;
    await other!.commit();
    expect(await tableCount(p, t)).toBe(2);
    const again = await tableCount(p, t, { transaction: txn });
    return again === 1 ? Isolation.SQL_TRANSACTION_REPEATABLE_READ : Isolation.SQL_TRANSACTION_READ_COMMITTED;
  } finally {
    await txn.rollback();
    if (!other!.ended) await other!.rollback();
  }
}

/** A name of `length` characters. */
const longName = (length: number) => 'n'.repeat(length);

/** SQL_MAX_* is 0, no limit: something well past common limits works. */
function noLimit(attempt: (p: Probe) => Promise<void>): Exercise {
  return async (p, value) => {
    expect(value).toBe(0n);
    await attempt(p);
  };
}

const columns = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join(', ');

/** The exercise of each id. */
export const EXERCISES: ReadonlyMap<SqlInfo, Exercise> = new Map<SqlInfo, Exercise>([
  [
    SqlInfo.FLIGHT_SQL_SERVER_NAME,
    async (_p, value) => {
      expect(typeof value).toBe('string');
      expect(value).toMatch(/DuckDB/);
    },
  ],
  [
    SqlInfo.FLIGHT_SQL_SERVER_VERSION,
    async (p, value) => expect(value).toBe(await scalar(p.client, 'SELECT version()')),
  ],
  [
    SqlInfo.FLIGHT_SQL_SERVER_ARROW_VERSION,
    async (_p, value) => {
      // The apache-arrow release installed, the one the server encodes with.
      const dir = dirname(require.resolve('apache-arrow'));
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
      expect(value).toBe(pkg.version);
    },
  ],
  [
    SqlInfo.FLIGHT_SQL_SERVER_READ_ONLY,
    async (p, value) => {
      const t = p.name();
      await claim(!value, () =>
        p.client.executeUpdate(`CREATE TABLE ${t}(x INTEGER); INSERT INTO ${t} VALUES (1)`),
      );
    },
  ],
  [
    SqlInfo.FLIGHT_SQL_SERVER_SQL,
    (p, value) => claim(value, async () => expect(await scalar(p.client, 'SELECT 41 + 1')).toBe(42)),
  ],
  [
    SqlInfo.FLIGHT_SQL_SERVER_SUBSTRAIT,
    (p, value) =>
      claim(value, () => p.client.executeSubstrait({ plan: new Uint8Array([1]), version: '0.1.0' })),
  ],
  [
    SqlInfo.FLIGHT_SQL_SERVER_TRANSACTION,
    async (p, value) => {
      const txn = await begin(p);
      expect(txn !== undefined).toBe(value !== SqlSupportedTransaction.SQL_SUPPORTED_TRANSACTION_NONE);
      if (!txn) return;
      try {
        await claim(value === SqlSupportedTransaction.SQL_SUPPORTED_TRANSACTION_SAVEPOINT, () =>
          txn.beginSavepoint('s1'),
        );
      } finally {
        await txn.rollback();
      }
    },
  ],
  [SqlInfo.FLIGHT_SQL_SERVER_CANCEL, (p, value) => claim(value, () => cancelRunningQuery(p))],
  [
    SqlInfo.FLIGHT_SQL_SERVER_BULK_INGESTION,
    async (p, value) => {
      const t = p.name();
      await claim(value, async () => {
        expect(await p.client.executeIngest(ingestData([1, 2]), { table: t })).toBe(2);
        expect(await tableCount(p, t)).toBe(2);
      });
    },
  ],
  [
    SqlInfo.FLIGHT_SQL_SERVER_INGEST_TRANSACTIONS_SUPPORTED,
    async (p, value) => {
      const txn = await begin(p);
      if (!txn) return expect(value).toBe(false); // no transactions, none for ingest either
      const t = p.name();
      try {
        await claim(value, async () => {
          expect(await txn.executeIngest(ingestData([1, 2, 3]), { table: t })).toBe(3);
          expect(await tableCount(p, t, { transaction: txn })).toBe(3);
        });
      } finally {
        await txn.rollback();
      }
      expect(await tableExists(p, t)).toBe(false); // rolled back: not even the table is left
    },
  ],
  ...SYNTAX_EXERCISES,
  [
    SqlInfo.SQL_MAX_BINARY_LITERAL_LENGTH,
    noLimit(async (p) =>
      expect(await scalar(p.client, `SELECT octet_length('${'\\xAB'.repeat(20_000)}'::BLOB)`)).toBe(20_000n),
    ),
  ],
  [
    SqlInfo.SQL_MAX_CHAR_LITERAL_LENGTH,
    noLimit(async (p) =>
      expect(await scalar(p.client, `SELECT length('${'x'.repeat(50_000)}')`)).toBe(50_000n),
    ),
  ],
  [
    SqlInfo.SQL_MAX_COLUMN_NAME_LENGTH,
    noLimit(async (p) => {
      const info = await p.client.execute(`SELECT 1 AS ${longName(2000)}`);
      expect(info.schema.fields[0]!.name).toHaveLength(2000);
    }),
  ],
  [
    SqlInfo.SQL_MAX_COLUMNS_IN_GROUP_BY,
    noLimit(async (p) => {
      const sql = `SELECT count(*) FROM (SELECT ${columns(500, (i) => `${i} AS c${i}`)}) GROUP BY ${columns(500, (i) => `c${i}`)}`;
      expect(await scalar(p.client, sql)).toBe(1n);
    }),
  ],
  [
    SqlInfo.SQL_MAX_COLUMNS_IN_INDEX,
    noLimit(async (p) => {
      const t = p.name();
      await p.client.executeUpdate(`CREATE TABLE ${t}(${columns(100, (i) => `c${i} INTEGER`)})`);
      await p.client.executeUpdate(`CREATE INDEX ${t}_i ON ${t}(${columns(100, (i) => `c${i}`)})`);
    }),
  ],
  [
    SqlInfo.SQL_MAX_COLUMNS_IN_ORDER_BY,
    noLimit(async (p) => {
      const sql = `SELECT c0 FROM (SELECT ${columns(500, (i) => `${i} AS c${i}`)}) ORDER BY ${columns(500, (i) => `c${i}`)}`;
      expect(await scalar(p.client, sql)).toBe(0);
    }),
  ],
  [
    SqlInfo.SQL_MAX_COLUMNS_IN_SELECT,
    noLimit(async (p) => {
      const info = await p.client.execute(`SELECT ${columns(2000, (i) => `${i} AS c${i}`)}`);
      expect(info.schema.fields).toHaveLength(2000);
    }),
  ],
  [
    SqlInfo.SQL_MAX_COLUMNS_IN_TABLE,
    noLimit(async (p) => {
      const t = p.name();
      await p.client.executeUpdate(`CREATE TABLE ${t}(${columns(2000, (i) => `c${i} INTEGER`)})`);
      expect((await p.client.getExecuteSchema(`SELECT * FROM ${t}`)).fields).toHaveLength(2000);
    }),
  ],
  [
    SqlInfo.SQL_MAX_CONNECTIONS,
    noLimit(async (p) => {
      const clients = Array.from({ length: 20 }, () => p.connect());
      expect(await Promise.all(clients.map((c) => scalar(c, 'SELECT 1')))).toEqual(Array(20).fill(1));
    }),
  ],
  [
    SqlInfo.SQL_MAX_INDEX_LENGTH,
    noLimit(async (p) => {
      const t = p.name();
      await p.client.executeUpdate(`CREATE TABLE ${t}(v VARCHAR); CREATE INDEX ${t}_i ON ${t}(v)`);
      await p.client.executeUpdate(`INSERT INTO ${t} SELECT repeat('x', 1000000)`);
      expect(await scalar(p.client, `SELECT length(v) FROM ${t} WHERE v = repeat('x', 1000000)`)).toBe(
        1_000_000n,
      );
    }),
  ],
  [
    SqlInfo.SQL_DB_SCHEMA_NAME_LENGTH,
    noLimit(async (p) => {
      const s = `${p.name()}${longName(2000)}`;
      await p.client.executeUpdate(`CREATE SCHEMA ${s}`);
      expect((await p.client.getDbSchemas()).map((x) => x.dbSchema)).toContain(s);
    }),
  ],
  [
    SqlInfo.SQL_MAX_CATALOG_NAME_LENGTH,
    noLimit(async (p) => {
      // DuckDB names catalogs by ATTACH (an in-memory one touches no file).
      const c = `${p.name()}${longName(2000)}`;
      await p.client.executeUpdate(`ATTACH ':memory:' AS ${c}`);
      try {
        expect(await p.client.getCatalogs()).toContain(c);
      } finally {
        await p.client.executeUpdate(`DETACH ${c}`);
      }
    }),
  ],
  [
    SqlInfo.SQL_MAX_ROW_SIZE,
    noLimit(async (p) => {
      const row = await rows(p.client, "SELECT repeat('x', 600000) AS a, repeat('y', 600000)::BLOB AS b");
      expect((row[0]![0] as string).length + (row[0]![1] as Uint8Array).byteLength).toBe(1_200_000);
    }),
  ],
  [
    SqlInfo.SQL_MAX_STATEMENT_LENGTH,
    noLimit(async (p) => {
      const sql = `SELECT 1 AS x ${'-- padding\n'.repeat(10_000)}`;
      expect(sql.length).toBeGreaterThan(100_000);
      expect(await scalar(p.client, sql)).toBe(1);
    }),
  ],
  [
    SqlInfo.SQL_MAX_STATEMENTS,
    noLimit(async (p) => {
      // Many results open at once, each read after all have started.
      const readers = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const info = await p.client.execute(`SELECT ${i} AS i`);
          return p.client.doGet(info.endpoints[0]!.ticket);
        }),
      );
      const tables = await Promise.all(readers.map((r) => r.readAll()));
      expect(tables.map((t) => t.numRows)).toEqual(Array(20).fill(1));
    }),
  ],
  [
    SqlInfo.SQL_MAX_TABLE_NAME_LENGTH,
    noLimit(async (p) => {
      const t = `${p.name()}${longName(2000)}`;
      await p.client.executeUpdate(`CREATE TABLE ${t}(x INTEGER)`);
      expect(await tableExists(p, t)).toBe(true);
    }),
  ],
  [
    SqlInfo.SQL_MAX_TABLES_IN_SELECT,
    noLimit(async (p) => {
      const from = columns(100, (i) => `(SELECT 1) t${i}`);
      expect(await scalar(p.client, `SELECT count(*) FROM ${from}`)).toBe(1n);
    }),
  ],
  [
    SqlInfo.SQL_DEFAULT_TRANSACTION_ISOLATION,
    async (p, value) => expect(value).toBe(await observedIsolation(p)),
  ],
  [
    SqlInfo.SQL_TRANSACTIONS_SUPPORTED,
    async (p, value) => {
      const t = p.name();
      await p.client.executeUpdate(`CREATE TABLE ${t}(x INTEGER)`);
      await claim(value, async () => {
        const txn = await p.client.beginTransaction();
        await txn.executeUpdate(`INSERT INTO ${t} VALUES (1)`);
        expect(await tableCount(p, t, { transaction: txn })).toBe(1);
        await txn.rollback();
        expect(await tableCount(p, t)).toBe(0);
      });
    },
  ],
  [
    SqlInfo.SQL_SUPPORTED_TRANSACTIONS_ISOLATION_LEVELS,
    async (p, value) => {
      // Flight SQL has no way to choose a level: the one a transaction gets is the only one.
      expect(value).toBe(1 << (await observedIsolation(p)));
    },
  ],
  [
    SqlInfo.SQL_DATA_DEFINITION_CAUSES_TRANSACTION_COMMIT,
    async (p, value) => {
      const t = p.name();
      await p.client.executeUpdate(`CREATE TABLE ${t}(x INTEGER)`);
      const txn = await p.client.beginTransaction();
      await txn.executeUpdate(`INSERT INTO ${t} VALUES (1)`);
      await txn.executeUpdate(`CREATE TABLE ${t}d(x INTEGER)`);
      await txn.rollback();
      // Had the CREATE committed, the INSERT before it would have stayed.
      expect((await tableCount(p, t)) === 1).toBe(value);
      expect(await tableExists(p, `${t}d`)).toBe(value);
    },
  ],
  [
    SqlInfo.SQL_DATA_DEFINITIONS_IN_TRANSACTIONS_IGNORED,
    async (p, value) => {
      const t = p.name();
      const txn = await p.client.beginTransaction();
      try {
        await claim(!value, async () => {
          await txn.executeUpdate(`CREATE TABLE ${t}(x INTEGER)`);
          await txn.executeUpdate(`INSERT INTO ${t} VALUES (1)`);
          expect(await tableCount(p, t, { transaction: txn })).toBe(1);
        });
        await txn.commit();
      } finally {
        if (!txn.ended) await txn.rollback();
      }
      expect(await tableExists(p, t)).toBe(!value);
    },
  ],
  [
    SqlInfo.SQL_SUPPORTED_RESULT_SET_TYPES,
    async (p, value) => {
      // Forward-only: a result is a stream, read once from its first row. Nothing scrolls.
      expect(value).toBe(1 << ResultSetType.SQL_RESULT_SET_TYPE_FORWARD_ONLY);
      expect(await rows(p.client, 'SELECT * FROM range(5)')).toEqual([[0n], [1n], [2n], [3n], [4n]]);
    },
  ],
  ...(
    [
      [
        SqlInfo.SQL_SUPPORTED_CONCURRENCIES_FOR_RESULT_SET_UNSPECIFIED,
        ResultSetType.SQL_RESULT_SET_TYPE_UNSPECIFIED,
      ],
      [
        SqlInfo.SQL_SUPPORTED_CONCURRENCIES_FOR_RESULT_SET_FORWARD_ONLY,
        ResultSetType.SQL_RESULT_SET_TYPE_FORWARD_ONLY,
      ],
      [
        SqlInfo.SQL_SUPPORTED_CONCURRENCIES_FOR_RESULT_SET_SCROLL_SENSITIVE,
        ResultSetType.SQL_RESULT_SET_TYPE_SCROLL_SENSITIVE,
      ],
      [
        SqlInfo.SQL_SUPPORTED_CONCURRENCIES_FOR_RESULT_SET_SCROLL_INSENSITIVE,
        ResultSetType.SQL_RESULT_SET_TYPE_SCROLL_INSENSITIVE,
      ],
    ] as const
  ).map(
    ([id, type]) =>
      [
        id,
        async (p: Probe, value: SqlInfoValue) => {
          // A result set type the server lacks has no concurrency; the one it has is read-only:
          // no row of a result can be updated through it (no positioned UPDATE).
          const types = Number(p.info.get(SqlInfo.SQL_SUPPORTED_RESULT_SET_TYPES) ?? 0);
          if ((types & (1 << type)) === 0) return expect(value).toBe(0);
          await bits(value, [
            () => Promise.reject(new Error('UNSPECIFIED is no concurrency a result has')),
            () => rows(p.client, 'SELECT 1'),
            () => p.client.executeUpdate('UPDATE t SET x = 1 WHERE CURRENT OF c'),
          ]);
        },
      ] as const,
  ),
  [
    SqlInfo.SQL_BATCH_UPDATES_SUPPORTED,
    async (p, value) => {
      const t = p.name();
      await p.client.executeUpdate(`CREATE TABLE ${t}(x INTEGER)`);
      await claim(value, async () => {
        const insert = await p.client.prepare(`INSERT INTO ${t} VALUES (?)`);
        try {
          expect(await insert.executeUpdate([[1], [2], [3]])).toBe(3);
        } finally {
          await insert.close();
        }
        expect(await tableCount(p, t)).toBe(3);
      });
    },
  ],
  [
    SqlInfo.SQL_SAVEPOINTS_SUPPORTED,
    async (p, value) => {
      const txn = await begin(p);
      try {
        await claim(value, async () => {
          if (!txn) throw new Error('no transactions, so no savepoints');
          await txn.beginSavepoint('s1');
        });
      } finally {
        await txn?.rollback();
      }
      await claim(value, () => p.client.executeUpdate('BEGIN; SAVEPOINT s1; ROLLBACK'));
    },
  ],
  [
    SqlInfo.SQL_NAMED_PARAMETERS_SUPPORTED,
    (p, value) => claim(value, () => p.client.executeUpdate('CREATE PROCEDURE p(IN a INTEGER) AS SELECT a')),
  ],
  [
    SqlInfo.SQL_STORED_FUNCTIONS_USING_CALL_SYNTAX_SUPPORTED,
    (p, value) => claim(value, () => rows(p.client, '{? = call version()}')),
  ],
]);
