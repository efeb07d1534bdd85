// Run with `node -r ./knexVersion.cjs`: resolves `knex` and `knex/...` to the package named by
// KNEX_PACKAGE (e.g. `knex-3.1`, installed as npm:knex@3.1.0), so that the built dialect, which
// extends Knex's own classes, runs against that release.
const Module = require('node:module');
const target = process.env.KNEX_PACKAGE;
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (target && (request === 'knex' || request.startsWith('knex/'))) request = target + request.slice(4);
  return resolve.call(this, request, ...rest);
};
