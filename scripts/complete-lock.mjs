// Completes package-lock.json for `npm ci` on any platform.
//
// When the registry a machine uses serves only its own platform's binary packages, `npm install`
// leaves the other platforms' optional dependencies (e.g. @swc/core-darwin-arm64) out of the lock,
// and `npm ci` then refuses the lock as out of sync. This adds an entry for each missing optional
// dependency; `npm ci` skips those that do not fit the platform, as it always does.
// Run it after changing dependencies: `npm run lock`.
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2] ?? 'package-lock.json';
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;
let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    if (packages[`${path ? `${path}/` : ''}node_modules/${name}`] || packages[`node_modules/${name}`])
      continue;
    packages[`node_modules/${name}`] = { version: range.replace(/^[\^~=]/, ''), optional: true };
    added++;
  }
}
const sorted = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
);
writeFileSync(file, `${JSON.stringify({ ...lock, packages: sorted }, null, 2)}\n`);
console.log(`complete-lock: ${added} optional platform package${added === 1 ? '' : 's'} added`);
