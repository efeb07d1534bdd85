// One benchmark client, in its own process: `node --expose-gc bench/client.mjs <name>`.
// Reads BENCH_* settings from the environment (set by bench/run.mjs), runs one small warm-up
// query, then BENCH_RUNS timed runs of `SELECT * FROM bench`, each summing column f1, and
// prints one line `BENCH_RESULT {json}` on stdout. Never throws: failures are reported in JSON.
import { createRequire } from 'node:module';
import { readFileSync, openSync, writeSync, closeSync } from 'node:fs';
import {
  statementQueryDescriptor,
  ticketsOfFlightInfo,
  ticketMessage,
  ipcMessageOf,
  IPC_EOS,
} from './proto.mjs';

const require = createRequire(import.meta.url);
const name = process.argv[2];
const env = process.env;
const port = Number(env.BENCH_PORT);
const location = env.BENCH_LOCATION;
const token = env.BENCH_TOKEN || undefined;
const username = env.BENCH_USERNAME || undefined;
const password = env.BENCH_PASSWORD || undefined;
const runs = Math.max(1, Number(env.BENCH_RUNS ?? 2));
const warmupRows = Number(env.BENCH_WARMUP_ROWS ?? 50_000);
const repeatLimitSeconds = Number(env.BENCH_REPEAT_LIMIT_S ?? 60);
const setupTimeoutMs = Number(env.BENCH_SETUP_TIMEOUT_MS ?? 30_000);
const SQL = 'SELECT * FROM bench';
const WARMUP_SQL = `SELECT * FROM bench LIMIT ${warmupRows}`;
const COLUMN = 'f1';

let stage = 'load';

function report(result) {
  process.stdout.write(`BENCH_RESULT ${JSON.stringify({ name, ...result })}\n`);
}

function fail(err) {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = e.code !== undefined ? ` [code ${e.code}]` : '';
  report({
    ok: false,
    stage,
    error: `${e.message}${code}`.split('\n').slice(0, 4).join(' | '),
    stack: e.stack,
  });
  process.exit(1);
}
process.on('unhandledRejection', fail);
process.on('uncaughtException', fail);

/** Sums a Float64 column of an apache-arrow RecordBatch with a plain loop over its values. */
function sumColumn(batch) {
  const vector = batch.getChild(COLUMN);
  let s = 0;
  for (const data of vector.data) {
    const values = data.values;
    const n = data.length;
    for (let i = 0; i < n; i++) s += values[i];
  }
  return s;
}

function timeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000}s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function grpcMetadata(grpc) {
  const md = new grpc.Metadata();
  if (token) md.set('authorization', `Bearer ${token}`);
  return md;
}

/** A bench client over ours' PEP 249 layer: `read(cursor)` reads the executed query's result. */
function dbapiClient(read) {
  return {
    async setup() {
      const { connect } = await import('flightsql');
      return connect(location, { token });
    },
    async run(connection, sql) {
      const cursor = connection.cursor();
      await cursor.execute(sql);
      try {
        return await read(cursor);
      } finally {
        await cursor.close();
      }
    },
  };
}

// --------------------------------------------------------------------------------------------
// The clients. setup() -> state; run(state, sql) -> { rows, sum, bytes? }

