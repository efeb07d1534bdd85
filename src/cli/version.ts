/** The package's version, for `--version` and the shell's banner. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The `version` of the package.json beside src/ or dist/ (so also of an installed package). */
export function packageVersion(): string {
  const { version } = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as {
    version: string;
  };
  return version;
}
