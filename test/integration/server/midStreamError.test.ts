/**
 * A query that fails after DuckDB has streamed part of its result: the read fails after the rows
 * already sent, and never ends as if those rows were the whole result.
 *
 * DuckDB's Node bindings end such a result as they end a finished one and keep its error to
 * themselves (no `duckdb_result_error`), so the server knows that it failed, not why: it answers
 * UNKNOWN, which the client raises as a DatabaseError. Were the bindings to report the error, this
 * one (a Conversion Error) would be OUT_OF_RANGE, a DataError.
 */
import { status } from '@grpc/grpc-js';
import { connect, DatabaseError, FlightSQLClient, type Connection } from '../../../src';
import { startServer, type RunningServer } from '../../../src/server';

const TOTAL = 2_000_000;
const FAILS_AT = 1_000_000;
/**
 * Fails at row FAILS_AT, once DuckDB has produced many batches (range() runs on one thread, so
 * where it fails does not depend on the machine; the rows DuckDB buffered ahead are lost).
 */
const FAILING = `SELECT range AS v, (CASE WHEN range < ${FAILS_AT} THEN range::VARCHAR ELSE 'x' END)::INTEGER AS w
  FROM range(${TOTAL})`;
const FAILING_PREPARED = `SELECT range AS v, (CASE WHEN range < ? THEN range::VARCHAR ELSE 'x' END)::INTEGER AS w
  FROM range(${TOTAL})`;
const HEALTHY = `SELECT range AS v, range::INTEGER AS w FROM range(${TOTAL})`;

let server: RunningServer;
let client: FlightSQLClient;
let con: Connection;

beforeAll(async () => {
  server = await startServer({ port: 0 });
  client = new FlightSQLClient({ host: server.location });
  con = await connect(server.location);
});
afterAll(async () => {
  await con.close();
  await client.close();
  await server.close();
});

/** Reads `batches` to the end: the rows read, and how the read ended. */
async function drain(
  batches: AsyncIterable<{ numRows: number }>,
): Promise<{ rows: number; error?: unknown }> {
  let rows = 0;
  try {
    for await (const batch of batches) rows += batch.numRows;
  } catch (error) {
    return { rows, error };
  }
  return { rows };
}

function expectCutShort({ rows, error }: { rows: number; error?: unknown }): void {
  expect(error).toBeInstanceOf(DatabaseError);
  expect((error as DatabaseError).grpcCode).toBe(status.UNKNOWN);
  expect((error as Error).message).toMatch(/the query failed after \d+ rows/);
  // Several batches arrived before the failure (a batch is at most 65,536 rows).
  expect(rows).toBeGreaterThan(2 * 65_536);
  expect(rows).toBeLessThan(FAILS_AT);
}

async function queryRows(sql: string): Promise<{ rows: number; error?: unknown }> {
  const info = await client.execute(sql);
  return drain(await client.doGet(info.endpoints[0]!.ticket));
}

test('FlightSQLClient: a query failing mid-stream rejects after the rows sent', async () => {
  expectCutShort(await queryRows(FAILING));
  // readAll() rejects too, rather than returning the rows before the failure.
  const info = await client.execute(FAILING);
  const reader = await client.doGet(info.endpoints[0]!.ticket);
  await expect(reader.readAll()).rejects.toThrow(DatabaseError);
});

test('FlightSQLClient: a prepared query failing mid-stream rejects after the rows sent', async () => {
  const prepared = await client.prepare(FAILING_PREPARED);
  try {
    const info = await prepared.execute([FAILS_AT]);
    expectCutShort(await drain(await client.doGet(info.endpoints[0]!.ticket)));
  } finally {
    await prepared.close();
  }
});

test('PEP 249 cursor: iteration and fetchall() reject after the rows sent', async () => {
  const cur = con.cursor();
  await cur.execute(FAILING);
  let rows = 0;
  let error: unknown;
  try {
    for await (const _ of cur) rows++;
  } catch (e) {
    error = e;
  }
  expectCutShort({ rows, error });

  await cur.execute(FAILING);
  await expect(cur.fetchall()).rejects.toThrow(DatabaseError);
  await cur.close();
});

test('a healthy result of the same size ends with every row, through both', async () => {
  expect(await queryRows(HEALTHY)).toEqual({ rows: TOTAL });
  const cur = con.cursor();
  await cur.execute(HEALTHY);
  expect(await drain(cur.fetchRecordBatches())).toEqual({ rows: TOTAL });
  await cur.close();
});

test('the failed queries leave nothing running', async () => {
  for (let i = 0; i < 100 && server.engine.runningQueries > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(server.engine.runningQueries).toBe(0);
});
