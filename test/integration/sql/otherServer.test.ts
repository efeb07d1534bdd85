import {
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type ServerWritableStream,
} from '@grpc/grpc-js';
import { Field, Int64, Schema } from 'apache-arrow';
import { FlightSQLClient } from '../../../src';
import { encodeSchema, packCommand, unpackCommand, type RawFlightData } from '../../../src/protocol';
import * as pb from '../../../src/proto/Flight';
import * as sql from '../../../src/proto/FlightSql';
import { flightServiceDefinition } from '../../../src/server';

/**
 * Client paths our own server does not take, against a small server that behaves like others
 * do: a stateless server that hands out a new prepared-statement handle when parameters are
 * bound (InfluxDB 3), one that knows only the older CancelQuery action, and savepoints.
 */
describe('FlightSQLClient against a server unlike ours', () => {
  let server: Server;
  let client: FlightSQLClient;
  const seen: string[] = [];

  beforeAll(async () => {
    server = new Server();
    server.addService(flightServiceDefinition, {
      doAction(call: ServerWritableStream<pb.Action, pb.Result>) {
        const { type, body } = call.request;
        seen.push(type);
        const reply = (bytes: Uint8Array) => call.write({ body: Buffer.from(bytes) });
        if (type === 'CreatePreparedStatement') {
          reply(
            packCommand('ActionCreatePreparedStatementResult', {
              preparedStatementHandle: Buffer.from('h0'),
              datasetSchema: Buffer.from(encodeSchema(new Schema([new Field('x', new Int64(), true)]))),
              parameterSchema: Buffer.from(encodeSchema(new Schema([new Field('p', new Int64(), true)]))),
            }),
          );
        } else if (type === 'CancelFlightInfo') {
          call.emit('error', { code: status.UNIMPLEMENTED, details: 'CancelFlightInfo is not known here' });
          return;
        } else if (type === 'CancelQuery') {
          const request = unpackCommand(body);
          seen.push(
            request.kind === 'ActionCancelQueryRequest'
              ? `info:${request.message.info.byteLength > 0}`
              : 'bad',
          );
          reply(
            packCommand('ActionCancelQueryResult', {
              result: sql.ActionCancelQueryResult_CancelResult.CANCEL_RESULT_CANCELLING,
            }),
          );
        } else if (type === 'BeginTransaction') {
          reply(packCommand('ActionBeginTransactionResult', { transactionId: Buffer.from('t1') }));
        } else if (type === 'BeginSavepoint') {
          const request = unpackCommand(body);
          seen.push(
            request.kind === 'ActionBeginSavepointRequest' ? `savepoint:${request.message.name}` : 'bad',
          );
          reply(packCommand('ActionBeginSavepointResult', { savepointId: Buffer.from('s1') }));
        } else if (
          type === 'EndSavepoint' ||
          type === 'EndTransaction' ||
          type === 'ClosePreparedStatement'
        ) {
          const request = unpackCommand(body);
          if (request.kind === 'ActionEndSavepointRequest')
            seen.push(`end-savepoint:${request.message.action}`);
        }
        call.end();
      },
      doPut(call: ServerDuplexStream<RawFlightData, pb.PutResult>) {
        let first = true;
        let answered = false;
        call.on('data', (message: RawFlightData) => {
          if (!first) return;
          first = false;
          const command = message.descriptor
            ? unpackCommand(pb.FlightDescriptor.decode(message.descriptor).cmd)
            : undefined;
          if (command?.kind !== 'CommandStatementSubstraitPlan') return;
          // An update from a Substrait plan carries no data: answered at once, as Arrow C++ does.
          const { plan, transactionId } = command.message;
          seen.push(
            `substrait:${Buffer.from(plan!.plan).toString()}:${plan!.version}:${Buffer.from(transactionId ?? []).toString()}`,
          );
          answered = true;
          const result = sql.DoPutUpdateResult.encode({ recordCount: 7n });
          call.write({ appMetadata: Buffer.from(result.finish()) });
          call.end();
        });
        call.on('end', () => {
          if (answered) return;
          // Stateless: the parameters live in the new handle.
          const result = sql.DoPutPreparedStatementResult.encode({
            preparedStatementHandle: Buffer.from('h1-with-params'),
          });
          call.write({ appMetadata: Buffer.from(result.finish()) });
          call.end();
        });
      },
      getFlightInfo(
        call: ServerUnaryCall<pb.FlightDescriptor, pb.FlightInfo>,
        callback: sendUnaryData<pb.FlightInfo>,
      ) {
        const command = unpackCommand(call.request.cmd);
        if (command.kind === 'CommandPreparedStatementQuery') {
          seen.push(`info:${Buffer.from(command.message.preparedStatementHandle).toString()}`);
        }
        callback(null, {
          schema: Buffer.alloc(0),
          flightDescriptor: call.request,
          endpoint: [{ ticket: { ticket: Buffer.from('t') }, location: [], appMetadata: Buffer.alloc(0) }],
          totalRecords: -1n,
          totalBytes: -1n,
          ordered: false,
          appMetadata: Buffer.alloc(0),
        });
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    client = new FlightSQLClient({ host: `grpc://127.0.0.1:${port}` });
  });
  afterAll(async () => {
    await client.close();
    server.forceShutdown();
  });

  test('a prepared statement adopts the handle the server returns when parameters are bound', async () => {
    const statement = await client.prepare('SELECT ? AS x');
    expect(Buffer.from(statement.handle).toString()).toBe('h0');
    await statement.execute([5n]);
    expect(Buffer.from(statement.handle).toString()).toBe('h1-with-params');
    expect(seen).toContain('info:h1-with-params');
    await statement.close();
  });

  test('cancelFlightInfo falls back to CancelQuery on a server that lacks CancelFlightInfo', async () => {
    const info = await client.execute('SELECT 1');
    expect(await client.cancelFlightInfo(info)).toBe('cancelling');
    expect(seen).toEqual(expect.arrayContaining(['CancelFlightInfo', 'CancelQuery', 'info:true']));
  });

  test('executeSubstraitUpdate sends CommandStatementSubstraitPlan by DoPut, also in a transaction', async () => {
    const plan = { plan: new TextEncoder().encode('plan-bytes'), version: '0.53.0' };
    expect(await client.executeSubstraitUpdate(plan)).toBe(7);
    const txn = await client.beginTransaction();
    expect(await txn.executeSubstraitUpdate(plan)).toBe(7);
    await txn.commit();
    expect(seen).toEqual(
      expect.arrayContaining(['substrait:plan-bytes:0.53.0:', 'substrait:plan-bytes:0.53.0:t1']),
    );
  });

  test('savepoints: begin, release and rollback', async () => {
    const txn = await client.beginTransaction();
    const savepoint = await txn.beginSavepoint('before-load');
    await savepoint.rollback();
    const again = await txn.beginSavepoint('second');
    await again.release();
    await expect(again.release()).rejects.toThrow(/closed/);
    await txn.commit();
    expect(seen).toEqual(
      expect.arrayContaining([
        'savepoint:before-load',
        'end-savepoint:2',
        'savepoint:second',
        'end-savepoint:1',
      ]),
    );
  });
});
