/**
 * PEP 249 Cursor over Flight SQL. Results stream: the cursor holds the RecordBatch being read
 * (and its rows once converted), never the whole result, unless `fetchall()` or
 * `fetchArrowTable()` asks for it.
 */
import { RecordBatch, Table, type Schema } from 'apache-arrow';
import { NotSupportedError, ProgrammingError, closedError } from '../errors';
import type { CallOptions, FlightInfo } from '../flight';
import type { FlightInfoReader, PreparedStatement, StatementOptions, Transaction } from '../sql';
import { isPolarsDataFrame, PolarsBuilder, toArrowTable, type PolarsDataFrame } from '../dataframe';
import { RowConverter, type Row, type ValueOptions } from '../values';
import type { Connection } from './Connection';
import { statementKind } from './statementKind';
import { describe, type Column } from './types';

/** How a cursor shapes rows, and its default `fetchmany` size. */
export interface CursorOptions extends ValueOptions {
  /** Rows per `fetchmany()` without a size (PEP 249 default: 1). */
  readonly arraysize?: number;
}

/** Options of one `execute` / `executemany`. */
export interface ExecuteOptions extends CallOptions {
  /**
   * Whether the statement returns rows. By default a statement with parameters asks the
   * server (its prepared result schema) and one without is read from its SQL (SELECT, WITH …
   * SELECT, VALUES, SHOW, EXPLAIN, … RETURNING return rows; DML and DDL do not).
   */
  readonly returnsRows?: boolean;
}

/** Positional (`qmark`) parameters of one execution. */
export type Params = readonly unknown[];

/** The result being read: one stream of batches and the position in the current batch. */
interface Result<R extends Row = Row> {
  readonly reader: FlightInfoReader;
  /** The result's schema: the first batch's, else the FlightInfo's. */
  schema: Schema;
  readonly batches: AsyncIterator<RecordBatch>;
  /** The first batch, read by execute(). */
  pending?: RecordBatch;
  batch?: RecordBatch;
  /** Rows of `batch` converted so far: `[0, converted)`. */
  converted: number;
  /** A window of converted rows, `rows.length` rows ending at batch row `converted`. */
  rows?: R[];
  /** Next row of `rows` to hand out. */
  position: number;
  converter?: RowConverter;
  /** The schema `converter` was made for (batches of one stream share one Schema object). */
  converterSchema?: Schema;
  /** Rows of every batch taken so far, the current one included. */
  count: number;
  done: boolean;
}

/** A PEP 249 cursor. Create it with `connection.cursor()`. */
export class Cursor<R extends Row = unknown[]> implements AsyncIterable<R>, AsyncDisposable {
  /** Rows per `fetchmany()` without a size. */
  arraysize: number;
  readonly #connection: Connection<Row>;
  readonly #values: ValueOptions;
  #result: Result<R> | undefined;
  #description: Column[] | null = null;
  #rowcount = -1;
  #closed = false;
  #prepared: { sql: string; transaction?: Transaction; statement: PreparedStatement } | undefined;
  /** Set while an operation runs: operations on one cursor run one at a time. */
  #busy: Promise<void> | undefined;

  /** @internal Use `connection.cursor()`. */
  constructor(connection: Connection<Row>, options: CursorOptions = {}) {
    this.#connection = connection;
    const { arraysize = 1, ...values } = options;
    this.arraysize = arraysize;
    this.#values = values;
  }

  /** The connection this cursor was made by. */
  get connection(): Connection<Row> {
    return this.#connection;
  }

  /** PEP 249 column descriptions of the current result; null after a statement without rows. */
  get description(): Column[] | null {
    return this.#description;
  }

  /**
   * Rows affected by the last update, or rows of the last query once known (from the
   * FlightInfo's total or once read to the end); -1 until then. It never counts down.
   */
  get rowcount(): number {
    return this.#rowcount;
  }

  /** Index of the next row of the current result (PEP 249 extension); null without a result. */
  get rownumber(): number | null {
    const r = this.#result;
    return r ? r.count - (r.batch ? r.batch.numRows - unread(r) : 0) : null;
  }

  /** Whether close() was called, or the connection closed. */
  get closed(): boolean {
    return this.#closed || this.#connection.closed;
  }

  /** The Arrow schema of the current result, or null. */
  get schema(): Schema | null {
    return this.#result?.schema ?? null;
  }

