import { useServer } from '../fixture';

/** The embedded server split over endpoints, read through FlightSQLClient.readFlightInfo. */
describe('a server started with partitions', () => {
  const fx = useServer({ partitions: 3, secondLocation: true });

  beforeAll(async () => {
    await fx.exec('CREATE TABLE numbers AS SELECT range::INTEGER AS n FROM range(1000)');
  });

  test('a three-endpoint result, one share on a second location, read in order', async () => {
    const info = await fx.client.execute('SELECT n FROM numbers ORDER BY n');
    expect(info.endpoints).toHaveLength(3);
    expect(info.ordered).toBe(true);
    expect(info.endpoints[0]!.locations).toEqual([]);
    expect(info.endpoints[1]!.locations[0]!.uri).toMatch(/^grpc\+tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(info.endpoints[1]!.locations[0]!.uri).not.toBe(fx.server.location);
    const table = await fx.client.readFlightInfo(info).readAll();
    expect([...table.getChild('n')!]).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  test('read unordered, every row comes once', async () => {
    const info = await fx.client.execute('SELECT n FROM numbers');
    const seen: number[] = [];
    for await (const batch of fx.client.readFlightInfo({ ...info, ordered: false }, { concurrency: 3 })) {
      seen.push(...(batch.getChild('n')!.toArray() as Int32Array));
    }
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});
