/**
 * SeriesHelper against its reference: the same points given to influxdb-python's SeriesHelper
 * (Debian's python3-influxdb 5.3.1) and to ours make the same `_json_body_`: series names
 * filled in the same way, points grouped by series name in the same order, absent fields left
 * out. The values go through JSON, so a whole number is an int on both sides.
 */
import { spawnSync } from 'node:child_process';
import { SeriesHelper } from '../../../src/influx';

const PYTHON = `
import json, sys
from influxdb import SeriesHelper

class Cpu(SeriesHelper):
    class Meta:
        series_name = 'cpu.{host}.{load}.{{x}}'
        fields = ['load', 'up', 'time']
        tags = ['host', 'dc']

for values in json.load(sys.stdin):
    Cpu(**values)
print(json.dumps(Cpu._json_body_()))
`;

function referencePython(): string {
  for (const python of [process.env.FLIGHTSQL_PYTHON, '/usr/bin/python3', 'python3']) {
    if (python && spawnSync(python, ['-c', 'import influxdb'], { encoding: 'utf8' }).status === 0)
      return python;
  }
  throw new Error(
    "no python3 with influxdb-python: install Debian's python3-influxdb (scripts/ensure-system-deps.sh does)",
  );
}

test("the same points make the same body as influxdb-python's SeriesHelper", () => {
  const points = [
    { host: 'a', dc: 'eu', load: 1.5, up: true, time: 1 },
    { host: 'b', dc: 'us', load: 2, time: 2 },
    { host: 'a', dc: 'eu', load: 1.5, up: false, time: 3 },
    { host: 'c', dc: null, load: 0.1, up: true, time: 4 },
    { host: 'b', dc: 'us', load: 2, up: true, time: 5 },
  ];
  const run = spawnSync(referencePython(), ['-c', PYTHON], {
    input: JSON.stringify(points),
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`influxdb-python failed: ${run.stderr}`);
  const theirs = JSON.parse(run.stdout) as unknown[];

  const Cpu = SeriesHelper.define({
    seriesName: 'cpu.{host}.{load}.{{x}}',
    fields: ['load', 'up', 'time'],
    tags: ['host', 'dc'],
  });
  for (const values of points) new Cpu(values);
  expect(theirs).toHaveLength(5);
  expect(Cpu.jsonBody()).toEqual(theirs);
});
