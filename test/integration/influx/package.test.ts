/** The built `flightsql/influx` subpath (npm test builds it first), imported by name both ways, against influxd. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { useInfluxd } from '../influxd';

const root = join(__dirname, '../../..');
const run = promisify(execFile);
const fx = useInfluxd();

beforeAll(() => {
  if (!existsSync(join(root, 'dist/influx/index.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
});

const script = `
  const client = new InfluxDBClient({ host: '127.0.0.1', port: Number(process.env.PORT), database: 'pkg' });
  await client.createDatabase('pkg');
  await client.writePoints([new Point('m').tag('how', process.env.HOW).field('v', 1).timestamp(1n)]);
  const rs = await client.query("SELECT * FROM m WHERE how = $how", { params: { how: process.env.HOW } });
  console.log(rs.getPoints()[0].how, new InfluxDBClientError('x') instanceof Error);
  await client.close();`;

test.each([
  [
    'ESM',
    [
      '--input-type=module',
      '-e',
      `import { InfluxDBClient, InfluxDBClientError, Point } from 'flightsql/influx';\n${script}`,
    ],
  ],
  [
    'CommonJS',
    [
      '-e',
      `const { InfluxDBClient, InfluxDBClientError, Point } = require('flightsql/influx');\n(async () => {${script}})();`,
    ],
  ],
])('flightsql/influx as %s', async (how, args) => {
  const { stdout } = await run(process.execPath, args, {
    cwd: root,
    env: { ...process.env, PORT: String(fx.server.port), HOW: how },
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(stdout.trim()).toBe(`${how} true`);
});
