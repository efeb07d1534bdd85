/**
 * SqlInfo is honest: every id the embedded server reports is exercised against the server
 * through the client (sqlInfoExercises.ts, one check per id; an id reported without one fails),
 * and every capability the server has is claimed by its id. Run on a default server and on one
 * started with `transactions: false, preparedStatements: false`.
 */
import { Table, vectorFromArray } from 'apache-arrow';
import { SqlInfo, SqlSupportedTransaction, type SqlInfoValue } from '../../../src';
import { SqlOuterJoinsSupportLevel as Joins } from '../../../src/proto/FlightSql';
import type { ServerOptions } from '../../../src/server';
import { useServer } from '../fixture';
import { EXERCISES, rows, scalar, works, type Probe } from './sqlInfoExercises';

type Info = ReadonlyMap<number, SqlInfoValue>;

/** Something the server may do: how to try it, and what its SqlInfo must then say. */
interface Capability {
  readonly name: string;
  readonly attempt: (p: Probe) => Promise<unknown>;
  readonly claimed: (info: Info) => boolean;
}

const ids = (ns: number[]) => new Table({ id: vectorFromArray(Int32Array.from(ns)) });
const is = (id: SqlInfo, value: SqlInfoValue) => (info: Info) => info.get(id) === value;

const CAPABILITIES: readonly Capability[] = [
  {
    name: 'SQL queries',
    attempt: (p) => scalar(p.client, 'SELECT 1'),
    claimed: is(SqlInfo.FLIGHT_SQL_SERVER_SQL, true),
  },
  {
    name: 'writes',
    attempt: (p) => p.client.executeUpdate(`CREATE TABLE ${p.name()}(x INTEGER)`),
    claimed: is(SqlInfo.FLIGHT_SQL_SERVER_READ_ONLY, false),
  },
  {
    name: 'bulk ingestion',
    attempt: (p) => p.client.executeIngest(ids([1]), { table: p.name() }),
    claimed: is(SqlInfo.FLIGHT_SQL_SERVER_BULK_INGESTION, true),
  },
  {
    name: 'ingest in a transaction',
    attempt: async (p) => {
      const txn = await p.client.beginTransaction();
      try {
        await txn.executeIngest(ids([1]), { table: p.name() });
      } finally {
        await txn.rollback();
      }
    },
    claimed: is(SqlInfo.FLIGHT_SQL_SERVER_INGEST_TRANSACTIONS_SUPPORTED, true),
  },
  {
    name: 'transactions',
    attempt: async (p) => (await p.client.beginTransaction()).rollback(),
    claimed: (info) =>
      info.get(SqlInfo.FLIGHT_SQL_SERVER_TRANSACTION) !==
        SqlSupportedTransaction.SQL_SUPPORTED_TRANSACTION_NONE &&
      info.has(SqlInfo.FLIGHT_SQL_SERVER_TRANSACTION) &&
      info.get(SqlInfo.SQL_TRANSACTIONS_SUPPORTED) === true,
  },
  {
    name: 'savepoints',
    attempt: async (p) => {
      const txn = await p.client.beginTransaction();
      try {
        await txn.beginSavepoint('s');
      } finally {
        await txn.rollback();
      }
    },
    claimed: (info) =>
      info.get(SqlInfo.FLIGHT_SQL_SERVER_TRANSACTION) ===
        SqlSupportedTransaction.SQL_SUPPORTED_TRANSACTION_SAVEPOINT &&
      info.get(SqlInfo.SQL_SAVEPOINTS_SUPPORTED) === true,
  },
  {
    name: 'cancellation',
    attempt: async (p) => {
      const info = await p.client.execute(`SELECT range AS ${p.name()} FROM range(1000000000)`);
      const reader = await p.client.doGet(info.endpoints[0]!.ticket);
      await reader.readChunk();
      if ((await p.client.cancelFlightInfo(info)) !== 'cancelled') throw new Error('not cancelled');
      await reader.readAll().catch(() => undefined);
    },
    claimed: is(SqlInfo.FLIGHT_SQL_SERVER_CANCEL, true),
  },
  {
    name: 'prepared statements run once per parameter row (batch updates)',
    attempt: async (p) => {
      const t = p.name();
      await p.client.executeUpdate(`CREATE TABLE ${t}(x INTEGER)`);
      const insert = await p.client.prepare(`INSERT INTO ${t} VALUES (?)`);
      try {
        if ((await insert.executeUpdate([[1], [2]])) !== 2) throw new Error('not one execution per row');
      } finally {
        await insert.close();
      }
    },
    claimed: is(SqlInfo.SQL_BATCH_UPDATES_SUPPORTED, true),
  },
  {
    name: 'Substrait plans',
    attempt: (p) => p.client.executeSubstrait({ plan: new Uint8Array([1]), version: '0.1.0' }),
    claimed: is(SqlInfo.FLIGHT_SQL_SERVER_SUBSTRAIT, true),
  },
  {
    name: 'CREATE/DROP SCHEMA',
    attempt: async (p) => {
      const s = p.name();
      await p.client.executeUpdate(`CREATE SCHEMA ${s}; DROP SCHEMA ${s}`);
    },
    claimed: is(SqlInfo.SQL_DDL_SCHEMA, true),
  },
  {
    name: 'CREATE/DROP TABLE',
    attempt: async (p) => {
      const t = p.name();
      await p.client.executeUpdate(`CREATE TABLE ${t}(x INTEGER); DROP TABLE ${t}`);
    },
    claimed: is(SqlInfo.SQL_DDL_TABLE, true),
  },
  {
    name: 'CREATE/DROP DATABASE',
    attempt: async (p) => {
      const c = p.name();
      await p.client.executeUpdate(`CREATE DATABASE ${c}; DROP DATABASE ${c}`);
    },
    claimed: is(SqlInfo.SQL_DDL_CATALOG, true),
  },
  {
    name: 'full outer joins',
    attempt: (p) =>
      rows(p.client, 'SELECT * FROM (SELECT 1 AS x) l FULL OUTER JOIN (SELECT 2 AS x) r ON l.x = r.x'),
    claimed: is(SqlInfo.SQL_OUTER_JOINS_SUPPORT_LEVEL, Joins.SQL_FULL_OUTER_JOINS),
  },
  {
    name: 'correlated subqueries',
    attempt: (p) => rows(p.client, 'SELECT (SELECT o.x + 1) FROM (SELECT 1 AS x) o'),
    claimed: is(SqlInfo.SQL_CORRELATED_SUBQUERIES_SUPPORTED, true),
  },
  {
    name: 'LIKE ... ESCAPE',
    attempt: (p) => rows(p.client, "SELECT 'a' LIKE 'a' ESCAPE '!'"),
    claimed: is(SqlInfo.SQL_SUPPORTS_LIKE_ESCAPE_CLAUSE, true),
  },
  {
    name: 'NOT NULL columns',
    attempt: (p) => p.client.executeUpdate(`CREATE TABLE ${p.name()}(x INTEGER NOT NULL)`),
    claimed: is(SqlInfo.SQL_SUPPORTS_NON_NULLABLE_COLUMNS, true),
  },
  {
    name: 'SELECT ... FOR UPDATE',
    attempt: (p) => rows(p.client, 'SELECT 1 FOR UPDATE'),
    claimed: is(SqlInfo.SQL_SELECT_FOR_UPDATE_SUPPORTED, true),
  },
  {
    name: 'SAVEPOINT in SQL',
    attempt: (p) => p.client.executeUpdate('BEGIN; SAVEPOINT s; ROLLBACK'),
    claimed: is(SqlInfo.SQL_SAVEPOINTS_SUPPORTED, true),
  },
];

