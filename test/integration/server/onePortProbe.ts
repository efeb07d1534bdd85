/**
 * A child process for onePort.test.ts (`node --import tsx onePortProbe.ts plain|tls [certDir]`):
 * starts the embedded server, writes and queries with InfluxDBClient3 through the one URL
 * `server.httpUrl` (https:// with tls; fetch reads the CA from NODE_EXTRA_CA_CERTS), leaves a gRPC
 * connection and an HTTP keep-alive connection open, closes the server and prints what it saw.
 * The test checks that the process then exits by itself.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InfluxDBClient3 } from '../../../src/influx';
import { startServer } from '../../../src/server';

async function main(): Promise<void> {
  const [mode, certDir] = process.argv.slice(2);
  const file = (name: string) => readFileSync(join(certDir!, name));
  const tls = mode === 'tls' ? { cert: file('server.pem'), key: file('server.key') } : undefined;
  const server = await startServer({ token: 'probe-token', tls });
  // No flightOptions host: queries go to httpUrl's port. gRPC does not read NODE_EXTRA_CA_CERTS
  // (fetch does), so over TLS the CA is given to the Flight side.
  const client = new InfluxDBClient3({
    host: server.httpUrl,
    token: 'probe-token',
    database: 'probe',
    ...(tls ? { flightOptions: { tls: { ca: file('ca.pem').toString() } } } : {}),
  });
  try {
    await client.write('room,name=kitchen temp=21.5 1700000000000000000');
    const rows = await client.query('SELECT name, temp FROM room', { mode: 'rows' });
    const seen: unknown[] = [];
    for await (const row of rows) seen.push(row);
    process.stdout.write(
      `${JSON.stringify({ url: server.httpUrl, location: server.location, rows: seen })}\n`,
    );
  } finally {
    // The client's connections stay open: close() must end them itself.
    const started = Date.now();
    await server.close();
    process.stdout.write(`closed in ${Date.now() - started} ms\n`);
    await client.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exitCode = 1;
});
