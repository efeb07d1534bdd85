/**
 * One write request, whichever API it came by: its parameters read as that API defines them,
 * its body parsed, the points written into DuckDB, and the answer InfluxDB would give.
 *
 * - v3 `POST /api/v3/write_lp?db=&precision=&accept_partial=&no_sync=`
 * - v2 `POST /api/v2/write?bucket=&org=&precision=`
 * - v1 `POST /write?db=&rp=&precision=&consistency=&u=&p=`
 *
 * v1 and v2 always keep the good lines of a request with bad ones (InfluxDB 1.x and 2.x do);
 * v3 does unless `accept_partial=false`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpAuth } from './auth';
import { readBody } from './body';
import { schemaFor, type DuckDBWriter } from './duckdbWriter';
import { parseLineProtocol, quoteLine, type LineError } from './lineProtocol';
import { parsePrecision, PRECISION_NAMES, type Precision, type WriteApi } from './precision';
import { HttpError, sendLineErrors } from './responses';

/** What the write endpoints share. */
export interface WriteContext {
  readonly writer: DuckDBWriter;
  /** Set when writes need credentials. */
  readonly auth?: HttpAuth;
  /** Largest body after decompression. */
  readonly maxBodyBytes: number;
}

/** The parameters of a write, API differences resolved. */
interface WriteParams {
  readonly database: string | undefined;
  readonly precision: Precision;
  readonly acceptPartial: boolean;
}

const CONSISTENCY = new Set(['any', 'one', 'quorum', 'all']);

function flag(params: URLSearchParams, name: string, fallback: boolean): boolean {
  const value = params.get(name);
  if (value === null || value === '') return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new HttpError(400, `invalid ${name} '${value}': expected true or false`);
}

/** Reads and checks the query parameters of a write to `api`. */
function writeParams(api: WriteApi, params: URLSearchParams): WriteParams {
  const name = params.get('precision');
  const precision = parsePrecision(api, name);
  if (precision === undefined) {
    throw new HttpError(
      400,
      `invalid precision '${name}': expected one of ${PRECISION_NAMES[api].join(', ')}`,
    );
  }
  if (api === 'v3') {
    // no_sync is checked but changes nothing: a DuckDB commit is done when it returns.
    flag(params, 'no_sync', false);
    return {
      database: params.get('db') ?? undefined,
      precision,
      acceptPartial: flag(params, 'accept_partial', true),
    };
  }
  if (api === 'v1') {
    const consistency = params.get('consistency');
    if (consistency !== null && consistency !== '' && !CONSISTENCY.has(consistency)) {
      throw new HttpError(400, 'invalid consistency level');
    }
    return { database: params.get('db') ?? undefined, precision, acceptPartial: true };
  }
  return { database: params.get('bucket') ?? undefined, precision, acceptPartial: true };
}

/** The time of lines without a timestamp: now, in nanoseconds (one value per request). */
function nowNanoseconds(): bigint {
  const millis = performance.timeOrigin + performance.now();
  return BigInt(Math.floor(millis)) * 1_000_000n + BigInt(Math.floor((millis % 1) * 1_000_000));
}

/**
 * Handles a POST to a write endpoint of `api`; answers 204, or 400 with the refused lines.
 * Other failures are thrown (HttpError with their status, anything else is a 500).
 */
export async function handleWrite(
  api: WriteApi,
  req: IncomingMessage,
  res: ServerResponse,
  params: URLSearchParams,
  context: WriteContext,
): Promise<void> {
  context.auth?.check(req, params, api);
  const { database, precision, acceptPartial } = writeParams(api, params);
  const schema = schemaFor(database);
  const text = await readBody(req, context.maxBodyBytes);
  const { points, errors: parseErrors } = parseLineProtocol(text, { precision, now: nowNanoseconds() });
  let errors: LineError[] = parseErrors;
  let written = 0;
  // With accept_partial=false, one bad line refuses the request: no need to touch DuckDB.
  if (points.length > 0 && (acceptPartial || parseErrors.length === 0)) {
    const outcome = await context.writer.write(schema, points, acceptPartial);
    written = outcome.written;
    if (outcome.rejected.length > 0) {
      const rejected = outcome.rejected.map((r): LineError => ({
        lineNumber: r.point.lineNumber,
        line: quoteLine(text, r.point.start, r.point.end),
        message: r.message,
      }));
      errors = [...parseErrors, ...rejected].sort((a, b) => a.lineNumber - b.lineNumber);
    }
  }
  if (errors.length > 0) {
    sendLineErrors(res, api, errors, written, acceptPartial);
    return;
  }
  res.writeHead(204);
  res.end();
}
