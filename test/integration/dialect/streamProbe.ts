/**
 * Ends a Knex `.stream()` one way (named by argv[2]), then calls `db.destroy()` at once, as an
 * application that gives up would, and waits: whatever the stream does late must not throw.
 * Prints one JSON line ({ scenario, caught, runningQueries }) and exits 0; an uncaught exception
 * or unhandled rejection is printed to stderr and exits 1. Run by streams.test.ts.
 */
import knex, { type Knex } from 'knex';
import FlightSQLDialect from '../../../dialect';
import { startServer, type RunningServer } from '../../../src/server';

const SLOW = 'select sum(range) as s from range(10000000000000)';
const ENDLESS = 'select range as n from range(1000000000000)';
const FAILS =
  "select range as n, (case when range < 100 then range::varchar else 'x' end)::integer as v from range(1000000)";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (err: unknown) => {
    process.stderr.write(`${event}: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}

async function until(condition: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(10);
  }
}

const scenarios: Record<string, (db: Knex, server: RunningServer) => Promise<string | undefined>> = {
  /** The query fails (DataError) before its first batch; the loop rejects. */
  async 'error-then-destroy'(db) {
    try {
      for await (const _row of db.raw(FAILS).stream());
    } catch (err) {
      return (err as Error).name;
    }
  },
  /** The stream is destroyed while the server computes its first batch. */
  async 'destroy-before-first-batch'(db, server) {
    const stream = db.raw(SLOW).stream();
    stream.on('error', () => undefined);
    await until(() => server.engine.runningQueries === 1);
    stream.destroy();
    return undefined;
  },
  /** The loop is left after some rows. */
  async 'break-mid-stream'(db) {
    let rows = 0;
    for await (const _row of db.raw(ENDLESS).stream()) if (++rows === 3000) break;
    return undefined;
  },
  /** The server goes away mid-stream; the loop rejects. */
  async 'server-gone-mid-stream'(db, server) {
    let rows = 0;
    try {
      for await (const _row of db.raw(ENDLESS).stream()) if (++rows === 3000) void server.close();
    } catch (err) {
      return (err as Error).name;
    }
  },
};

async function main(): Promise<void> {
  const scenario = process.argv[2]!;
  const server = await startServer();
  const db = knex({ client: FlightSQLDialect, connection: server.location, log: { warn: () => undefined } });
  const caught = await scenarios[scenario]!(db, server);
  await db.destroy();
  // Long enough for a late 'close' of the stream, or of its source, to come.
  await sleep(300);
  const runningQueries = server.engine.runningQueries;
  await server.close().catch(() => undefined);
  process.stdout.write(`${JSON.stringify({ scenario, caught, runningQueries })}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(2);
  },
);