const clients = {
  // (a) ours: FlightSQLClient execute -> doGet -> for await batches.
  ours: {
    async setup() {
      const { FlightSQLClient } = await import('flightsql');
      return new FlightSQLClient({ host: location, token });
    },
    async run(client, sql) {
      const info = await client.execute(sql);
      let rows = 0;
      let sum = 0;
      let alignmentCopies = 0;
      for (const endpoint of info.endpoints) {
        const reader = await client.doGet(endpoint.ticket);
        for await (const batch of reader) {
          rows += batch.numRows;
          sum += sumColumn(batch);
        }
        alignmentCopies += reader.alignmentCopies ?? 0;
      }
      return { rows, sum, alignmentCopies };
    },
  },

  // (a') ours, the PEP 249 layer: connect() -> cursor.execute() -> rows, four ways to read.
  'dbapi-fetchone': dbapiClient(async (cursor) => {
    let rows = 0;
    let sum = 0;
    const f1 = cursor.description.findIndex((d) => d[0] === COLUMN);
    for (let row; (row = await cursor.fetchone()) !== null;) {
      rows++;
      sum += row[f1];
    }
    return { rows, sum };
  }),
  'dbapi-fetchmany': dbapiClient(async (cursor) => {
    let rows = 0;
    let sum = 0;
    const f1 = cursor.description.findIndex((d) => d[0] === COLUMN);
    for (let chunk; (chunk = await cursor.fetchmany(10_000)).length > 0;) {
      rows += chunk.length;
      for (const row of chunk) sum += row[f1];
    }
    return { rows, sum };
  }),
  'dbapi-iterate': dbapiClient(async (cursor) => {
    let rows = 0;
    let sum = 0;
    const f1 = cursor.description.findIndex((d) => d[0] === COLUMN);
    for await (const row of cursor) {
      rows++;
      sum += row[f1];
    }
    return { rows, sum };
  }),
  'dbapi-arrow': dbapiClient(async (cursor) => {
    const table = await cursor.fetchArrowTable();
    let sum = 0;
    for (const batch of table.batches) sum += sumColumn(batch);
    return { rows: table.numRows, sum };
  }),

  // (b) @influxdata/influxdb3-client, public API: query() yields one plain object per row.
  'influxdb3-rows': {
    async setup() {
      const { InfluxDBClient } = await import('@influxdata/influxdb3-client');
      return new InfluxDBClient({
        host: `http://127.0.0.1:${port}`,
        token: token ?? 'x',
        database: 'main', // the schema the bench table is in: an unknown database is NOT_FOUND
        queryTimeout: 30 * 60_000,
      });
    },
    async run(client, sql) {
      let rows = 0;
      let sum = 0;
      for await (const row of client.query(sql, 'main', { type: 'sql' })) {
        rows++;
        sum += row[COLUMN];
      }
      return { rows, sum };
    },
  },

  // (b') same client, its private batch-level generator (what query() is built on). Not public
  // API: shown to separate its transport/decoding cost from its row materialisation.
  'influxdb3-batches': {
    async setup() {
      const { InfluxDBClient } = await import('@influxdata/influxdb3-client');
      const client = new InfluxDBClient({
        host: `http://127.0.0.1:${port}`,
        token: token ?? 'x',
        database: 'main', // the schema the bench table is in: an unknown database is NOT_FOUND
        queryTimeout: 30 * 60_000,
      });
      if (typeof client._queryApi?._queryRawBatches !== 'function') {
        throw new Error('this version has no _queryApi._queryRawBatches');
      }
      return client;
    },
    async run(client, sql) {
      let rows = 0;
      let sum = 0;
      const options = client._mergeQueryOptions({ type: 'sql' });
      for await (const batch of client._queryApi._queryRawBatches(sql, 'main', options)) {
        rows += batch.numRows;
        sum += sumColumn(batch);
      }
      return { rows, sum };
    },
  },

  // (c) @lancedb/arrow-flight-sql-client: connect() always does a Basic-auth Handshake.
  lancedb: {
    async setup(p = port) {
      const { Client } = await import('@lancedb/arrow-flight-sql-client');
      return Client.connect({
        host: `127.0.0.1:${p}`,
        username: username ?? 'bench',
        password: password ?? 'bench',
        insecure: true,
      });
    },
    async run(client, sql) {
      const result = await client.query(sql);
      let rows = 0;
      let sum = 0;
      for await (const batch of result.toArrowStream()) {
        rows += batch.numRows;
        sum += sumColumn(batch);
      }
      return { rows, sum };
    },
  },

  // (d) @lakehouse-rs/flight-sql-client (napi-rs over arrow-rs): query() returns the whole
  // result as one IPC stream Buffer; decoded here with apache-arrow (timed).
  lakehouse: {
    async setup(p = port) {
      const { createFlightSqlClient } = require('@lakehouse-rs/flight-sql-client');
      const { RecordBatchReader } = await import('apache-arrow');
      const options = { host: '127.0.0.1', port: p, tls: false, headers: [] };
      if (token) options.token = token;
      const client = await createFlightSqlClient(options);
      return { client, RecordBatchReader };
    },
    async run({ client, RecordBatchReader }, sql) {
      const buffer = await client.query(sql);
      let rows = 0;
      let sum = 0;
      for (const batch of RecordBatchReader.from(buffer)) {
        rows += batch.numRows;
        sum += sumColumn(batch);
      }
      return { rows, sum, bytes: buffer.length };
    },
  },

  // (e) floor 1: raw gRPC, identity deserializer, no decoding: counts FlightData bytes.
  wire: {
    async setup() {
      const grpc = await import('@grpc/grpc-js');
      const options = { 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 };
      // The same HTTP/2 window as our client, except for the 'wire-64k' reference row.
      if (name !== 'wire-64k') {
        const { DEFAULT_FLOW_CONTROL_WINDOW } = await import('../dist/flight/FlightClient.js');
        options['grpc-node.flow_control_window'] = DEFAULT_FLOW_CONTROL_WINDOW;
      }
      const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), options);
      return { grpc, client };
    },
    async run(state, sql, onMessage) {
      const { grpc, client } = state;
      const identity = (b) => b;
      const info = await new Promise((resolve, reject) =>
        client.makeUnaryRequest(
          '/arrow.flight.protocol.FlightService/GetFlightInfo',
          identity,
          identity,
          statementQueryDescriptor(sql),
          grpcMetadata(grpc),
          {},
          (err, value) => (err ? reject(err) : resolve(value)),
        ),
      );
      let bytes = 0;
      let messages = 0;
      for (const ticket of ticketsOfFlightInfo(info)) {
        await new Promise((resolve, reject) => {
          const call = client.makeServerStreamRequest(
            '/arrow.flight.protocol.FlightService/DoGet',
            identity,
            identity,
            ticketMessage(ticket),
            grpcMetadata(grpc),
            {},
          );
          call.on('data', (message) => {
            bytes += message.length;
            messages++;
            if (onMessage) onMessage(message);
          });
          call.on('error', reject);
          call.on('end', resolve);
        });
      }
      return { rows: undefined, sum: undefined, bytes, messages };
    },
    // After the timed runs: one more (untimed) DoGet, written out as an IPC stream file for
    // the arrow-js floor.
    async after(state) {
      const file = env.BENCH_IPC_FILE;
      if (!file) return {};
      const fd = openSync(file, 'w');
      let written = 0;
      try {
        await clients.wire.run(state, SQL, (message) => {
          const parts = ipcMessageOf(message);
          if (!parts) return;
          for (const p of parts) written += writeSync(fd, p);
        });
        written += writeSync(fd, IPC_EOS);
      } finally {
        closeSync(fd);
      }
      return { ipcFile: file, ipcBytes: written };
    },
  },

  // (f) floor 2: apache-arrow decoding an in-memory IPC stream (read from disk before timing).
  'arrow-js': {
    async setup() {
      const { RecordBatchReader } = await import('apache-arrow');
      const file = env.BENCH_IPC_FILE;
      if (!file) throw new Error('BENCH_IPC_FILE not set (the wire floor writes it)');
      const bytes = readFileSync(file);
      return { RecordBatchReader, bytes };
    },
    async run({ RecordBatchReader, bytes }, sql) {
      if (sql !== SQL) {
        // warm-up: decode the first few batches only
        let rows = 0;
        for (const batch of RecordBatchReader.from(bytes)) {
          rows += batch.numRows;
          if (rows >= warmupRows) break;
        }
        return { rows, sum: undefined };
      }
      let rows = 0;
      let sum = 0;
      for (const batch of RecordBatchReader.from(bytes)) {
        rows += batch.numRows;
        sum += sumColumn(batch);
      }
      return { rows, sum, bytes: bytes.length };
    },
  },
};

