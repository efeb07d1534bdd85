/**
 * Integration harness for InfluxDB 1.x: starts Debian's `influxd` per test file on free
 * loopback ports with a temporary directory (scripts/influxd.cjs, shared with the
 * benchmark), and stops it and every client in afterAll.
 */
import { InfluxDBClient, type InfluxDBClientOptions } from '../../src/influx';
import { startInfluxd, type InfluxdOptions, type RunningInfluxd } from '../../scripts/influxd.cjs';

export interface InfluxFixture {
  server: RunningInfluxd;
  /** A client of the server (as admin on an auth instance). */
  client: InfluxDBClient;
  /** A new client of the server; closed in afterAll. */
  connect(options?: InfluxDBClientOptions): InfluxDBClient;
}

/** Starts one influxd for the test file (`{ auth: true }` for the instance with authentication). */
export function useInfluxd(options: InfluxdOptions = {}): InfluxFixture {
  const clients: InfluxDBClient[] = [];
  const fixture = {} as InfluxFixture;
  beforeAll(async () => {
    fixture.server = await startInfluxd(options);
    fixture.connect = (more = {}) => {
      const client = new InfluxDBClient({
        host: fixture.server.host,
        port: fixture.server.port,
        ...(fixture.server.admin ?? {}),
        ...more,
      });
      clients.push(client);
      return client;
    };
    fixture.client = fixture.connect();
  }, 30_000);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await fixture.server?.stop();
  });
  return fixture;
}

/** A database name unique within the test file. */
let counter = 0;
export function uniqueName(prefix = 'db'): string {
  counter += 1;
  return `${prefix}_${process.pid}_${counter}`;
}
