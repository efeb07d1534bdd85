// A script whose autocommit SeriesHelper's background write fails and that never calls the helper
// again (run by seriesHelper.test.ts as `node --import tsx seriesHelperExitProbe.ts <mode> <host> <port>`):
//   end     lets the process end by itself: the failure becomes a process warning
//   exit    calls process.exit(): the failure is a line on stderr
//   logger  ends by itself with a logger option: the logger's error hears of it (on stdout)
import { InfluxDBClient, SeriesHelper, type Logger, type SeriesHelperClient } from '../../../src/influx';

async function main(): Promise<void> {
  const [mode, host, port] = process.argv.slice(2) as [string, string, string];
  const down = new InfluxDBClient({ host, port: Number(port), database: 'no_such_database' });
  let failed!: () => void;
  const failure = new Promise<void>((resolve) => (failed = resolve));
  // The real client, told when its write has failed.
  const client: SeriesHelperClient = {
    writePoints: (points, options) =>
      down.writePoints(points, options).catch((err: unknown) => {
        failed();
        throw err;
      }),
  };
  const logger: Logger = {
    error: (message, err) => process.stdout.write(`logger error: ${message} | ${String(err)}\n`),
    warn: () => {},
  };
  const Net = SeriesHelper.define({
    client,
    seriesName: 'net',
    fields: ['rx'],
    tags: [],
    bulkSize: 2,
    autocommit: true,
    ...(mode === 'logger' ? { logger } : {}),
  });
  new Net({ rx: 1, time: 1n });
  new Net({ rx: 2, time: 2n });
  await failure;
  await new Promise((resolve) => setImmediate(resolve));
  await down.close();
  if (mode === 'exit') process.exit(0);
}

void main();
