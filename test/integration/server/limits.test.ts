/**
 * Bounded requests: a call without a valid token is refused before its message is read, each
 * gRPC method has a receive limit (4 MiB, 256 MiB for DoPut batches), an HTTP write over the
 * body limit gets a 413 the client can read (and InfluxDBClient3 does not retry it), and the new
 * fields of one write are added in one schema change.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { request as httpRequest } from 'node:http';
import { connect as http2Connect } from 'node:http2';
import { gzipSync } from 'node:zlib';
import { tableFromArrays } from 'apache-arrow';
import { FlightSQLClient, OperationalError } from '../../../src';
import { InfluxDBClient3 } from '../../../src/influx';
import { startServer, type RunningServer } from '../../../src/server';
import { queryTable } from '../fixture';

const TOKEN = 'limits-token';
const MiB = 1024 * 1024;

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ token: TOKEN, httpMaxBodyBytes: MiB });
});
afterAll(() => server.close());

/**
 * Sends a GetFlightInfo whose gRPC prefix declares `declared` bytes without a token, streaming
 * zeros until the server answers; returns the grpc-status and how much the client got to write.
 */
async function unauthenticatedHugeCall(port: number, declared: number) {
  const session = http2Connect(`http://127.0.0.1:${port}`);
  session.on('error', () => undefined);
  const stream = session.request({
    ':method': 'POST',
    ':path': '/arrow.flight.protocol.FlightService/GetFlightInfo',
    'content-type': 'application/grpc',
    te: 'trailers',
  });
  stream.on('error', () => undefined);
  let status: string | undefined;
  const answered = new Promise<void>((resolve) => {
    stream.on('response', (headers) => {
      status ??= headers['grpc-status'] as string | undefined;
      resolve();
    });
    stream.on('close', resolve);
  });
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(declared, 1);
  stream.write(prefix);
  const chunk = Buffer.alloc(MiB);
  let written = 0;
  let done = false;
  void answered.then(() => (done = true));
  while (!done && written < declared) {
    written += chunk.length;
    if (!stream.write(chunk)) {
      await Promise.race([answered, new Promise((resolve) => stream.once('drain', resolve))]);
    }
  }
  await answered;
  stream.close();
  session.destroy();
  return { status, written };
}

describe('gRPC', () => {
  test('a 300 MB call without a token is refused before its message is read', async () => {
    const rss = process.memoryUsage().rss;
    const started = Date.now();
    const { status, written } = await unauthenticatedHugeCall(server.port, 300 * MiB);
    expect(status).toBe('16'); // UNAUTHENTICATED
    expect(Date.now() - started).toBeLessThan(5_000);
    // HTTP/2 flow control stops the client after a window or so: nothing like 300 MB.
    expect(written).toBeLessThan(32 * MiB);
    expect(process.memoryUsage().rss - rss).toBeLessThan(100 * MiB);
  });

  test('without a token a large message is UNAUTHENTICATED, with one RESOURCE_EXHAUSTED', async () => {
    const sql = `SELECT '${'x'.repeat(5 * MiB)}'`;
    const anonymous = new FlightSQLClient({ host: server.location, timeoutMs: 20_000 });
    const trusted = new FlightSQLClient({ host: server.location, token: TOKEN, timeoutMs: 20_000 });
    try {
      const refused = await anonymous.execute(sql).catch((e: unknown) => e);
      expect((refused as OperationalError).grpcStatus).toBe('UNAUTHENTICATED');
      const large = await trusted.execute(sql).catch((e: unknown) => e);
      expect(large).toBeInstanceOf(OperationalError);
      expect((large as OperationalError).grpcStatus).toBe('RESOURCE_EXHAUSTED');
      expect((large as Error).message).toMatch(/larger than max \(\d+ vs 4194304\)/);
      // Small calls are unaffected.
      expect((await queryTable(trusted, 'SELECT 1 AS one')).getChild('one')!.get(0)).toBe(1);
    } finally {
      await Promise.all([anonymous.close(), trusted.close()]);
    }
  });

  test('a DoPut batch over the request limit is accepted; over maxPutMessageBytes it is not', async () => {
    // About 12 MB in one record batch (one DoPut message).
    const table = tableFromArrays({ s: Array.from({ length: 1200 }, (_, i) => `${i}`.padEnd(10_000, '.')) });
    const client = new FlightSQLClient({ host: server.location, token: TOKEN, timeoutMs: 60_000 });
    const small = await startServer({ maxPutMessageBytes: MiB });
    const capped = new FlightSQLClient({ host: small.location, timeoutMs: 60_000 });
    try {
      expect(await client.executeIngest(table, { table: 'big_put' })).toBe(1200);
      const counted = await queryTable(
        client,
        'SELECT count(*)::INT AS n, sum(length(s))::BIGINT AS bytes FROM big_put',
      );
      expect([counted.getChild('n')!.get(0), counted.getChild('bytes')!.get(0)]).toEqual([1200, 12_000_000n]);
      const refused = await capped.executeIngest(table, { table: 'big_put' }).catch((e: unknown) => e);
      expect((refused as OperationalError).grpcStatus).toBe('RESOURCE_EXHAUSTED');
    } finally {
      await Promise.all([client.close(), capped.close()]);
      await small.close();
    }
  });
});

