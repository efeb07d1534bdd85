/**
 * Arrow C++'s SqliteStatementBatchReader (sqlite_statement_batch_reader.cc): rows of a
 * statement as record batches of up to 16384 rows, re-running the statement for every row of
 * its parameter batches. Its schema is either given (metadata results) or read from the first
 * row after binding the first parameter row (query results), so it may differ from the schema
 * the FlightInfo announced before the statement ran.
 */
import {
  DataType,
  RecordBatch,
  Struct,
  Type,
  makeData,
  vectorFromArray,
  type Data,
  type DenseUnion,
  type Field,
  type Schema,
} from 'apache-arrow';
import { ArrowStatus } from './arrowStatus';
import { SQLITE_DONE, SQLITE_ROW } from './sqliteApi';
import type { SqliteStatement } from './sqliteStatement';

const MAX_BATCH_ROWS = 16384;

/** A DoGet's result: the schema written first, the batches, and an error that ends the stream. */
export interface StreamResult {
  readonly schema: Schema;
  readonly batches: RecordBatch[];
  readonly error?: ArrowStatus;
}

/** A column of `type` from JS values (nulls as null). A union column holds nulls only (in its first member). */
export function columnData(type: DataType, values: unknown[]): Data {
  if (type.typeId === Type.Union) {
    const union = type as DenseUnion;
    const children = union.children.map(
      (child, i) => vectorFromArray(i === 0 ? values.map(() => null) : [], child.type).data[0]!,
    );
    return makeData({
      type: union,
      length: values.length,
      nullCount: 0,
      typeIds: new Int8Array(values.length).fill(union.typeIds[0]!),
      valueOffsets: Int32Array.from(values, (_, i) => i),
      children,
    });
  }
  return vectorFromArray(values, type).data[0]!;
}

/** A record batch of `schema` from one array of values per field. */
export function batchOf(schema: Schema, columns: unknown[][], length: number): RecordBatch {
  const children = schema.fields.map((f: Field, i) => columnData(f.type, columns[i]!));
  return new RecordBatch(
    schema,
    makeData({ type: new Struct(schema.fields), length, nullCount: 0, children }),
  );
}

export class SqliteStatementBatchReader {
  #executed = false;
  #rc = 0;
  #batchIndex = 0;
  #rowIndex = 0;

  private constructor(
    readonly statement: SqliteStatement,
    readonly schema: Schema,
  ) {}

  /** `Create(statement)`: binds the first parameter row, steps once, takes the schema from that row. */
  static create(statement: SqliteStatement, schema?: Schema): SqliteStatementBatchReader {
    if (schema) return new SqliteStatementBatchReader(statement, schema);
    statement.reset();
    if (statement.parameters.length > 0) statement.bind(0, 0);
    statement.step();
    return new SqliteStatementBatchReader(statement, statement.getSchema());
  }

  /** `ReadNext`: the next batch, or null at the end. */
  readNext(): RecordBatch | null {
    const st = this.statement;
    const params = st.parameters;
    const fields = this.schema.fields;
    const columns: unknown[][] = fields.map(() => []);
    let rows = 0;
    for (;;) {
      if (!this.#executed) {
        this.#rc = st.reset();
        if (params.length > 0) {
          if (this.#batchIndex >= params.length) return null;
          st.bind(this.#batchIndex, this.#rowIndex);
        }
        this.#rc = st.step();
        this.#executed = true;
      }
      while (rows < MAX_BATCH_ROWS && this.#rc === SQLITE_ROW) {
        rows++;
        fields.forEach((f, i) => columns[i]!.push(st.isNull(i) ? null : st.value(i, f.type)));
        this.#rc = st.step();
      }
      if (params.length > 0 && this.#rc === SQLITE_DONE && this.#batchIndex < params.length) {
        this.#rowIndex++;
        if (this.#rowIndex < params[this.#batchIndex]!.numRows) {
          this.#executed = false;
        } else {
          this.#batchIndex++;
          this.#rowIndex = 0;
          if (this.#batchIndex < params.length) this.#executed = false;
        }
        if (!this.#executed && rows < MAX_BATCH_ROWS) continue;
      }
      return rows > 0 ? batchOf(this.schema, columns, rows) : null;
    }
  }

  /** Every batch; an error after the first becomes the stream's error (the schema was already sent). */
  readAll(): StreamResult {
    const batches: RecordBatch[] = [];
    try {
      for (let batch = this.readNext(); batch; batch = this.readNext()) batches.push(batch);
    } catch (err) {
      if (err instanceof ArrowStatus) return { schema: this.schema, batches, error: err };
      throw err;
    }
    return { schema: this.schema, batches };
  }
}
