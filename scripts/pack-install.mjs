// Packs the built package with `npm pack` and installs the tarball into empty projects, as a
// user would, for the tests under test/package/ (which never see the sources):
//   <base>/client  `npm install flightsql` alone: the client-only install
//   <base>/full    the same plus @duckdb/node-api, knex, typescript and @types/node
// <base> is $FLIGHTSQL_APP or <tmpdir>/flightsql-app. Writes <base>/report.json (sizes).
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const base = process.env.FLIGHTSQL_APP ?? join(tmpdir(), 'flightsql-app');
const npm = (args, cwd) =>
  execFileSync('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
/** The version of a dev dependency as this repository has it installed (the npm cache holds it). */
const installed = (name) =>
  JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;

function bytesOf(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.size;
  let total = 0;
  for (const entry of readdirSync(path)) total += bytesOf(join(path, entry));
  return total;
}

if (!existsSync(join(root, 'dist/index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
rmSync(base, { recursive: true, force: true });
mkdirSync(base, { recursive: true });
const [pack] = JSON.parse(npm(['pack', '--json', '--pack-destination', base], root));
const tarball = join(base, pack.filename);

const client = join(base, 'client');
mkdirSync(client);
writeFileSync(join(client, 'package.json'), JSON.stringify({ name: 'client-app', private: true }, null, 2));
npm(['install', tarball], client);

const full = join(base, 'full');
cpSync(client, full, { recursive: true });
writeFileSync(join(full, 'package.json'), JSON.stringify({ name: 'full-app', private: true }, null, 2));
npm(
  [
    'install',
    tarball,
    `@duckdb/node-api@${installed('@duckdb/node-api')}`,
    `knex@${installed('knex')}`,
    `typescript@${installed('typescript')}`,
    `@types/node@${installed('@types/node')}`,
    `nodejs-polars@${installed('nodejs-polars')}`,
    // npm skips nodejs-polars' binary on Node 20 (its platform packages declare node >= 22,
    // yet work): the one this repository has (see scripts/ensure-system-deps.sh) is named.
    ...readdirSync(join(root, 'node_modules'))
      .filter((name) => name.startsWith('nodejs-polars-'))
      .map((name) => `${name}@${installed(name)}`),
  ],
  full,
);

const report = {
  tarball: { file: tarball, bytes: pack.size, unpackedBytes: pack.unpackedSize, files: pack.entryCount },
  clientOnly: {
    nodeModulesBytes: bytesOf(join(client, 'node_modules')),
    duckdb: existsSync(join(client, 'node_modules/@duckdb')),
  },
  full: { nodeModulesBytes: bytesOf(join(full, 'node_modules')) },
};
writeFileSync(join(base, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
console.log(
  `pack-install: ${pack.filename} ${mb(pack.size)} (${pack.entryCount} files, ${mb(pack.unpackedSize)} unpacked); ` +
    `client-only install ${mb(report.clientOnly.nodeModulesBytes)}, with the server ${mb(report.full.nodeModulesBytes)}; in ${base}`,
);
