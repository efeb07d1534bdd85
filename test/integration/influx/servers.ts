/**
 * Local servers for the transport tests: each listens on 127.0.0.1:0 and is closed, with
 * every connection and client, in afterAll.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import { InfluxDBClient, type InfluxDBClientOptions } from '../../../src/influx';

export interface LocalServers {
  /** Listens on 127.0.0.1:0; closed with every connection in afterAll. */
  listen(server: net.Server): Promise<number>;
  /** A client closed in afterAll. */
  client(options: InfluxDBClientOptions): InfluxDBClient;
  /** Runs in afterAll, last registered first. */
  onCleanup(cleanup: () => Promise<void> | void): void;
}

export function useLocalServers(): LocalServers {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  return {
    async listen(server) {
      const sockets = new Set<net.Socket>();
      server.on('connection', (s: net.Socket) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      cleanups.push(
        () =>
          new Promise<void>((resolve) => {
            for (const s of sockets) s.destroy();
            server.close(() => resolve());
          }),
      );
      return (server.address() as net.AddressInfo).port;
    },
    client(options) {
      const c = new InfluxDBClient(options);
      cleanups.push(() => c.close());
      return c;
    },
    onCleanup(cleanup) {
      cleanups.push(cleanup);
    },
  };
}

/** A server that answers like influxd, after destroying the first `failures` requests' connections. */

/** A forwarding proxy (absolute-URI requests and CONNECT tunnels) that records what passes. */

/** A server that answers like influxd, after destroying the first `failures` requests' connections. */
export async function flaky(local: LocalServers, failures: number) {
  const seen = { requests: 0 };
  const server = http.createServer((req, res) => {
    seen.requests++;
    if (seen.requests <= failures) {
      req.socket.destroy();
      return;
    }
    req.resume();
    req.on('end', () => {
      if (req.url?.startsWith('/ping')) {
        res.writeHead(204, { 'X-Influxdb-Version': 'fake-1.0' }).end();
      } else if (req.url?.startsWith('/write')) {
        res.writeHead(204).end();
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"results":[{"statement_id":0}]}');
      }
    });
  });
  const port = await local.listen(server);
  return { port, seen };
}

/** What the recording proxy saw of one request. */
export interface ProxiedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  responseHeaders?: http.IncomingHttpHeaders;
}

/** A forwarding proxy (absolute-URI requests and CONNECT tunnels) that records what passes. */
export async function recordingProxy(local: LocalServers) {
  const log = { connections: 0, closed: 0, requests: [] as ProxiedRequest[], tunnels: [] as string[] };
  const server = http.createServer((req, res) => {
    const entry: ProxiedRequest = { method: req.method!, url: req.url!, headers: req.headers };
    log.requests.push(entry);
    const target = new URL(req.url!);
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: req.method,
        headers: req.headers,
      },
      (up) => {
        entry.responseHeaders = up.headers;
        res.writeHead(up.statusCode!, up.headers);
        up.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  server.on('connection', (s: net.Socket) => {
    log.connections++;
    s.on('close', () => log.closed++);
  });
  server.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    log.tunnels.push(req.url!);
    const [host, port] = req.url!.split(':');
    const upstream = net.connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  const port = await local.listen(server);
  return { port, log };
}
