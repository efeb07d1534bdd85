/**
 * The package as installed from its `npm pack` tarball into empty projects (scripts/pack-install.mjs):
 * every entry from ES modules and CommonJS, one class identity per process, class names, Knex's
 * ways of taking the dialect, strict TypeScript consumers under every module resolution, one query
 * per layer against the embedded server, and a client-only install without DuckDB.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appDir, installReport, runNode } from './app';

const ENTRIES = ['flightsql', 'flightsql/server', 'flightsql/influx', 'flightsql/dialect', 'flightsql/proto'];

/** Writes `files` into a fresh folder of the app (so that its node_modules resolve) and returns it. */
function scratch(app: string, name: string, files: Record<string, string>): string {
  const dir = join(app, 'checks', name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

describe('the tarball', () => {
  test('ships the build, the license and no sources; a client-only install has no DuckDB', () => {
    const report = installReport();
    const installed = join(appDir('client'), 'node_modules/flightsql');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(readFileSync(join(installed, 'LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0/);
    expect(manifest).toMatchObject({ license: 'Apache-2.0', repository: expect.anything() });
    expect(manifest.peerDependenciesMeta['@duckdb/node-api']).toEqual({ optional: true });
    expect(report.clientOnly.duckdb).toBe(false);
    // apache-arrow, grpc-js and the file readers; DuckDB alone was 70 MB.
    expect(report.clientOnly.nodeModulesBytes).toBeLessThan(40e6);
    expect(report.tarball.bytes).toBeLessThan(1e6);
  });
});

describe('loading every entry', () => {
  // Each order in a process of its own: which module system loads an entry first must not matter.
  const check = `
    const entries = ${JSON.stringify(ENTRIES)};
    const load = {
      esm: async (name) => import(name),
      cjs: async (name) => require(name),
    };
    const [first, second] = process.argv.slice(2);
    const a = {}, b = {};
    for (const name of entries) a[name] = await load[first](name);
    for (const name of entries) b[name] = await load[second](name);
    const out = {};
    for (const name of entries) {
      const keys = Object.keys(a[name]).filter((k) => k !== 'default' && k !== 'module.exports');
      out[name] = {
        names: keys.length,
        same: keys.every((k) => a[name][k] === b[name][k]),
      };
    }
    const root = b['flightsql'];
    const err = new root.ProgrammingError('boom');
    out.errorName = err.name;
    out.errorString = String(err);
    out.classNames = [root.Connection.name, root.Cursor.name, root.FlightSQLClient.name, b['flightsql/dialect'].FlightSQLDialect.name];
    out.influxShares = b['flightsql/influx'].DatabaseError === a['flightsql'].DatabaseError;
    out.lineProtocolError = new b['flightsql/influx'].LineProtocolError('x') instanceof a['flightsql'].DataError;
    console.log(JSON.stringify(out));
  `;
  const script = `import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n${check}`;

  test.each([
    ['esm', 'esm'],
    ['cjs', 'cjs'],
    ['esm', 'cjs'],
    ['cjs', 'esm'],
  ])('%s then %s: same classes, names kept', async (first, second) => {
    const dir = scratch(appDir('full'), 'load', { 'load.mjs': script });
    const { code, stdout, stderr } = await runNode(['load.mjs', first, second], { cwd: dir });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    for (const name of ENTRIES) {
      expect(out[name].names).toBeGreaterThan(2);
      expect(out[name].same).toBe(true);
    }
    expect(out.errorName).toBe('ProgrammingError');
    expect(out.errorString).toBe('ProgrammingError: boom');
    expect(out.classNames).toEqual(['Connection', 'Cursor', 'FlightSQLClient', 'FlightSQLDialect']);
    expect(out.influxShares).toBe(true);
    expect(out.lineProtocolError).toBe(true);
  });
});

describe('one query per layer against the embedded server, as installed', () => {
  const commonjs = `
    const { FlightSQLClient, connect, ProgrammingError, DatabaseError } = require('flightsql');
    const { startServer } = require('flightsql/server');
    const { InfluxDBClient3, Point } = require('flightsql/influx');
    const knex = require('knex');
    const dialect = require('flightsql/dialect');
    (async () => {
      const server = await startServer({ port: 0, httpPort: 0 });
      const out = {};
      try {
        const client = new FlightSQLClient({ host: server.location });
        const info = await client.execute("SELECT 'flight' AS how");
        out.client = (await (await client.doGet(info.endpoints[0].ticket)).readAll()).getChild('how').get(0);
        // readFlightInfo twice: a build step once rebound the module's connect() after the first.
        for (let i = 0; i < 2; i++) {
          const again = await client.execute('SELECT 1 AS one');
          out.readFlightInfo = (await client.readFlightInfo(again).readAll()).numRows;
        }
        await client.close();

        const connection = await connect(server.location);
        const cursor = connection.cursor();
        await cursor.execute('SELECT ? AS how', ['cursor']);
        out.cursor = (await cursor.fetchone())[0];
        await connection.close();

        // Knex takes the dialect as the module itself, as .default and as .FlightSQLDialect.
        out.knex = [];
        for (const client of [dialect, dialect.default, dialect.FlightSQLDialect]) {
          const db = knex({ client, connection: { host: server.location } });
          try {
            out.knex.push((await db.select(db.raw("'knex' AS how")))[0].how);
            // An error thrown through the dialect is the root package's class.
            const err = await db.raw('SELECT * FROM no_such_table').catch((e) => e);
            out.knexError = [err instanceof ProgrammingError, err.name];
          } finally {
            await db.destroy();
          }
        }

        const influx = new InfluxDBClient3({
          host: server.httpUrl, database: 'pkg', flightOptions: { host: server.location },
        });
        await influx.write(new Point('m').tag('t', 'a').intField('v', 7n).timestamp(1767225600000000000n));
        out.influx = String((await influx.query('SELECT v FROM m')).getChild('v').get(0));
        const bad = await influx.query('SELECT nope FROM m').catch((e) => e);
        out.influxError = bad instanceof DatabaseError;
        await influx.close();
      } finally {
        await server.close();
      }
      console.log(JSON.stringify(out));
    })().catch((e) => { console.error(e); process.exitCode = 1; });
  `;
  const esm = `
    import { FlightSQLClient, connect, ProgrammingError } from 'flightsql';
    import { startServer } from 'flightsql/server';
    import FlightSQLDialect, { FlightSQLDialect as Named, reflect } from 'flightsql/dialect';
    import knex from 'knex';
    import { tableFromArrays } from 'apache-arrow';
    const server = await startServer({ port: 0 });
    const out = {};
    try {
      // apache-arrow's ES module copy, handed to our CommonJS build: other classes, same shape.
      const client = new FlightSQLClient({ host: server.location });
      const ingested = tableFromArrays({ id: BigInt64Array.from([1n, 2n, 3n]), v: Float64Array.from([1, 2, 3]) });
      out.ingest = await client.executeIngest(ingested, { table: 'from_esm_arrow' });
      await client.close();
      const connection = await connect(server.location);
      const cursor = connection.cursor();
      await cursor.execute('CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR)');
      await cursor.execute('SELECT 42 AS answer');
      out.cursor = String((await cursor.fetchone())[0]);
      await connection.close();
      out.sameDialect = FlightSQLDialect === Named;
      const db = knex({ client: FlightSQLDialect, connection: { host: server.location } });
      try {
        out.knex = Object.keys(await db('t').columnInfo());
        out.reflect = (await reflect(db, { tables: ['t'] })).map((t) => t.name);
        const err = await db('missing').select().catch((e) => e);
        out.knexError = err instanceof ProgrammingError;
      } finally {
        await db.destroy();
      }
    } finally {
      await server.close();
    }
    console.log(JSON.stringify(out));
  `;

  test('CommonJS: FlightSQLClient, connect(), Knex (three ways), InfluxDBClient3', async () => {
    const dir = scratch(appDir('full'), 'layers-cjs', { 'main.cjs': commonjs });
    const { code, stdout, stderr } = await runNode(['main.cjs'], { cwd: dir });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      client: 'flight',
      readFlightInfo: 1,
      cursor: 'cursor',
      knex: ['knex', 'knex', 'knex'],
      knexError: [true, 'ProgrammingError'],
      influx: '7',
      influxError: true,
    });
  });

  test("ES modules: ingest of apache-arrow's own ESM Table, connect(), Knex with the default and the named export, reflect()", async () => {
    const dir = scratch(appDir('full'), 'layers-esm', { 'main.mjs': esm });
    const { code, stdout, stderr } = await runNode(['main.mjs'], { cwd: dir });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      ingest: 3,
      cursor: '42',
      sameDialect: true,
      knex: ['id', 'name'],
      reflect: ['t'],
      knexError: true,
    });
  });
});

describe('TypeScript consumers', () => {
  const consumer = `
    import { connect, FlightSQLClient, ProgrammingError, type Row, type ValueOptions } from 'flightsql';
    import FlightSQLDialect, { reflect, type ReflectedTable } from 'flightsql/dialect';
    import { InfluxDBClient, InfluxDBClient3, Point } from 'flightsql/influx';
    import { startServer, type RunningServer } from 'flightsql/server';
    import { flight, packCommand } from 'flightsql/proto';
    import knex, { type Knex } from 'knex';
    import pl from 'nodejs-polars';

    export async function main(): Promise<void> {
      const server: RunningServer = await startServer({ port: 0 });
      const options: ValueOptions = { timestamps: 'bigint' };
      const connection = await connect(server.location, options);
      const rows: Row[] = await (await connection.cursor().execute('SELECT 1')).fetchall();
      const frame: pl.DataFrame = await (await connection.cursor().execute('SELECT 1')).fetchDataFrame();
      const client = new FlightSQLClient({ host: server.location });
      const db: Knex = knex({ client: FlightSQLDialect, connection: { host: server.location } });
      const tables: ReflectedTable[] = await reflect(db);
      const line: string = new Point('m').floatField('v', 1).toLineProtocol();
      const any = packCommand('CommandStatementQuery', { query: 'SELECT 1' });
      const descriptor: flight.FlightDescriptor = flight.FlightDescriptor.fromPartial({ cmd: Buffer.from(any) });
      const v1 = new InfluxDBClient({ host: 'localhost' });
      const v3 = new InfluxDBClient3({ host: 'http://localhost:8181', database: 'db' });
      const err: Error = new ProgrammingError('x');
      const polars: pl.DataFrame = await v3.query('SELECT 1', { mode: 'polars' });
      void [rows, frame.height, polars.height, tables, line, descriptor, v1, v3, err];
      await db.destroy();
      await client.close();
      await connection.close();
      await server.close();
    }
  `;
  const cases: [string, string, Record<string, string>][] = [
    ['node10 (CommonJS)', 'consumer.ts', { module: 'commonjs', moduleResolution: 'node10' }],
    ['node16, a CommonJS file', 'consumer.cts', { module: 'node16', moduleResolution: 'node16' }],
    ['node16, an ES module file', 'consumer.mts', { module: 'node16', moduleResolution: 'node16' }],
    ['nodenext, an ES module file', 'consumer.mts', { module: 'nodenext', moduleResolution: 'nodenext' }],
    ['bundler', 'consumer.ts', { module: 'esnext', moduleResolution: 'bundler' }],
  ];
  test.each(cases)(
    'type-checks under %s, strict, our declarations included',
    async (name, file, resolution) => {
      const app = appDir('full');
      const dir = scratch(app, `types-${name.replace(/\W+/g, '-')}`, {
        [file]: consumer,
        'tsconfig.json': JSON.stringify({
          compilerOptions: {
            ...resolution,
            target: 'es2022',
            lib: ['es2023', 'esnext.disposable'],
            strict: true,
            noEmit: true,
            esModuleInterop: true,
            types: ['node'],
            // Our declarations are checked; only the dependencies' own are taken as they are.
            skipLibCheck: false,
          },
          files: [file],
        }),
      });
      const tsc = join(app, 'node_modules/typescript/bin/tsc');
      const { code, stdout } = await runNode([tsc, '-p', 'tsconfig.json'], { cwd: dir });
      const ours = stdout
        .split('\n')
        .filter((l) => l.includes('node_modules/flightsql') || l.startsWith('consumer'));
      expect(ours).toEqual([]);
      expect(code).toBe(0);
    },
  );
});

describe('a client-only install (no DuckDB)', () => {
  test('the client loads; startServer() and `flightsql serve` say which package to install', async () => {
    const dir = scratch(appDir('client'), 'no-duckdb', {
      'main.mjs': `
        import { FlightSQLClient, InterfaceError } from 'flightsql';
        import { startServer } from 'flightsql/server';
        new FlightSQLClient({ host: 'grpc://127.0.0.1:1' }).close();
        const err = await startServer({ port: 0 }).then(() => null, (e) => e);
        console.log(JSON.stringify({ interface: err instanceof InterfaceError, message: err.message }));
      `,
    });
    const run = await runNode(['main.mjs'], { cwd: dir });
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.interface).toBe(true);
    expect(out.message).toMatch(/npm install @duckdb\/node-api/);

    const cli = await runNode(
      [join(appDir('client'), 'node_modules/.bin/flightsql'), 'serve', '--port', '0'],
      {
        cwd: dir,
      },
    );
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/^flightsql: .*npm install @duckdb\/node-api/);
  });

  test('its declarations type-check without nodejs-polars (an optional peer); DataFrame methods say what to install', async () => {
    const app = appDir('client');
    const dir = scratch(app, 'no-polars', {
      'consumer.ts': `
        import { FlightSQLClient, type Cursor } from 'flightsql';
        import { InfluxDBClient3 } from 'flightsql/influx';
        export async function frames(cursor: Cursor, client: InfluxDBClient3): Promise<number> {
          const df = await cursor.fetchDataFrame();
          const polars = await client.query('SELECT 1', { mode: 'polars' });
          return Number(df.height) + Number(polars.height);
        }
        void FlightSQLClient;
      `,
      'tsconfig.json': JSON.stringify({
        compilerOptions: {
          module: 'node16',
          moduleResolution: 'node16',
          target: 'es2022',
          lib: ['es2023', 'esnext.disposable'],
          strict: true,
          noEmit: true,
          types: ['node'],
          typeRoots: [join(appDir('full'), 'node_modules/@types')],
          skipLibCheck: false,
        },
        files: ['consumer.ts'],
      }),
      'main.mjs': `
        import { tableToPolars, InterfaceError } from 'flightsql';
        import { tableFromArrays } from 'apache-arrow';
        try {
          tableToPolars(tableFromArrays({ a: [1] }));
        } catch (err) {
          console.log(JSON.stringify({ interface: err instanceof InterfaceError, message: err.message }));
        }
      `,
    });
    const tsc = join(appDir('full'), 'node_modules/typescript/bin/tsc');
    const types = await runNode([tsc, '-p', 'tsconfig.json'], { cwd: dir });
    expect(types.stdout).toBe('');
    expect(types.code).toBe(0);
    const run = await runNode(['main.mjs'], { cwd: dir });
    expect(JSON.parse(run.stdout)).toEqual({
      interface: true,
      message: expect.stringMatching(/nodejs-polars is not installed.*npm install nodejs-polars/),
    });
  });
});

