/**
 * From parsed points to DuckDB tables: which table each point lands in, which columns must be
 * created or added, and which lines conflict with the schema (the table's, or one an earlier
 * line of the same request set up). Pure: it works on a snapshot of the catalog, so that the
 * rules can be tested without DuckDB.
 *
 * A measurement is a table, a tag a VARCHAR column, a field a column of its type and the
 * timestamp the TIMESTAMP_NS column `time`. DuckDB compares names without regard to case while
 * line protocol does not: a name that differs from an existing one only by case is refused,
 * rather than mixing two series in one column.
 */
import type { FieldType, Point } from './lineProtocol';

/** DuckDB column type of each field type. */
export const DUCKDB_TYPE: Readonly<Record<FieldType, string>> = {
  float: 'DOUBLE',
  integer: 'BIGINT',
  unsigned: 'UBIGINT',
  string: 'VARCHAR',
  boolean: 'BOOLEAN',
};

/** DuckDB type of tag columns. */
export const TAG_TYPE = 'VARCHAR';
/** DuckDB type of the `time` column. */
export const TIME_TYPE = 'TIMESTAMP_NS';
/** Name of the timestamp column. */
export const TIME_COLUMN = 'time';

/**
 * What a column holds. Columns this server creates carry a comment saying tag or field (a tag
 * and a string field are both VARCHAR); `other` is a column made some other way, which takes
 * whatever matches its DuckDB type.
 */
export type ColumnKind = 'tag' | 'field' | 'time' | 'other';

/** A column as the catalog (or this plan) has it. */
export interface Column {
  readonly name: string;
  /** DuckDB type name, as `duckdb_columns()` spells it. */
  readonly type: string;
  readonly kind: ColumnKind;
}

/** A table of the catalog snapshot. */
export interface CatalogTable {
  readonly name: string;
  /** In table order. */
  readonly columns: readonly Column[];
  /** A view by that name: nothing can be written there. */
  readonly view?: boolean;
  /** Created by HTTP writes: its table comment says which columns are tags. */
  readonly marked?: boolean;
}

/**
 * A row to append: the point, and the column index of each of its tags, then each of its
 * fields (columns it does not name are NULL). Points of the same shape share one array.
 */
export interface PlannedRow {
  readonly point: Point;
  readonly indexes: readonly number[];
}

/** What to do to one table. */
export interface TablePlan {
  readonly name: string;
  /** False: CREATE TABLE with all `columns`. */
  readonly exists: boolean;
  /** An existing table created by HTTP writes (see CatalogTable.marked). */
  readonly marked: boolean;
  /** The table's columns once the plan is applied, in table order (appender order). */
  readonly columns: Column[];
  /** Columns to add (to an existing table, by ALTER TABLE), in order. */
  readonly added: Column[];
  /** Index of `time` in `columns`. */
  timeIndex: number;
  readonly rows: PlannedRow[];
}

/** A point the plan refuses, and why. */
export interface Rejected {
  readonly point: Point;
  readonly message: string;
}

/** The tables to write and the points refused. */
export interface WritePlan {
  readonly tables: TablePlan[];
  readonly rejected: Rejected[];
  /** Rows to write, over all tables. */
  readonly rowCount: number;
}

/** `float (DOUBLE)`: the line protocol type, and the column type it takes. */
const describeField = (type: FieldType) => `${type} (${DUCKDB_TYPE[type]})`;

/** A column's type for messages: the field type it holds when there is one, else DuckDB's name. */
function describeColumn(column: Column): string {
  if (column.kind === 'tag') return `a tag (${TAG_TYPE})`;
  const type = (Object.keys(DUCKDB_TYPE) as FieldType[]).find((t) => DUCKDB_TYPE[t] === column.type);
  return type === undefined ? column.type : describeField(type);
}

class Conflict extends Error {}

function conflict(message: string): never {
  throw new Conflict(message);
}

/** True when `a` and `b` name the same tags and fields, with the same types, in the same order. */
function sameShape(a: Point, b: Point): boolean {
  const n = a.tagKeys.length;
  const m = a.fieldKeys.length;
  if (n !== b.tagKeys.length || m !== b.fieldKeys.length) return false;
  for (let i = 0; i < n; i++) if (a.tagKeys[i] !== b.tagKeys[i]) return false;
  for (let i = 0; i < m; i++) {
    if (a.fieldKeys[i] !== b.fieldKeys[i] || a.fieldTypes[i] !== b.fieldTypes[i]) return false;
  }
  return true;
}

/** Tracks one table through the request. */
class TableState {
  readonly plan: TablePlan;
  /** Column index by lower-case name (DuckDB's notion of the same name). */
  private readonly byName = new Map<string, number>();
  /** Line that added each column this request adds, for messages. */
  private readonly addedBy = new Map<number, number>();
  /**
   * The last point accepted: most lines of a request have the same shape as the one before,
   * and such a line is valid and lands in the same columns (columns never change type).
   */
  private last: PlannedRow | undefined;

  constructor(name: string, existing: CatalogTable | undefined) {
    const columns = existing ? [...existing.columns] : [];
    this.plan = {
      name,
      exists: existing !== undefined,
      marked: existing?.marked ?? false,
      columns,
      added: [],
      timeIndex: -1,
      rows: [],
    };
    columns.forEach((c, i) => this.byName.set(c.name.toLowerCase(), i));
    const time = this.byName.get(TIME_COLUMN);
    if (time !== undefined) this.plan.timeIndex = time;
  }

