/** `flightsql query SQL`: runs a query against a Flight SQL server and prints the result. */
import { parseArgs } from 'node:util';
import { FlightSQLClient } from '../index';
import { formatTable } from './format';

export async function query(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      host: { type: 'string' },
      token: { type: 'string' },
      database: { type: 'string' },
      'max-rows': { type: 'string', default: '50' },
    },
  });
  const sql = positionals.join(' ');
  if (!sql) throw new Error('usage: flightsql query [--host URI] [--token T] [--database DB] "SQL"');
  const client = new FlightSQLClient({
    host: values.host,
    token: values.token,
    metadata: values.database ? { database: values.database } : undefined,
  });
  try {
    const info = await client.execute(sql);
    for (const endpoint of info.endpoints) {
      const reader = await client.doGet(endpoint.ticket);
      process.stdout.write(`${formatTable(await reader.readAll(), Number(values['max-rows']))}\n`);
    }
  } finally {
    await client.close();
  }
}
