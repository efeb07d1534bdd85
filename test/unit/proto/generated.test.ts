/**
 * Guards the generated protobuf code in src/proto/:
 *  - it must be exactly what `npm run proto` (scripts/proto.sh) produces from proto/*.proto today;
 *  - the generated codecs and the gRPC service definition must behave as the Flight / Flight SQL protocol says.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

import {
  FlightData,
  FlightDescriptor,
  FlightDescriptor_DescriptorType,
  FlightEndpoint,
  FlightInfo,
  FlightServiceService,
  SessionOptionValue,
} from '../../../src/proto/Flight';
import { CommandStatementQuery, SqlInfo } from '../../../src/proto/FlightSql';
import { Any } from '../../../src/proto/google/protobuf/any';

const repoRoot = join(__dirname, '..', '..', '..');
const committedDir = join(repoRoot, 'src', 'proto');

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(relative(dir, full).split('\\').join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

describe('src/proto freshness', () => {
  let freshDir: string;

  beforeAll(() => {
    freshDir = mkdtempSync(join(tmpdir(), 'flightsql-proto-test-'));
    execFileSync('bash', [join(repoRoot, 'scripts', 'proto.sh'), freshDir], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  });

  afterAll(() => {
    if (freshDir) rmSync(freshDir, { recursive: true, force: true });
  });

  it('has the same set of files as a fresh generation', () => {
    const fresh = listFiles(freshDir);
    const committed = listFiles(committedDir);
    const missing = fresh.filter((f) => !committed.includes(f));
    const extra = committed.filter((f) => !fresh.includes(f));
    if (missing.length > 0 || extra.length > 0) {
      throw new Error(
        `src/proto is stale: run npm run proto (missing: [${missing.join(', ')}], extra: [${extra.join(', ')}])`,
      );
    }
    expect(fresh).toContain('Flight.ts');
    expect(fresh).toContain('FlightSql.ts');
    expect(fresh).toContain('google/protobuf/any.ts');
    expect(fresh).toContain('google/protobuf/timestamp.ts');
    expect(fresh).toContain('google/protobuf/descriptor.ts');
  });

  it('is byte-identical to a fresh generation', () => {
    const stale = listFiles(freshDir).filter((file) => {
      let committed: Buffer;
      try {
        committed = readFileSync(join(committedDir, file));
      } catch {
        return true;
      }
      return !committed.equals(readFileSync(join(freshDir, file)));
    });
    if (stale.length > 0) {
      throw new Error(`src/proto is stale: run npm run proto (differs: ${stale.join(', ')})`);
    }
  });

  it('carries no tool-version header that could differ between machines', () => {
    for (const file of listFiles(committedDir)) {
      const text = readFileSync(join(committedDir, file), 'utf8');
      expect(text).not.toMatch(/^\/\/ versions:/m);
      expect(text).not.toMatch(/^\/\/\s+protoc\s+v/m);
    }
  });
});

describe('generated Flight / Flight SQL codecs', () => {
  const statementQueryTypeUrl = 'type.googleapis.com/arrow.flight.protocol.sql.CommandStatementQuery';

  it('round-trips CommandStatementQuery packed in google.protobuf.Any inside a FlightDescriptor', () => {
    const cmd = CommandStatementQuery.encode({ query: 'SELECT 1' }).finish();
    // field 1 (query), wire type 2, length 8, "SELECT 1"
    expect(Buffer.from(cmd)).toEqual(Buffer.concat([Buffer.from([0x0a, 0x08]), Buffer.from('SELECT 1')]));

    const any = Any.encode({ typeUrl: statementQueryTypeUrl, value: Buffer.from(cmd) }).finish();
    const descriptor = FlightDescriptor.encode({
      type: FlightDescriptor_DescriptorType.CMD,
      cmd: Buffer.from(any),
      path: [],
    }).finish();

    const decodedDescriptor = FlightDescriptor.decode(descriptor);
    expect(decodedDescriptor.type).toBe(FlightDescriptor_DescriptorType.CMD);
    const decodedAny = Any.decode(decodedDescriptor.cmd);
    expect(decodedAny.typeUrl).toBe(statementQueryTypeUrl);
    const decoded = CommandStatementQuery.decode(decodedAny.value);
    expect(decoded.query).toBe('SELECT 1');
    expect(decoded.transactionId).toBeUndefined();

    const withTxn = CommandStatementQuery.decode(
      CommandStatementQuery.encode({ query: 'SELECT 2', transactionId: Buffer.from([1, 2, 3]) }).finish(),
    );
    expect(withTxn.transactionId).toEqual(Buffer.from([1, 2, 3]));
  });

  it('round-trips FlightInfo with int64 fields as bigint (including -1 = unknown) and Timestamp as Date', () => {
    const expiration = new Date('2030-01-02T03:04:05.678Z');
    const endpoint: FlightEndpoint = {
      ticket: { ticket: Buffer.from('ticket-1') },
      location: [{ uri: 'grpc+tcp://localhost:31337' }],
      expirationTime: expiration,
      appMetadata: Buffer.alloc(0),
    };
    const info: FlightInfo = {
      schema: Buffer.from([0xff, 0xff, 0xff, 0xff]),
      flightDescriptor: {
        type: FlightDescriptor_DescriptorType.PATH,
        cmd: Buffer.alloc(0),
        path: ['a', 'b'],
      },
      endpoint: [endpoint],
      totalRecords: -1n,
      totalBytes: 9_007_199_254_740_993n, // 2^53 + 1: not representable as a JS number
      ordered: true,
      appMetadata: Buffer.from('meta'),
    };
    const decoded = FlightInfo.decode(FlightInfo.encode(info).finish());
    expect(typeof decoded.totalRecords).toBe('bigint');
    expect(decoded.totalRecords).toBe(-1n);
    expect(decoded.totalBytes).toBe(9_007_199_254_740_993n);
    expect(decoded.ordered).toBe(true);
    expect(decoded.flightDescriptor?.path).toEqual(['a', 'b']);
    expect(decoded.endpoint).toHaveLength(1);
    expect(decoded.endpoint[0]!.ticket?.ticket).toEqual(Buffer.from('ticket-1'));
    expect(decoded.endpoint[0]!.location[0]!.uri).toBe('grpc+tcp://localhost:31337');
    expect(decoded.endpoint[0]!.expirationTime).toEqual(expiration);
    expect(decoded.appMetadata).toEqual(Buffer.from('meta'));
  });

  it('puts FlightData.data_body at field 1000 and round-trips it', () => {
    const msg = FlightData.encode({
      dataHeader: Buffer.from([1]),
      appMetadata: Buffer.alloc(0),
      dataBody: Buffer.from([2, 3]),
    }).finish();
    // tag for field 1000, wire type 2 = (1000 << 3) | 2 = 8002 = varint 0xc2 0x3e
    expect(Buffer.from(msg).includes(Buffer.from([0xc2, 0x3e, 0x02, 0x02, 0x03]))).toBe(true);
    const decoded = FlightData.decode(msg);
    expect(decoded.dataBody).toEqual(Buffer.from([2, 3]));
    expect(decoded.dataHeader).toEqual(Buffer.from([1]));
  });

  it('represents oneofs as { $case, value } unions', () => {
    const value: SessionOptionValue = { optionValue: { $case: 'int64Value', value: 42n } };
    const decoded = SessionOptionValue.decode(SessionOptionValue.encode(value).finish());
    expect(decoded.optionValue).toEqual({ $case: 'int64Value', value: 42n });
  });

  it('has the SqlInfo ids from the Flight SQL spec', () => {
    expect(SqlInfo.FLIGHT_SQL_SERVER_NAME).toBe(0);
    expect(SqlInfo.FLIGHT_SQL_SERVER_VERSION).toBe(1);
    expect(SqlInfo.FLIGHT_SQL_SERVER_ARROW_VERSION).toBe(2);
    expect(SqlInfo.FLIGHT_SQL_SERVER_READ_ONLY).toBe(3);
    expect(SqlInfo.SQL_DDL_CATALOG).toBe(500);
    expect(SqlInfo.SQL_IDENTIFIER_QUOTE_CHAR).toBe(504);
    expect(SqlInfo.SQL_STORED_FUNCTIONS_USING_CALL_SYNTAX_SUPPORTED).toBe(576);
  });
});

describe('generated FlightService gRPC definition', () => {
  const expected: Record<string, { requestStream: boolean; responseStream: boolean }> = {
    Handshake: { requestStream: true, responseStream: true },
    ListFlights: { requestStream: false, responseStream: true },
    GetFlightInfo: { requestStream: false, responseStream: false },
    PollFlightInfo: { requestStream: false, responseStream: false },
    GetSchema: { requestStream: false, responseStream: false },
    DoGet: { requestStream: false, responseStream: true },
    DoPut: { requestStream: true, responseStream: true },
    DoExchange: { requestStream: true, responseStream: true },
    DoAction: { requestStream: false, responseStream: true },
    ListActions: { requestStream: false, responseStream: true },
  };

  it('has exactly the 10 Flight RPCs with the right paths and streaming flags', () => {
    const methods = Object.values(FlightServiceService);
    expect(methods).toHaveLength(10);
    const actual: Record<string, { requestStream: boolean; responseStream: boolean }> = {};
    for (const m of methods) {
      const prefix = '/arrow.flight.protocol.FlightService/';
      expect(m.path.startsWith(prefix)).toBe(true);
      actual[m.path.slice(prefix.length)] = {
        requestStream: m.requestStream,
        responseStream: m.responseStream,
      };
    }
    expect(actual).toEqual(expected);
  });

  it('serializes requests through the generated codecs', () => {
    const def = FlightServiceService.doGet;
    const wire = def.requestSerialize({ ticket: Buffer.from('t') });
    expect(Buffer.isBuffer(wire)).toBe(true);
    expect(def.requestDeserialize(wire).ticket).toEqual(Buffer.from('t'));
  });
});
