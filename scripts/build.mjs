// The shipped build: one CommonJS implementation (tsc, a file per module), and thin ES module
// wrappers that re-export it, so every class has one identity and keeps its name whichever
// module system loads it. No bundler rewrites our code.
import { execFileSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const tsc = join(root, 'node_modules/typescript/bin/tsc');

rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
// The dialect imports `flightsql` by name: it compiles against the dist/ just built.
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.dialect.json'], { cwd: root, stdio: 'inherit' });

// Knex takes a dialect as `client: require('flightsql/dialect')`, as it takes its third-party
// dialects: the CommonJS entry is the class itself, carrying the named exports (and `default`).
writeFileSync(
  join(dist, 'dialect/index.cjs'),
  `'use strict';
const dialect = require('./index.js');
module.exports = Object.assign(dialect.default, dialect);
`,
);

/** Entry points: [path in dist/ without extension, the CommonJS file its ES module re-exports]. */
const entries = [
  ['index', './index.js'],
  ['server/index', './index.js'],
  ['influx/index', './index.js'],
  ['protocol', './protocol.js'],
  ['dialect/index', './index.cjs'],
];
const require = createRequire(import.meta.url);
for (const [entry, cjs] of entries) {
  const module = require(join(dist, `${entry}.js`));
  const names = Object.keys(module).filter((name) => name !== 'default');
  const js = [`import cjs from '${cjs}';`, `export const { ${names.join(', ')} } = cjs;`];
  const types = [`export * from './${basename(entry)}.js';`];
  if ('default' in module) {
    // Typed by the named export it equals: a default import of a CommonJS declaration file means
    // module.exports under node16 resolution and \`default\` under bundler resolution.
    const same = names.find((name) => module[name] === module.default);
    if (!same) throw new Error(`${entry}: the default export must also be a named export`);
    js.push('export default cjs.default;');
    types.push(`export { ${same} as default } from './${basename(entry)}.js';`);
  }
  writeFileSync(join(dist, `${entry}.mjs`), `${js.join('\n')}\n`);
  writeFileSync(join(dist, `${entry}.d.mts`), `${types.join('\n')}\n`);
}
chmodSync(join(dist, 'cli/main.js'), 0o755);

// nodejs-polars is an optional peer dependency: where it is not installed, the declarations that
// name its types must still compile (with skipLibCheck off), its types then reading as `any`.
// tsc drops comments on imports, so the `@ts-ignore` goes in here.
for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
  if (!file.endsWith('.d.ts')) continue;
  const path = join(dist, file);
  const text = readFileSync(path, 'utf8');
  if (!text.includes('nodejs-polars')) continue;
  const lines = text.split('\n').flatMap((line) =>
    // Not in doc comments, which may quote the name.
    /["']nodejs-polars["']/.test(line) && !/^\s*(\*|\/\*|\/\/)/.test(line)
      ? ['// @ts-ignore -- nodejs-polars is an optional peer dependency', line]
      : [line],
  );
  writeFileSync(path, lines.join('\n'));
}
