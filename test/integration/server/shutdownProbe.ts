/**
 * A child process for shutdown.test.ts: starts the embedded server, runs small reads (leaving
 * idle pooled connections) and long DuckDB queries from a client (aborting some), closes everything, and prints when close() resolved. The test checks
 * that the process then exits by itself.
 */
import { FlightSQLClient } from '../../../src';
import { startServer } from '../../../src/server';

const LONG = 'SELECT a FROM range(100000000000) t(a) WHERE a % 1000000007 = 3';

async function main(): Promise<void> {
  const server = await startServer({ httpPort: 0 });
  const client = new FlightSQLClient({ host: server.location });
  // Small reads first: their connections wait idle in the engine's pool (one with a statement
  // still prepared by a GetFlightInfo whose ticket is never redeemed), which close() must close.
  for (let i = 0; i < 3; i++) {
    const info = await client.execute('SELECT 42');
    await (await client.doGet(info.endpoints[0]!.ticket)).readAll();
  }
  await client.execute('SELECT 43');
  if (server.engine.idleConnections === 0) throw new Error('no connection was kept for reuse');
  const calls: Promise<unknown>[] = [];
  const controllers: AbortController[] = [];
  for (let i = 0; i < 4; i++) {
    const controller = new AbortController();
    controllers.push(controller);
    const query = (async () => {
      const info = await client.execute(LONG);
      const reader = await client.doGet(info.endpoints[0]!.ticket, { signal: controller.signal });
      return reader.readAll();
    })();
    calls.push(query.catch(() => undefined));
  }
  // An update and a prepared statement that compute for long too.
  calls.push(client.executeUpdate(`CREATE TABLE t AS ${LONG}`).catch(() => undefined));
  await new Promise((resolve) => setTimeout(resolve, 500));
  // Half of the calls are aborted by the client; the others are still running at close().
  controllers[0]!.abort();
  controllers[1]!.abort();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const started = Date.now();
  await server.close();
  process.stdout.write(`closed in ${Date.now() - started} ms\n`);
  await client.close();
  await Promise.all(calls);
  process.stdout.write('calls settled\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exitCode = 1;
});
