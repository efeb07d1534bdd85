/** `flightsql serve`: runs the embedded server in the foreground and prints its location. */
import { startServer } from '../server';
import { UsageError, parseFlags, portOf, positiveIntOf } from './args';

const USAGE = `usage: flightsql serve [flags]

Runs the embedded Flight SQL server (DuckDB inside) in the foreground and prints its location
(grpc+tcp://HOST:PORT) on the first line of stdout. The same port takes InfluxDB line-protocol
writes over HTTP. Ctrl-C (SIGINT) or SIGTERM stops it.

flags:
  --host ADDRESS       interface to listen on (default 127.0.0.1)
  --port N             port, 0 for a free one (default 0); \`flightsql query\` and \`shell\` connect
                       to 31337 by default, so \`--port 31337\` needs no --host on their side
  --database FILE      DuckDB database file (default :memory:)
  --token T            require this bearer token (default FLIGHTSQL_TOKEN; none: no auth)
  --partitions N       split each query result into N endpoints (default 1)
  --http-port N        also listen for HTTP writes on this port (its URL on stdout's second line)
  --allow-dir DIR      let clients read and write files under DIR (repeat)
  --full-access        let clients reach every file, extension and setting (trusted clients only)

examples:
  flightsql serve --port 31337 --database data.duckdb
  flightsql serve --port 0 --token secret --partitions 4`;

const FLAGS = {
  host: { type: 'string', default: '127.0.0.1' },
  port: { type: 'string', default: '0' },
  database: { type: 'string', default: ':memory:' },
  token: { type: 'string' },
  partitions: { type: 'string', default: '1' },
  'http-port': { type: 'string' },
  'allow-dir': { type: 'string', multiple: true },
  'full-access': { type: 'boolean', default: false },
} as const;

/** `flightsql serve`: see the usage text. */
export async function serve(argv: string[]): Promise<void> {
  const parsed = parseFlags('serve', argv, FLAGS, USAGE);
  if (parsed === 'help') return;
  const { values, positionals } = parsed;
  if (positionals.length > 0)
    throw new UsageError(`flightsql serve: unexpected argument '${positionals[0]}'`);
  const port = portOf('port', values.port);
  const httpPort = values['http-port'] === undefined ? undefined : portOf('http-port', values['http-port']);
  const partitions = positiveIntOf('partitions', values.partitions, 'serve');
  const server = await startServer({
    host: values.host,
    port,
    database: values.database,
    token: values.token ?? process.env['FLIGHTSQL_TOKEN'],
    partitions,
    httpPort,
    allowedDirectories: values['allow-dir'],
    fullAccess: values['full-access'],
  });
  // One line, the location (scripts parse it): its port also takes HTTP writes. A separate
  // --http-port listener's URL comes on a second line.
  process.stdout.write(`${server.location}\n${httpPort !== undefined ? `${server.httpUrl}\n` : ''}`);
  if (process.stderr.isTTY) {
    const http = `${server.location.startsWith('grpc+tls') ? 'https' : 'http'}://${server.location.replace(/^[^:]+:\/\//, '')}`;
    process.stderr.write(
      `Flight SQL and HTTP writes (InfluxDBClient3 host: '${http}') on one port; Ctrl-C stops\n`,
    );
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
}