describe('DataFrames, as installed with nodejs-polars', () => {
  test('readPolars, fetchDataFrame, executeIngest(df), InfluxDBClient3 write(df) and polars mode', async () => {
    const dir = scratch(appDir('full'), 'polars', {
      'main.mjs': `
        import pl from 'nodejs-polars';
        import { connect, FlightSQLClient } from 'flightsql';
        import { InfluxDBClient3 } from 'flightsql/influx';
        import { startServer } from 'flightsql/server';
        const server = await startServer({ port: 0 });
        const client = new FlightSQLClient({ host: server.location });
        const info = await client.execute("SELECT 9007199254740993::BIGINT AS big, 'x' AS s");
        const df = await client.readFlightInfo(info).readPolars();
        const big = df.getColumn('big').cast(pl.Utf8).toArray();
        const frame = pl.DataFrame({ room: ['a', 'b'], temp: [1.5, 2.5] });
        const ingested = await client.executeIngest(frame, { table: 'rooms' });
        const connection = await connect(server.location);
        const cursor = await connection.cursor().execute('SELECT room, temp FROM rooms ORDER BY room');
        const fetched = (await cursor.fetchDataFrame()).toRecords();
        const v3 = new InfluxDBClient3({ host: server.httpUrl, database: 'db' });
        await v3.write(frame, { measurement: 'air', tagColumns: ['room'] });
        const polars = await v3.query('SELECT room, temp FROM air ORDER BY room', { mode: 'polars' });
        console.log(JSON.stringify({ big, ingested, fetched, air: polars.toRecords() }));
        await v3.close();
        await connection.close();
        await client.close();
        await server.close();
      `,
    });
    const run = await runNode(['main.mjs'], { cwd: dir });
    expect(run.stderr).toBe('');
    const rooms = [
      { room: 'a', temp: 1.5 },
      { room: 'b', temp: 2.5 },
    ];
    expect(JSON.parse(run.stdout)).toEqual({
      big: ['9007199254740993'],
      ingested: 2,
      fetched: rooms,
      air: rooms,
    });
  });
});
