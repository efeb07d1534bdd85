import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** `npm ci` refuses a lock that misses an optional dependency, even one for another platform. */
test('package-lock.json has an entry for every optional dependency (run `npm run lock` after changing dependencies)', () => {
  const lock = JSON.parse(readFileSync(join(__dirname, '../../package-lock.json'), 'utf8')) as {
    packages: Record<string, { optionalDependencies?: Record<string, string> }>;
  };
  const missing: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    for (const name of Object.keys(entry.optionalDependencies ?? {})) {
      if (
        !lock.packages[`${path ? `${path}/` : ''}node_modules/${name}`] &&
        !lock.packages[`node_modules/${name}`]
      ) {
        missing.push(name);
      }
    }
  }
  expect(missing).toEqual([]);
});
