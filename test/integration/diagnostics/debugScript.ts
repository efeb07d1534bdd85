/**
 * Run by debuglog.test.ts in a child process (`node --import tsx`): a few statements against
 * the embedded server, so that NODE_DEBUG=flightsql has something to print.
 */
import { FlightSQLClient } from '../../../src';
import { startServer } from '../../../src/server';

async function main(): Promise<void> {
  const server = await startServer();
  const client = new FlightSQLClient({ host: server.location, token: 'tok-never-printed' });
  try {
    const info = await client.execute('SELECT range AS i\n  FROM range(1000)');
    await (await client.doGet(info.endpoints[0]!.ticket)).readAll();
    await client.executeUpdate('CREATE TABLE t (x INTEGER)');
    await client.executeUpdate('INSERT INTO t VALUES (1), (2)');
    await client.getTables();
    await client.execute('SELEC 1').catch(() => undefined);
    process.stdout.write('script done\n');
  } finally {
    await client.close();
    await server.close();
  }
}

void main();
