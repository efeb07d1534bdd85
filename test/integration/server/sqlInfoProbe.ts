/**
 * What the SqlInfo exercises work with (sqlInfoExercises.ts): the server's client and helpers
 * that try a claim through it.
 */
import { Table, vectorFromArray } from 'apache-arrow';
import {
  NotSupportedError,
  RowConverter,
  type FlightSQLClient,
  type SqlInfoValue,
  type StatementOptions,
  type Transaction,
} from '../../../src';

/** What an exercise works with: the server's client and helpers over it. */
export interface Probe {
  readonly client: FlightSQLClient;
  /** Every value the server reported. */
  readonly info: ReadonlyMap<number, SqlInfoValue>;
  /** A further client of the same server. */
  connect(): FlightSQLClient;
  /** A table name no other exercise uses (letters and digits only). */
  name(): string;
}

/** Checks that the server does what `value` claims for one id. */
export type Exercise = (probe: Probe, value: SqlInfoValue) => Promise<void>;

/** The rows of `sql` (arrays), read through GetFlightInfo and DoGet. */
export async function rows(
  client: FlightSQLClient,
  sql: string,
  options: StatementOptions = {},
): Promise<unknown[][]> {
  const info = await client.execute(sql, options);
  const table = await (await client.doGet(info.endpoints[0]!.ticket)).readAll();
  const converter = new RowConverter(table.schema);
  return table.batches.flatMap((b) => converter.rows(b) as unknown[][]);
}

/** The first value of the first row of `sql`. */
export async function scalar(client: FlightSQLClient, sql: string, options: StatementOptions = {}) {
  return (await rows(client, sql, options))[0]?.[0];
}

/** Whether `attempt` succeeds. */
export async function works(attempt: () => Promise<unknown>): Promise<boolean> {
  return attempt().then(
    () => true,
    () => false,
  );
}

/** A boolean claim against what happens: true must work, false must be refused. */
export async function claim(value: SqlInfoValue, attempt: () => Promise<unknown>): Promise<void> {
  expect(typeof value).toBe('boolean');
  if (value === true) await attempt();
  else await expect(attempt()).rejects.toThrow();
}

/** Each bit of a bitmask against its attempt: set bits must work, clear bits must be refused. */
export async function bits(
  value: SqlInfoValue,
  attempts: readonly (() => Promise<unknown>)[],
): Promise<void> {
  expect(typeof value).toBe('number');
  const mask = value as number;
  expect(mask >> attempts.length).toBe(0); // no bit this check does not know
  for (const [bit, attempt] of attempts.entries()) await claim((mask & (1 << bit)) !== 0, attempt);
}

export const ingestData = (ids: number[]) => new Table({ id: vectorFromArray(Int32Array.from(ids)) });

export const tableCount = async (p: Probe, table: string, options: StatementOptions = {}) =>
  Number(await scalar(p.client, `SELECT count(*) FROM ${table}`, options));

export const tableExists = async (p: Probe, table: string) =>
  (await p.client.getTables({ tableNameFilterPattern: table })).some((t) => t.tableName === table);

/** A table `name(a, b)` holding (1, 10), (2, 20), (2, NULL). */
export async function sample(p: Probe): Promise<string> {
  const t = p.name();
  await p.client.executeUpdate(
    `CREATE TABLE ${t}(a INTEGER, b INTEGER); INSERT INTO ${t} VALUES (1, 10), (2, 20), (2, NULL)`,
  );
  return t;
}

/** A transaction, or undefined when the server has none. */
export async function begin(p: Probe): Promise<Transaction | undefined> {
  return p.client.beginTransaction().catch((err: unknown) => {
    expect(err).toBeInstanceOf(NotSupportedError);
    return undefined;
  });
}
