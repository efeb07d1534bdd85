import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { useServer } from './fixture';

const root = join(__dirname, '../..');
// Async: the server runs in this process, so a synchronous child would deadlock it.
const run = promisify(execFile);

/** The built package (npm test builds it first), imported by name both ways, queries a real server. */
describe('the built package', () => {
  const fx = useServer();

  beforeAll(() => {
    if (!existsSync(join(root, 'dist/index.js')))
      throw new Error('dist/ is missing: run `npm run build` first');
  });

  const script = `
    const info = await client.execute("SELECT 'built' AS how");
    const table = await (await client.doGet(info.endpoints[0].ticket)).readAll();
    console.log(table.getChild('how').get(0), typeof startServer);
    await client.close();`;

  test('import { FlightSQLClient } from "flightsql" (ESM)', async () => {
    const { stdout: out } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { FlightSQLClient } from 'flightsql';
         import { startServer } from 'flightsql/server';
         const client = new FlightSQLClient({ host: process.env.LOCATION });
         ${script}`,
      ],
      { cwd: root, env: { ...process.env, LOCATION: fx.server.location }, encoding: 'utf8', timeout: 30_000 },
    );
    expect(out.trim()).toBe('built function');
  });

  test('require("flightsql") (CommonJS)', async () => {
    const { stdout: out } = await run(
      process.execPath,
      [
        '-e',
        `const { FlightSQLClient } = require('flightsql');
         const { startServer } = require('flightsql/server');
         const client = new FlightSQLClient({ host: process.env.LOCATION });
         (async () => { ${script} })();`,
      ],
      { cwd: root, env: { ...process.env, LOCATION: fx.server.location }, encoding: 'utf8', timeout: 30_000 },
    );
    expect(out.trim()).toBe('built function');
  });

  const dbapiScript = `
    const connection = await connect(process.env.LOCATION);
    const cursor = connection.cursor();
    await cursor.execute('SELECT ? AS how', ['cursor']);
    console.log((await cursor.fetchone())[0], STRING.equals(cursor.description[0][1]));
    await connection.close();`;

  test('import { connect } from "flightsql" (ESM) and require (CommonJS): the PEP 249 layer', async () => {
    const options = {
      cwd: root,
      env: { ...process.env, LOCATION: fx.server.location },
      encoding: 'utf8' as const,
      timeout: 30_000,
    };
    const esm = await run(
      process.execPath,
      ['--input-type=module', '-e', `import { connect, STRING } from 'flightsql';\n${dbapiScript}`],
      options,
    );
    expect(esm.stdout.trim()).toBe('cursor true');
    const cjs = await run(
      process.execPath,
      ['-e', `const { connect, STRING } = require('flightsql');\n(async () => { ${dbapiScript} })();`],
      options,
    );
    expect(cjs.stdout.trim()).toBe('cursor true');
  });
});