function suite(
  title: string,
  options: ServerOptions,
  expected: { transactions: boolean; prepared: boolean },
) {
  describe(title, () => {
    const fx = useServer(options);
    let info: Info = new Map();
    let counter = 0;
    const probe: Probe = {
      get client() {
        return fx.client;
      },
      get info() {
        return info;
      },
      connect: () => fx.connect(),
      name: () => `sqlinfo${++counter}t`,
    };

    beforeAll(async () => {
      info = await fx.client.getSqlInfo();
    });

    test('every id reported has an exercise', () => {
      expect(info.size).toBeGreaterThan(50);
      const unchecked = [...info.keys()].filter((id) => !EXERCISES.has(id)).map((id) => SqlInfo[id] ?? id);
      expect(unchecked).toEqual([]);
    });

    test('the ids that depend on the options', () => {
      const transaction = expected.transactions
        ? SqlSupportedTransaction.SQL_SUPPORTED_TRANSACTION_TRANSACTION
        : SqlSupportedTransaction.SQL_SUPPORTED_TRANSACTION_NONE;
      expect(info.get(SqlInfo.FLIGHT_SQL_SERVER_TRANSACTION)).toBe(transaction);
      expect(info.get(SqlInfo.SQL_TRANSACTIONS_SUPPORTED)).toBe(expected.transactions);
      expect(info.get(SqlInfo.FLIGHT_SQL_SERVER_BULK_INGESTION)).toBe(true);
      expect(info.get(SqlInfo.FLIGHT_SQL_SERVER_INGEST_TRANSACTIONS_SUPPORTED)).toBe(expected.transactions);
      expect(info.get(SqlInfo.SQL_BATCH_UPDATES_SUPPORTED)).toBe(expected.prepared);
      expect(info.has(SqlInfo.SQL_DATA_DEFINITION_CAUSES_TRANSACTION_COMMIT)).toBe(expected.transactions);
    });

    describe('each id reported does what it claims', () => {
      test.each([...EXERCISES.keys()].sort((a, b) => a - b).map((id) => [SqlInfo[id], id] as const))(
        '%s',
        async (_name, id) => {
          const value = info.get(id);
          if (value === undefined) return; // not reported by this server
          await EXERCISES.get(id)!(probe, value);
        },
      );
    });

    describe('each capability the server has is claimed', () => {
      test.each(CAPABILITIES.map((c) => [c.name, c] as const))('%s', async (_name, capability) => {
        const does = await works(() => capability.attempt(probe));
        expect({ does, claimed: capability.claimed(info) }).toEqual({ does, claimed: does });
      });
    });
  });
}

suite('SqlInfo of the default server', {}, { transactions: true, prepared: true });
suite(
  'SqlInfo of a server without transactions or prepared statements',
  { transactions: false, preparedStatements: false },
  { transactions: false, prepared: false },
);
