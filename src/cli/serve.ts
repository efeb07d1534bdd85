/** `flightsql serve`: runs the embedded server in the foreground and prints its location. */
import { parseArgs } from 'node:util';
import { startServer } from '../server';

export async function serve(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      database: { type: 'string', default: ':memory:' },
      token: { type: 'string' },
      partitions: { type: 'string', default: '1' },
      'http-port': { type: 'string' },
      'allow-dir': { type: 'string', multiple: true },
      'full-access': { type: 'boolean', default: false },
    },
  });
  const httpPort = values['http-port'] === undefined ? undefined : Number(values['http-port']);
  if (httpPort !== undefined && !(Number.isInteger(httpPort) && httpPort >= 0 && httpPort <= 65535)) {
    throw new Error(`--http-port must be a port number (0 picks a free one), not '${values['http-port']}'`);
  }
  const server = await startServer({
    host: values.host,
    port: Number(values.port),
    database: values.database,
    token: values.token ?? process.env['FLIGHTSQL_TOKEN'],
    partitions: Number(values.partitions),
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
