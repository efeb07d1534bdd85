// A script that ends with points still buffered by a batching InfluxDBClient3 (run by exit.test.ts
// as `node --import tsx exitProbe.ts <mode> <httpUrl> <measurement>`):
//   end            writes one point and ends: the exit guard flushes it
//   exit           writes three points and calls process.exit(): stderr says what was lost
//   exit-callback  the same with an error callback, which gets the batch
//   down           writes to a server that does not answer and ends: the failure is reported
import { InfluxDBClient3, Point } from '../../../src/influx';

async function main(): Promise<void> {
  const [mode, host, measurement] = process.argv.slice(2) as [string, string, string];
  const callback = mode === 'exit-callback' || process.argv[5] === 'callback';
  const client = new InfluxDBClient3({
    host,
    database: 'exits',
    writeOptions: {
      batchSize: 100,
      flushInterval: 60_000,
      maxRetries: 0,
      // Node's fetch now and then never settles a request whose connection the server reset:
      // the flush at exit then gives up on it after maxCloseWait, and reports it all the same.
      maxCloseWait: 3000,
      ...(callback
        ? {
            error: (batch, err) =>
              process.stdout.write(`error callback: ${batch.lines.length} lines: ${String(err)}\n`),
          }
        : {}),
    },
  });
  const count = mode === 'end' || mode === 'down' ? 1 : 3;
  for (let i = 0; i < count; i++) {
    await client.write(new Point(measurement).intField('i', i).timestamp(BigInt(i) + 1n));
  }
  if (mode === 'exit' || mode === 'exit-callback') process.exit(0);
  // 'end' and 'down': nothing more; the event loop empties with the points buffered.
}

void main();
