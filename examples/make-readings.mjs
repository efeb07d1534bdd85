// Writes readings.parquet, the sample file that the README's InfluxDBClient3 example reads with
// `client.writeFile('readings.parquet', ...)`: two rooms, a reading every 10 minutes for an hour.
// Run from the repository root: `node examples/make-readings.mjs` (hyparquet-writer is a dev dependency).
import { parquetWriteFile } from 'hyparquet-writer';

const start = Date.UTC(2026, 0, 2, 8, 0, 0);
const time = [];
const room = [];
const temp = [];
const co = [];
for (let i = 0; i < 6; i++) {
  for (const [name, base] of [
    ['Kitchen', 21.0],
    ['Living Room', 20.0],
  ]) {
    time.push(new Date(start + i * 10 * 60_000));
    room.push(name);
    temp.push(Math.round((base + i * 0.3) * 10) / 10);
    co.push(name === 'Kitchen' ? BigInt(i) : 0n);
  }
}

parquetWriteFile({
  filename: new URL('readings.parquet', import.meta.url).pathname,
  columnData: [
    { name: 'time', data: time, type: 'TIMESTAMP' },
    { name: 'room', data: room, type: 'STRING' },
    { name: 'temp', data: temp, type: 'DOUBLE' },
    { name: 'co', data: co, type: 'INT64' },
  ],
});
console.log(`examples/readings.parquet: ${time.length} rows (time, room, temp, co)`);