  /** Checks a point against the table; on success appends its row (adding columns as needed). */
  add(point: Point): void {
    const last = this.last;
    if (last !== undefined && sameShape(point, last.point)) {
      this.plan.rows.push((this.last = { point, indexes: last.indexes }));
      return;
    }
    const { columns } = this.plan;
    const pending: Column[] = [];
    if (this.plan.timeIndex < 0) {
      pending.push({ name: TIME_COLUMN, type: TIME_TYPE, kind: 'time' });
    } else {
      const time = columns[this.plan.timeIndex]!;
      if (time.type !== TIME_TYPE)
        conflict(`column '${time.name}' of table '${this.plan.name}' is ${time.type}, not ${TIME_TYPE}`);
    }
    const indexes: number[] = [];
    for (let i = 0; i < point.tagKeys.length; i++) {
      indexes.push(this.place(point.tagKeys[i]!, undefined, indexes, pending));
    }
    for (let i = 0; i < point.fieldKeys.length; i++) {
      indexes.push(this.place(point.fieldKeys[i]!, point.fieldTypes[i]!, indexes, pending));
    }
    // The line is good: its new columns become part of the table.
    for (const column of pending) {
      const index = columns.length;
      columns.push(column);
      this.plan.added.push(column);
      this.byName.set(column.name.toLowerCase(), index);
      this.addedBy.set(index, point.lineNumber);
      if (column.kind === 'time') this.plan.timeIndex = index;
    }
    this.plan.rows.push((this.last = { point, indexes }));
  }

  /**
   * The column index of tag `key` (`type` undefined) or field `key` of `type`; a new column is
   * pushed on `pending` (indexes follow the table's). `taken` are the indexes of the line's
   * keys before this one.
   */
  private place(
    key: string,
    type: FieldType | undefined,
    taken: readonly number[],
    pending: Column[],
  ): number {
    const kind = type === undefined ? 'tag' : 'field';
    const lower = key.toLowerCase();
    if (lower === TIME_COLUMN)
      conflict(`'${key}' cannot be a ${kind} key: ${TIME_COLUMN} is the timestamp column`);
    const { columns } = this.plan;
    let index = this.byName.get(lower);
    if (index === undefined) {
      const at = pending.findIndex((c) => c.name.toLowerCase() === lower);
      if (at < 0) {
        pending.push({ name: key, type: type === undefined ? TAG_TYPE : DUCKDB_TYPE[type], kind });
        return columns.length + pending.length - 1;
      }
      index = columns.length + at;
    }
    const column = index < columns.length ? columns[index]! : pending[index - columns.length]!;
    if (taken.includes(index)) {
      conflict(
        column.name === key
          ? `'${key}' is both a tag and a field`
          : `'${key}' and '${column.name}' differ only by case, which DuckDB column names do not tell apart`,
      );
    }
    if (column.name !== key) {
      conflict(
        `${kind} '${key}' and column '${column.name}' differ only by case, which DuckDB column names do not tell apart`,
      );
    }
    const problem = type === undefined ? tagProblem(key, column) : fieldProblem(key, type, column);
    if (problem !== undefined) {
      const by = this.addedBy.get(index);
      conflict(`${problem}${by === undefined ? '' : ` (set by line ${by})`}`);
    }
    return index;
  }
}

/** Why tag `key` cannot go into `column`, or undefined when it can. */
function tagProblem(key: string, column: Column): string | undefined {
  if (column.kind === 'tag' || (column.kind === 'other' && column.type === TAG_TYPE)) return undefined;
  const what = column.kind === 'field' ? `a field of type ${describeColumn(column)}` : describeColumn(column);
  return `tag '${key}' collides with column '${column.name}', which is ${what}`;
}

/** Why field `key` of `type` cannot go into `column`, or undefined when it can. */
function fieldProblem(key: string, type: FieldType, column: Column): string | undefined {
  if (column.kind === 'tag')
    return `field '${key}' of type ${describeField(type)} collides with tag column '${column.name}'`;
  if (column.type === DUCKDB_TYPE[type]) return undefined;
  return `invalid column type for column '${column.name}', expected ${describeColumn(column)}, got ${describeField(type)}`;
}

/** Plans the write of `points` into the tables of `catalog` (the target schema's tables). */
export function planWrite(points: readonly Point[], catalog: readonly CatalogTable[]): WritePlan {
  const existing = new Map(catalog.map((t) => [t.name.toLowerCase(), t]));
  const states = new Map<string, TableState>();
  const rejected: Rejected[] = [];
  let rowCount = 0;
  for (const point of points) {
    try {
      const lower = point.measurement.toLowerCase();
      let state = states.get(lower);
      if (state === undefined) {
        const table = existing.get(lower);
        if (table?.view) conflict(`'${table.name}' is a view, not a table`);
        state = new TableState(table?.name ?? point.measurement, table);
      }
      if (state.plan.name !== point.measurement) {
        conflict(
          `measurement '${point.measurement}' and table '${state.plan.name}' differ only by case, which DuckDB table names do not tell apart`,
        );
      }
      state.add(point);
      states.set(lower, state);
      rowCount++;
    } catch (err) {
      if (!(err instanceof Conflict)) throw err;
      rejected.push({ point, message: err.message });
    }
  }
  const tables = [...states.values()].filter((s) => s.plan.rows.length > 0).map((s) => s.plan);
  return { tables, rejected, rowCount };
}
