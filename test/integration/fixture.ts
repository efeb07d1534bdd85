/**
 * Integration fixture: the embedded server on 127.0.0.1, port 0, started per test file and
 * closed in afterAll (arrow-rs tests/common/fixture.rs).
 */
import { FlightSQLClient, type FlightSQLClientOptions } from '../../src';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server';

export interface Fixture {
  server: RunningServer;
  client: FlightSQLClient;
  /** A new client for the fixture's server. */
  connect(options?: FlightSQLClientOptions): FlightSQLClient;
  /** Runs SQL directly in DuckDB (set-up only; tests read through Flight SQL). */
  exec(sql: string): Promise<void>;
}

export function useServer(options: ServerOptions = {}, clientOptions: FlightSQLClientOptions = {}): Fixture {
  const clients: FlightSQLClient[] = [];
  const fixture = {} as Fixture;
  beforeAll(async () => {
    fixture.server = await startServer(options);
    fixture.connect = (more = {}) => {
      const client = new FlightSQLClient({ host: fixture.server.location, ...clientOptions, ...more });
      clients.push(client);
      return client;
    };
    fixture.client = fixture.connect();
    fixture.exec = async (sql) => {
      const connection = await fixture.server.engine.connect();
      try {
        await connection.run(sql);
      } finally {
        connection.closeSync();
      }
    };
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await fixture.server?.close();
  });
  return fixture;
}

/** Runs `sql` through execute -> endpoints[0].ticket -> doGet -> readAll. */
export async function queryTable(client: FlightSQLClient, sql: string) {
  const info = await client.execute(sql);
  const reader = await client.doGet(info.endpoints[0]!.ticket);
  return reader.readAll();
}
