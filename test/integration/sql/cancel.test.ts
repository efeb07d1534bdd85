import { status } from '@grpc/grpc-js';
import { NotSupportedError, OperationalError } from '../../../src';
import { flightInfoToProto, packCommand, unpackAs } from '../../../src/protocol';
import * as pb from '../../../src/proto/Flight';
import { useServer } from '../fixture';

const HUGE = 'SELECT range AS i FROM range(1000000000)';

describe('cancellation, polling and Substrait', () => {
  const fx = useServer();

  test('cancelFlightInfo stops a running DoGet', async () => {
    const info = await fx.client.execute(HUGE);
    const reader = await fx.client.doGet(info.endpoints[0]!.ticket);
    await reader.readChunk();
    expect(await fx.client.cancelFlightInfo(info)).toBe('cancelled');
    const err = await (async () => {
      for (;;) if ((await reader.readChunk()) === null) return 'ended';
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as OperationalError).grpcCode).toBe(status.CANCELLED);
  });

  test('a cancelled FlightInfo cannot be fetched afterwards', async () => {
    const info = await fx.client.execute('SELECT 42 AS answer');
    expect(await fx.client.cancelFlightInfo(info)).toBe('cancelled');
    const err = await fx.client.doGet(info.endpoints[0]!.ticket).catch((e: unknown) => e);
    expect((err as OperationalError).grpcCode).toBe(status.CANCELLED);
  });

  test('the older CancelQuery action is answered too', async () => {
    const info = await fx.client.execute('SELECT 1');
    const body = packCommand('ActionCancelQueryRequest', {
      info: Buffer.from(pb.FlightInfo.encode(flightInfoToProto(info)).finish()),
    });
    const results = [];
    for await (const bytes of fx.client.flight.doAction('CancelQuery', body))
      results.push(unpackAs(bytes, 'ActionCancelQueryResult'));
    expect(results).toHaveLength(1);
    expect(results[0]!.result).toBe(1);
  });

  test('executePoll returns a complete PollInfo', async () => {
    const poll = await fx.client.executePoll('SELECT 7 AS seven');
    expect(poll.flightDescriptor).toBeUndefined();
    expect(poll.progress).toBe(1);
    const table = await (await fx.client.doGet(poll.info!.endpoints[0]!.ticket)).readAll();
    expect(table.getChild('seven')!.get(0)).toBe(7);
  });

  test('Substrait plans are passed through; this server answers that it has no Substrait', async () => {
    const plan = { plan: new Uint8Array([1, 2, 3]), version: '0.50.0' };
    await expect(fx.client.executeSubstrait(plan)).rejects.toThrow(/CommandStatementSubstraitPlan/);
    await expect(fx.client.executeSubstrait(plan)).rejects.toBeInstanceOf(NotSupportedError);
    await expect(fx.client.prepareSubstrait(plan)).rejects.toBeInstanceOf(NotSupportedError);
  });
});
