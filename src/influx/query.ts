/**
 * InfluxQL queries over HTTP: building the `/query` request (bind parameters, epoch, chunking,
 * GET for reads and POST for the rest), turning the answer into ResultSets, and streaming a
 * chunked answer one JSON document at a time as it arrives.
 */
import { Error as FlightSQLError, InterfaceError, messageOf, OperationalError } from '../errors';
import { statementError } from './errors';
import type { CallOptions, HttpRequest, HttpResponse } from './http';
import { isReadOnly } from './influxql';
import { lines, parseJson } from './json';
import { ResultSet, type StatementResult } from './ResultSet';
import { wirePrecision, type Precision } from './timestamps';

/** A bind parameter value. */
export type BindValue = string | number | bigint | boolean | Date | null;

/** Options of `query`. */
export interface QueryOptions extends CallOptions {
  /**
   * Bind parameters, sent as InfluxDB's `params` form field: `$name` in the query stands for
   * `params.name`, as a value (never as SQL text), so untrusted input is safe there.
   */
  readonly params?: Readonly<Record<string, BindValue>>;
  /** Epoch precision of returned times (`ns`, `us`, `ms`, `s`, `m`, `h`); default RFC 3339 strings. */
  readonly epoch?: Precision;
  /** Database (default: the client's). */
  readonly database?: string;
  /** Retention policy for unqualified measurements (`rp` parameter). */
  readonly retentionPolicy?: string;
  /** Ask the server to stream the answer in chunks; `query` then returns an async iterable of ResultSets. */
  readonly chunked?: boolean;
  /** Points per chunk (server default 10,000). */
  readonly chunkSize?: number;
  /** HTTP method; default GET when every statement only reads (SELECT without INTO, SHOW), else POST. */
  readonly method?: 'GET' | 'POST';
  /** Throw on a statement error (default true); false keeps it in `ResultSet.error`. */
  readonly raiseErrors?: boolean;
}

/** The ResultSets of a chunked query, read one chunk at a time as the server sends them. */
export class ChunkedResult implements AsyncIterable<ResultSet>, AsyncDisposable {
  readonly #response: HttpResponse;
  readonly #raiseErrors: boolean;
  readonly #nanosAsBigint: boolean;
  #used = false;

  /** @internal */
  constructor(response: HttpResponse, raiseErrors: boolean, nanosAsBigint: boolean) {
    this.#response = response;
    this.#raiseErrors = raiseErrors;
    this.#nanosAsBigint = nanosAsBigint;
  }

  /** Yields one ResultSet per statement result of each chunk, as it arrives. Can be iterated once. */
  async *[Symbol.asyncIterator](): AsyncGenerator<ResultSet> {
    if (this.#used) throw new InterfaceError('a chunked result can be iterated only once');
    this.#used = true;
    try {
      for await (const line of lines(this.#response.body)) {
        for (const rs of resultSets(parseAnswer(line), this.#raiseErrors, this.#nanosAsBigint)) yield rs;
      }
    } catch (err) {
      // Transport failures while streaming (a reset, the idle timeout) become ours.
      if (err instanceof FlightSQLError) throw err;
      throw new OperationalError(`chunked query: ${messageOf(err)}`, { cause: err });
    } finally {
      // Breaking out early, or an error, must not leave the connection half-read.
      this.close();
    }
  }

  /** Stops reading and releases the connection. */
  close(): void {
    this.#response.body.destroy();
  }

  /** Same as `close()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}

/** The `/query` request for `q`. */
export function queryRequest(q: string, options: QueryOptions, database: string | undefined): HttpRequest {
  if (typeof q !== 'string' || q.trim() === '') throw new InterfaceError('the query is empty');
  const epoch = options.epoch === undefined ? undefined : wirePrecision(options.epoch, 'epoch');
  if (options.chunkSize !== undefined && !(Number.isInteger(options.chunkSize) && options.chunkSize > 0)) {
    throw new InterfaceError(`invalid chunkSize ${String(options.chunkSize)}`);
  }
  const readOnly = isReadOnly(q);
  const method = options.method ?? (readOnly ? 'GET' : 'POST');
  if (method !== 'GET' && method !== 'POST')
    throw new InterfaceError(`invalid method ${String(method)}: GET or POST`);
  const params: Record<string, string | undefined> = {
    q,
    db: options.database ?? database,
    rp: options.retentionPolicy,
    epoch,
    params: options.params === undefined ? undefined : bindParams(options.params),
    chunked: options.chunked ? 'true' : undefined,
    chunk_size: options.chunked && options.chunkSize ? String(options.chunkSize) : undefined,
  };
  const context = `query${params.db ? ` on ${JSON.stringify(params.db)}` : ''}`;
  return {
    method,
    path: '/query',
    // POST sends everything in the body, which keeps queries (and passwords in them) out of URLs and logs.
    ...(method === 'GET' ? { query: params } : { form: params }),
    expect: 200,
    idempotent: readOnly,
    context,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  };
}

/** JSON of bind parameters; bigints as exact integers, Dates as RFC 3339 strings. */
export function bindParams(params: Readonly<Record<string, BindValue>>): string {
  if (params === null || typeof params !== 'object') throw new InterfaceError('params must be an object');
  const parts: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    let json: string;
    if (typeof value === 'bigint') json = value.toString();
    else if (value instanceof Date) json = JSON.stringify(value.toISOString());
    else if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new InterfaceError(`bind parameter ${name} is ${value}`);
      json = JSON.stringify(value);
    } else if (typeof value === 'string' || typeof value === 'boolean' || value === null)
      json = JSON.stringify(value);
    else throw new InterfaceError(`bind parameter ${name} has unsupported type ${typeof value}`);
    parts.push(`${JSON.stringify(name)}:${json}`);
  }
  return `{${parts.join(',')}}`;
}

/** Parses one answer document; a top-level `error` (InfluxDB's way for some failures) is raised. */
export function parseAnswer(text: string): { results?: StatementResult[]; error?: string } {
  const answer = parseJson(text) as { results?: StatementResult[]; error?: string } | null;
  if (answer === null || typeof answer !== 'object')
    throw statementError(`unexpected answer: ${text.slice(0, 200)}`, undefined);
  if (typeof answer.error === 'string') throw statementError(answer.error, undefined);
  return answer;
}

/** One ResultSet per statement result; with epoch `n`, times are bigint nanoseconds. */
export function resultSets(
  answer: { results?: StatementResult[] },
  raiseErrors: boolean,
  nanosAsBigint: boolean,
): ResultSet[] {
  const out: ResultSet[] = [];
  for (const result of answer.results ?? []) {
    if (nanosAsBigint) timesToBigint(result);
    out.push(new ResultSet(result, raiseErrors));
  }
  for (const rs of out) rs.statements = out;
  return out;
}

// Nanosecond epochs overflow 2^53 for any recent time; the small ones JSON.parse kept as
// numbers are made bigint too, so the time column has one type.
function timesToBigint(result: StatementResult): void {
  for (const series of result.series ?? []) {
    const index = series.columns.indexOf('time');
    if (index < 0) continue;
    for (const row of series.values ?? []) {
      const value = row[index];
      if (typeof value === 'number') (row as unknown[])[index] = BigInt(value);
    }
  }
}
