/**
 * An unexpected answer's body only makes the error message: a server or proxy sending a huge
 * one is cut off at ERROR_BODY_BYTES, quickly, without reading the rest.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { InfluxDBClient, InfluxDBClient3, InfluxDBServerError } from '../../../src/influx';
import { ERROR_BODY_BYTES } from '../../../src/influx/http';

let server: http.Server;
let url: string;
let sent = 0;

beforeAll(async () => {
  // 500 with an endless body: 1 MiB chunks for as long as the client reads.
  server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(500, { 'content-type': 'text/plain' });
    const chunk = Buffer.alloc(1024 * 1024, 'x');
    const pump = () => {
      while (!res.destroyed && sent < 2 * 1024 ** 3) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => undefined);
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

test('InfluxDBClient: a 500 with an endless body fails fast, the body read no further than the message needs', async () => {
  sent = 0;
  const { port } = new URL(url);
  const client = new InfluxDBClient({ host: '127.0.0.1', port: Number(port), retries: 1 });
  try {
    const started = Date.now();
    const err = await client.ping().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InfluxDBServerError);
    expect((err as Error).message.length).toBeLessThan(ERROR_BODY_BYTES + 1000);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(sent).toBeLessThan(64 * 1024 * 1024);
  } finally {
    await client.close();
  }
});

test('InfluxDBClient3: the same for getServerVersion', async () => {
  sent = 0;
  const client = new InfluxDBClient3({
    host: url,
    database: 'db',
    writeOptions: { maxRetries: 0, batchSize: 1 },
  });
  try {
    const err = await client.getServerVersion().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InfluxDBServerError);
    expect((err as Error).message.length).toBeLessThan(ERROR_BODY_BYTES + 1000);
    expect(sent).toBeLessThan(64 * 1024 * 1024);
  } finally {
    await client.close();
  }
});