// (e') the same floor with grpc-js's default 64 KiB HTTP/2 window (what the JS peers use): how
// much of the wire time is the receive window rather than the server.
clients['wire-64k'] = { setup: clients.wire.setup, run: clients.wire.run };

// --------------------------------------------------------------------------------------------

const impl = clients[name];
if (!impl) fail(new Error(`unknown client '${name}'; known: ${Object.keys(clients).join(', ')}`));
const gc = globalThis.gc ?? (() => undefined);

stage = 'setup';
const state = await timeout(impl.setup(port), setupTimeoutMs, 'setup (connect)');

stage = 'warm-up';
const warm = await timeout(impl.run(state, WARMUP_SQL), 120_000, 'warm-up query');

const results = [];
for (let r = 0; r < runs; r++) {
  stage = `run ${r + 1}`;
  gc();
  gc();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const res = await impl.run(state, SQL);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  results.push({ seconds, cpu: (cpu.user + cpu.system) / 1e6, ...res });
  if (seconds > repeatLimitSeconds) break; // too slow to repeat within the time budget
}
const maxRSS = process.resourceUsage().maxRSS * 1024;

stage = 'after';
const extra = impl.after ? await impl.after(state) : {};

const best = results.reduce((a, b) => (b.seconds < a.seconds ? b : a));
report({
  ok: true,
  warmupRows: warm.rows,
  runs: results,
  best,
  maxRSS,
  ...extra,
});
process.exit(0);
