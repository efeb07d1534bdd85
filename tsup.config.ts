import { defineConfig } from 'tsup';

// One build, two module systems: dist/*.js (CommonJS) and dist/*.mjs (ESM), each with
// its own declarations. Dependencies stay external, including apache-arrow deep imports.
export default defineConfig({
  entry: { index: 'src/index.ts', 'server/index': 'src/server/index.ts', 'cli/main': 'src/cli/main.ts' },
  format: ['cjs', 'esm'],
  outDir: 'dist',
  target: 'node20',
  platform: 'node',
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: false,
  outExtension: ({ format }) => ({ js: format === 'esm' ? '.mjs' : '.js' }),
});
