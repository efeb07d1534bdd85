import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Decimals in Parquet read back as the values they are. Parquet has no negative scale: a
 * decimal of negative scale is written as the integer it stands for (scale 0, the precision
 * grown by the scale) when the Arrow width holds those digits, else as its exact text. Written
 * by the CLI's writer and read by hyparquet in a child process (both are ES modules that jest
 * cannot load from the sources); see parquetProbe.ts.
 */
test('decimals of negative, zero and positive scale read back exactly with hyparquet', () => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(__dirname, 'parquetProbe.ts')], {
    cwd: join(__dirname, '../../..'),
    encoding: 'utf8',
    timeout: 50_000,
  });
  const { elements, rows } = JSON.parse(out) as { elements: unknown[]; rows: unknown[] };
  const decimal = (name: string, precision: number, scale: number) => ({
    name,
    type: 'FIXED_LEN_BYTE_ARRAY',
    converted_type: 'DECIMAL',
    precision,
    scale,
    logical_type: { type: 'DECIMAL', precision, scale },
  });
  expect(elements).toEqual([
    decimal('hundreds', 7, 0),
    { name: 'wide', type: 'BYTE_ARRAY', converted_type: 'UTF8' },
    decimal('wide256', 41, 0),
    decimal('units', 9, 0),
    decimal('cents', 9, 2),
  ]);
  expect(rows).toEqual([
    { hundreds: 12300, wide: '700000', wide256: 700000, units: 123, cents: 123.45 },
    { hundreds: -4500, wide: '-100000', wide256: -100000, units: -45, cents: -0.05 },
    { hundreds: null, wide: null, wide256: null, units: null, cents: null },
    { hundreds: 9999900, wide: `1${'0'.repeat(40)}`, wide256: 1200000, units: 1, cents: 0.01 },
    { hundreds: 0, wide: '0', wide256: 0, units: 0, cents: 0 },
  ]);
});