  /**
   * Runs `sql`. With `params`, as a prepared statement (reused while the SQL stays the same);
   * without, as a plain statement. Statements that return rows go through the query path,
   * updates and DDL through the update path (their count lands in `rowcount`).
   */
  async execute(sql: string, params?: Params | null, options: ExecuteOptions = {}): Promise<this> {
    this.#checkParams(params);
    await this.#exclusive(async () => {
      await this.#reset();
      const statement = await this.#connection._statementOptions();
      if (params && params.length > 0) {
        const prepared = await this.#prepare(sql, statement, options);
        if (options.returnsRows ?? !prepared.isUpdate) {
          await this.#open(await prepared.execute(params, options), options);
        } else {
          this.#rowcount = await prepared.executeUpdate(params, options);
        }
        return;
      }
      const { returnsRows: _, ...callOptions } = options;
      const call = { ...callOptions, ...statement };
      const client = this.#connection.client;
      if (options.returnsRows ?? statementKind(sql) === 'query') {
        await this.#open(await client.execute(sql, call), options);
      } else {
        this.#rowcount = await client.executeUpdate(sql, call);
      }
    });
    return this;
  }

  /**
   * Runs `sql` once per parameter row: one prepared statement, every row sent in one DoPut.
   * The rows are a sequence of parameter lists, or the columns of an Arrow Table or a
   * nodejs-polars DataFrame (column i binds parameter i). `rowcount` is the total the server
   * reports.
   */
  async executemany(
    sql: string,
    seqOfParams: Iterable<Params> | Table | PolarsDataFrame,
    options: ExecuteOptions = {},
  ): Promise<this> {
    const columns = isPolarsDataFrame(seqOfParams) ? toArrowTable(seqOfParams) : seqOfParams;
    const rows = columns instanceof Table ? columns : Array.from(columns);
    if (Array.isArray(rows)) for (const params of rows) this.#checkParams(params);
    const count = rows instanceof Table ? rows.numRows : rows.length;
    await this.#exclusive(async () => {
      await this.#reset();
      if (count === 0) {
        this.#rowcount = 0;
        return;
      }
      const prepared = await this.#prepare(sql, await this.#connection._statementOptions(), options);
      if (options.returnsRows ?? !prepared.isUpdate) {
        throw new ProgrammingError(
          'executemany() runs statements that return no rows; use execute() for queries',
        );
      }
      const parameters = Array.isArray(rows) && rows.length === 1 ? rows[0]! : rows;
      this.#rowcount = await prepared.executeUpdate(parameters, options);
    });
    return this;
  }

  /** The next row, or null at the end. */
  fetchone(): Promise<R | null> {
    let r: Result<R>;
    try {
      r = this.#readable();
    } catch (err) {
      return Promise.reject(err);
    }
    if (r.rows && r.position < r.rows.length && !this.#busy) return Promise.resolve(r.rows[r.position++]!);
    return this.#exclusive(async () => ((await this.#fill(r)) ? r.rows![r.position++]! : null));
  }

  /** Up to `size` rows (default `arraysize`); fewer, or none, at the end. */
  async fetchmany(size: number = this.arraysize): Promise<R[]> {
    if (!Number.isInteger(size) || size < 0)
      throw new ProgrammingError(`fetchmany size must be >= 0, not ${size}`);
    const r = this.#readable();
    return this.#exclusive(async () => {
      const out: R[] = [];
      while (out.length < size && (await this.#fill(r, size - out.length))) {
        const take = Math.min(size - out.length, r.rows!.length - r.position);
        if (out.length === 0 && take === r.rows!.length && r.position === 0) out.push(...r.rows!);
        else for (let i = 0; i < take; i++) out.push(r.rows![r.position + i]!);
        r.position += take;
      }
      return out;
    });
  }

  /** Every remaining row. */
  async fetchall(): Promise<R[]> {
    const r = this.#readable();
    return this.#exclusive(async () => {
      const out: R[] = [];
      while (await this.#fill(r, Infinity)) {
        const rows = r.rows!;
        for (let i = r.position; i < rows.length; i++) out.push(rows[i]!);
        r.position = rows.length;
      }
      return out;
    });
  }

  /** The remaining rows as an Arrow Table (ADBC's `fetch_arrow_table`), without row conversion. */
  async fetchArrowTable(): Promise<Table> {
    const batches: RecordBatch[] = [];
    for await (const batch of this.fetchRecordBatches()) batches.push(batch);
    const schema = this.#result?.schema;
    return batches.length ? new Table(batches) : schema ? new Table(schema) : new Table();
  }

  /**
   * The remaining rows as a nodejs-polars DataFrame (pandas' `fetch_df()` of DB API drivers):
   * every column, types kept, built from the Arrow batches without row conversion.
   * nodejs-polars is an optional peer dependency: without it this throws an InterfaceError
   * that says what to install.
   */
  async fetchDataFrame(): Promise<PolarsDataFrame> {
    const builder = new PolarsBuilder(this.#result?.schema);
    for await (const batch of this.fetchRecordBatches()) builder.add(batch);
    return builder.finish();
  }

  /**
   * The remaining rows as Arrow RecordBatches, streamed (ADBC's `fetch_record_batch`). A batch
   * that was partly read by the row methods comes first, sliced to its unread rows.
   */
  async *fetchRecordBatches(): AsyncGenerator<RecordBatch> {
    const r = this.#readable();
    for (;;) {
      const batch = await this.#exclusive(async () => {
        if (!r.batch || unread(r) >= r.batch.numRows) {
          if (!(await this.#nextBatch(r))) return null;
        }
        const batch = r.batch!;
        const from = unread(r);
        r.rows = undefined;
        r.converted = batch.numRows;
        return from === 0 ? batch : batch.slice(from);
      });
      if (!batch) return;
      yield batch;
    }
  }

  /**
   * Rows, one at a time, to the end of the current result. A hand-written iterator rather than
   * an async generator: rows already converted are handed out without a generator round trip.
   */
  [Symbol.asyncIterator](): AsyncIterator<R> {
    const r = this.#readable();
    const done: IteratorReturnResult<undefined> = { done: true, value: undefined };
    const next = async (): Promise<IteratorResult<R>> =>
      (await this.#exclusive(() => this.#fill(r))) ? { done: false, value: r.rows![r.position++]! } : done;
    return {
      next: () => {
        if (this.#result === r && r.rows && r.position < r.rows.length && !this.#busy) {
          return Promise.resolve({ done: false, value: r.rows[r.position++]! });
        }
        if (this.#result !== r) return Promise.resolve(done);
        return next();
      },
      return: async () => done,
    };
  }

  /**
   * Skips to the next result set. Flight SQL statements have one, so this discards the rest of
   * the current result and returns null (PEP 249: no more sets).
   */
  async nextset(): Promise<null> {
    this.#check();
    if (!this.#result) throw new ProgrammingError('no result set: execute a query first');
    await this.#exclusive(() => this.#reset());
    return null;
  }

  /** Accepted for PEP 249; parameter types come from the server's parameter schema. */
  setinputsizes(_sizes: unknown): void {
    this.#check();
  }

  /** Accepted for PEP 249; results stream whatever their size. */
  setoutputsize(_size: number, _column?: number): void {
    this.#check();
  }

  /** Flight SQL has no stored-procedure call: NotSupportedError. */
  async callproc(procname: string, _params?: Params): Promise<never> {
    this.#check();
    throw new NotSupportedError(`callproc('${procname}'): Flight SQL has no stored-procedure call`);
  }

  /** Cancels the current result and closes the cached prepared statement. A second close is a no-op. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const busy = this.#busy;
    await this.#result?.reader.close();
    if (busy) await busy.catch(() => undefined);
    this.#result = undefined;
    const prepared = this.#prepared;
    this.#prepared = undefined;
    this.#connection._forget(this as Cursor<Row>);
    await prepared?.statement.close().catch(() => undefined);
  }

  /** Closes the cursor: `await using cursor = conn.cursor()` closes it at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #check(): void {
    if (this.#closed) throw closedError('Cursor');
    if (this.#connection.closed) throw closedError('Connection');
  }

  #checkParams(params: Params | null | undefined): void {
    this.#check();
    if (params !== undefined && params !== null && !Array.isArray(params)) {
      throw new ProgrammingError('parameters are positional (paramstyle qmark): pass an array');
    }
  }

  #readable(): Result<R> {
    this.#check();
    if (!this.#result) {
      throw new ProgrammingError('no result set: the last statement returned no rows, or none ran');
    }
    return this.#result;
  }

  /** Runs `work` when no other operation of this cursor runs. */
  async #exclusive<T>(work: () => Promise<T>): Promise<T> {
    while (this.#busy) await this.#busy.catch(() => undefined);
    this.#check();
    let release!: () => void;
    this.#busy = new Promise<void>((resolve) => (release = resolve));
    try {
      return await work();
    } finally {
      this.#busy = undefined;
      release();
    }
  }

  /** Ends the current result (cancelling its stream) and forgets description and rowcount. */
  async #reset(): Promise<void> {
    const result = this.#result;
    this.#result = undefined;
    this.#description = null;
    this.#rowcount = -1;
    await result?.reader.close();
  }

  /** The prepared statement for `sql`: the cached one when the SQL and transaction match. */
  async #prepare(sql: string, statement: StatementOptions, options: CallOptions): Promise<PreparedStatement> {
    const cached = this.#prepared;
    if (
      cached &&
      cached.sql === sql &&
      cached.transaction === statement.transaction &&
      !cached.statement.closed
    ) {
      return cached.statement;
    }
    this.#prepared = undefined;
    // A stale handle is only a leak on the server, which expires it: never fail a new statement for it.
    await cached?.statement.close(options).catch(() => undefined);
    const prepared = await this.#connection.client.prepare(sql, { ...options, ...statement });
    this.#prepared = { sql, transaction: statement.transaction, statement: prepared };
    return prepared;
  }

  /**
   * Starts reading `info` and waits for its first batch, so that errors the server raises only
   * when it runs the statement surface from execute(), and `description` is the stream's own
   * schema (a FlightInfo may carry none, or only a guess for columns of open parameter types).
   */
  async #open(info: FlightInfo, options: CallOptions): Promise<void> {
    const reader = this.#connection.client.readFlightInfo(info, { signal: options.signal });
    const batches = reader[Symbol.asyncIterator]();
    const result: Result<R> = {
      reader,
      batches,
      schema: info.schema,
      converted: 0,
      position: 0,
      count: 0,
      done: false,
    };
    this.#result = result;
    if (info.endpoints.length > 0) {
      const first = await batches.next();
      if (first.done) {
        result.done = true;
        result.schema = reader.schema; // the stream's, when an endpoint sent one
      } else {
        result.pending = first.value;
        result.schema = first.value.schema;
      }
    } else {
      result.done = true;
    }
    this.#description = describe(result.schema);
    if (info.totalRecords >= 0n) this.#rowcount = Number(info.totalRecords);
    if (result.done) this.#rowcount = 0;
  }

  /**
   * Makes sure an unread row is converted, a window of rows at a time (rows die young, so the
   * garbage collector never copies a whole batch of them); false at the end.
   */
  async #fill(r: Result<R>, wanted = ROW_WINDOW): Promise<boolean> {
    for (;;) {
      if (r.rows && r.position < r.rows.length) return true;
      if (r.batch && r.converted < r.batch.numRows) {
        const end = Math.min(r.batch.numRows, r.converted + Math.max(wanted, ROW_WINDOW));
        r.rows = r.converter!.rows(r.batch, r.converted, end) as R[];
        r.converted = end;
        r.position = 0;
        return true;
      }
      if (!(await this.#nextBatch(r))) return false;
    }
  }

  /** Moves to the next non-empty batch (rows not yet converted); false at the end. */
  async #nextBatch(r: Result<R>): Promise<boolean> {
    r.batch = undefined;
    r.rows = undefined;
    r.converted = 0;
    r.position = 0;
    while (!r.done) {
      let batch = r.pending;
      r.pending = undefined;
      if (!batch) {
        const next = await r.batches.next();
        if (next.done) break;
        batch = next.value;
      }
      if (batch.numRows === 0) continue;
      if (r.converterSchema !== batch.schema) {
        r.converter = new RowConverter(batch.schema, this.#values);
        r.converterSchema = batch.schema;
      }
      r.batch = batch;
      r.count += batch.numRows;
      return true;
    }
    r.done = true;
    if (this.#result === r) this.#rowcount = Math.max(this.#rowcount, r.count);
    return false;
  }
}

/** Rows converted at a time. */
const ROW_WINDOW = 1024;

/** Batch index of the next row not handed out. */
function unread(r: Result<Row>): number {
  return r.converted - (r.rows ? r.rows.length - r.position : 0);
}
