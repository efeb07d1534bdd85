/**
 * `npm run fuzz -- --seconds N [--seed S]`: the decoder fuzz (test/unit/flight/fuzzDecode.test.ts)
 * with fresh seeds for N seconds (default 60), instead of the fixed seed `npm test` runs. Prints
 * the seed of each round of 2000 cases; a failure prints its seed, path and shrunk case, and
 * `--seed S` replays from there.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const args = process.argv.slice(2);
function option(name, fallback) {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(args[i + 1]);
  if (!Number.isSafeInteger(value) || value < 0) {
    console.error(`--${name} needs a non-negative integer, not ${args[i + 1]}`);
    process.exit(2);
  }
  return value;
}

const seconds = option('seconds', 60);
const seed = option('seed', Math.floor(Math.random() * 2 ** 31));
console.log(`fuzz: ${seconds} s from seed ${seed}`);

const jest = createRequire(import.meta.url).resolve('jest/bin/jest');
const result = spawnSync(process.execPath, [jest, 'test/unit/flight/fuzzDecode.test.ts', '--runInBand'], {
  stdio: 'inherit',
  env: { ...process.env, FUZZ_SECONDS: String(seconds || 1), FUZZ_SEED: String(seed) },
});
process.exit(result.status ?? 1);
