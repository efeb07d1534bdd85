/** UDP writes into an influxd with a [[udp]] listener on a free port, read back over HTTP. */
import { InfluxDBClient, Point, type ResultPoint } from '../../../src/influx';
import { useInfluxd } from '../influxd';

const fx = useInfluxd({ udpDatabase: 'udpdb' });

beforeAll(async () => {
  await fx.client.createDatabase('udpdb');
});

/** UDP has no answer: poll until the listener has flushed what we sent. */
async function eventually(q: string, count: number): Promise<ResultPoint[]> {
  for (let i = 0; i < 200; i++) {
    const points = (await fx.client.query(q, { database: 'udpdb', epoch: 'ns' })).getPoints();
    if (points.length >= count) return points;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`UDP points did not arrive: ${q}`);
}

function udpClient(): InfluxDBClient {
  return fx.connect({ useUdp: true, udpPort: fx.server.udpPort! });
}

test('sendPacket: points and lines, read back', async () => {
  const c = udpClient();
  await c.sendPacket({
    points: [new Point('udp1').tag('h', 'a b').field('v', 1.5).timestamp(1_000n)],
    tags: { src: 'udp' },
  });
  await c.sendPacket(['udp1,h=c v=2 2000', 'udp1,h=d v=3 3000'], { protocol: 'line' });
  expect(await eventually('SELECT * FROM udp1', 3)).toEqual([
    { time: 1000n, h: 'a b', src: 'udp', v: 1.5 },
    { time: 2000n, h: 'c', src: null, v: 2 },
    { time: 3000n, h: 'd', src: null, v: 3 },
  ]);
});

test('writePoints goes over UDP when the client has useUdp, in several datagrams when large', async () => {
  const c = udpClient();
  const points = Array.from({ length: 2000 }, (_, i) =>
    new Point('udp2')
      .tag('pad', 'x'.repeat(40))
      .intField('i', i)
      .timestamp(BigInt(i + 1)),
  );
  await c.writePoints(points);
  let count = 0;
  for (let i = 0; i < 200 && count < 2000; i++) {
    const [row] = (await fx.client.query('SELECT count(i) FROM udp2', { database: 'udpdb' })).getPoints();
    count = Number(row?.['count'] ?? 0);
    if (count < 2000) await new Promise((resolve) => setTimeout(resolve, 25));
  }
  expect(count).toBe(2000);
});

test('fromDSN udp+influxdb:// with udpPort from the overrides', async () => {
  const c = InfluxDBClient.fromDSN(`udp+influxdb://127.0.0.1:${fx.server.port}/udpdb`, {
    udpPort: fx.server.udpPort!,
  });
  try {
    await c.writePoints([{ measurement: 'udp3', fields: { v: 1 }, time: 1n }]);
    expect(await eventually('SELECT v FROM udp3', 1)).toEqual([{ time: 1n, v: 1 }]);
    expect(String(c)).toMatch(/udp: \d+/);
  } finally {
    await c.close();
  }
});