describe('HTTP writes over the limit', () => {
  const url = () => `${server.httpUrl}/api/v3/write_lp?db=limits`;
  const headers = { authorization: `Bearer ${TOKEN}` };
  const line = 'm,host=h v=1.5 1700000000000000000\n';
  const big = Buffer.from(line.repeat(Math.ceil((3 * MiB) / line.length)));

  test('a body with a Content-Length over the limit gets a readable 413 (not EPIPE)', async () => {
    const res = await fetch(url(), { method: 'POST', headers, body: big });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: expect.stringContaining(`${MiB} bytes`), data: null });
  });

  test('so does a chunked body, a gzip body that grows past it, and a refused token', async () => {
    const chunked = await fetch(url(), {
      method: 'POST',
      headers,
      body: new Blob([big]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    await chunked.arrayBuffer();
    const gzip = await fetch(url(), {
      method: 'POST',
      headers: { ...headers, 'content-encoding': 'gzip' },
      body: gzipSync(big),
    });
    expect(gzip.status).toBe(413);
    await gzip.arrayBuffer();
    const denied = await fetch(url(), {
      method: 'POST',
      headers: { authorization: 'Bearer nope' },
      body: big,
    });
    expect(denied.status).toBe(401);
    await denied.arrayBuffer();
  });

  test('behind Expect: 100-continue, the 413 comes before the body is sent', async () => {
    const answer = await new Promise<{ status: number; continued: boolean }>((resolve, reject) => {
      let continued = false;
      const req = httpRequest(url(), {
        method: 'POST',
        headers: { ...headers, expect: '100-continue', 'content-length': big.length },
      });
      req.on('continue', () => {
        continued = true;
        req.end(big);
      });
      req.on('response', (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, continued });
        req.destroy();
      });
      req.on('error', reject);
    });
    expect(answer).toEqual({ status: 413, continued: false });
  });

  test('InfluxDBClient3 sends a refused write once, gzipped or not', async () => {
    const requests: string[] = [];
    const onRequest = (message: unknown) => {
      const { request } = message as { request: { url?: string } };
      if (request.url?.includes('db=limits413')) requests.push(request.url);
    };
    subscribe('http.server.request.start', onRequest);
    const retried: unknown[] = [];
    try {
      for (const gzipThreshold of [1000, Number.MAX_SAFE_INTEGER]) {
        const client = new InfluxDBClient3({
          host: server.httpUrl,
          token: TOKEN,
          database: 'limits413',
          writeOptions: {
            batching: false,
            batchSize: 100_000,
            gzipThreshold,
            retryInterval: 10,
            retry: (_b, err) => retried.push(err),
          },
        });
        try {
          const lines = Array.from({ length: 80_000 }, (_, i) => `m,host=h${i} v=${i} ${i + 1}`);
          const err = await client.write(lines).catch((e: unknown) => e);
          expect(err).toMatchObject({ httpStatus: 413 });
        } finally {
          await client.close();
        }
      }
    } finally {
      unsubscribe('http.server.request.start', onRequest);
    }
    expect(retried).toEqual([]);
    expect(requests).toHaveLength(2);
  });
});

test('2,000 new fields of one line are added in one schema change', async () => {
  const write = (body: string) =>
    fetch(`${server.httpUrl}/api/v3/write_lp?db=wide&precision=second`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body,
    });
  const fields = (prefix: string) => Array.from({ length: 2000 }, (_, i) => `${prefix}${i}=${i}.5`).join(',');
  // DuckDB's catalog gets a new version of the table for every change: count them by its oid
  // (a rebuild makes one new table; ALTERs would leave the same oid 2,000 versions later).
  expect((await write(`wide,room=a v=1 1`)).status).toBe(204);
  const client = new FlightSQLClient({ host: server.location, token: TOKEN });
  try {
    const oid = async () =>
      (await queryTable(client, "SELECT table_oid FROM duckdb_tables() WHERE table_name = 'wide'"))
        .getChild('table_oid')!
        .get(0) as bigint;
    const before = await oid();
    const started = Date.now();
    expect((await write(`wide,room=b ${fields('f')} 2`)).status).toBe(204);
    const elapsed = Date.now() - started;
    expect(await oid()).not.toBe(before);
    const row = await queryTable(client, 'SELECT room, v, f0, f1999 FROM wide.wide ORDER BY time');
    expect(row.toArray().map((r) => ({ ...r }))).toEqual([
      { room: 'a', v: 1, f0: null, f1999: null },
      { room: 'b', v: null, f0: 0.5, f1999: 1999.5 },
    ]);
    // One ALTER per column took 13 s here; a generous bound against a return to that.
    expect(elapsed).toBeLessThan(8_000);
    // A new measurement with 2,000 fields: one CREATE TABLE and one table comment.
    expect((await write(`fresh ${fields('g')} 1`)).status).toBe(204);
  } finally {
    await client.close();
  }
});
