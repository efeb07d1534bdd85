import { defineConfig } from 'tsup';

// One build, two module systems: dist/*.js (CommonJS) and dist/*.mjs (ESM), each with
// its own declarations. Dependencies stay external, including apache-arrow deep imports.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'server/index': 'src/server/index.ts',
    'influx/index': 'src/influx/index.ts',
    'dialect/index': 'dialect/index.ts',
    'cli/main': 'src/cli/main.ts',
  },
  format: ['cjs', 'esm'],
  outDir: 'dist',
  target: 'node20',
  platform: 'node',
  dts: true,
  sourcemap: true,
  clean: true,
  // Shared modules (errors, values, flight) become chunks shared by the entry points, so that
  // `flightsql`, `flightsql/server` and `flightsql/influx` share one copy of each class.
  splitting: true,
  // DuckDB is optional and native: the server loads it at run time, never bundled.
  external: ['@duckdb/node-api', '@duckdb/node-bindings', /^apache-arrow/, /^knex/, /^flightsql(\/|$)/],
  outExtension: ({ format }) => ({ js: format === 'esm' ? '.mjs' : '.js' }),
});
