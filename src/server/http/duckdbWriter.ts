/**
 * Writes planned line protocol rows into DuckDB, on one connection of the writer's own (no
 * client can reach it), keeping the catalog it read (catalog.ts).
 *
 * Group commit: requests that arrive while a write runs wait, and are then written together in
 * one transaction (the schema created and tables created or widened with DDL, then each table's
 * rows at once). One at a time, because two transactions adding the same column would conflict
 * in DuckDB's catalog. Each request is still all or nothing: when a group fails, its requests
 * are written again one by one, each in its own transaction, on a catalog read afresh, so that
 * one bad request never costs another its points. A request that fails alone is tried once more
 * after a fresh read (the catalog may have been changed by a client's DDL) before its error is
 * reported.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DuckDBEngine } from '../DuckDBEngine';
import { loadRuntime, type DuckDBRuntime } from '../duckdb/runtime';
import { quoteIdentifier } from '../metadata/sql';
import { CatalogCache } from './catalog';
import { applyDdl } from './ddl';
import type { Point } from './lineProtocol';
import { appendRows, insertRows, InsertStatements, INSERT_MAX_ROWS } from './rows';
import { HttpError } from './responses';
import { planWrite, type Rejected, type TablePlan } from './tablePlan';

/** What a write did. */
export interface WriteOutcome {
  /** Rows written (0 when the request was refused whole). */
  readonly written: number;
  /** Points refused by the schema (type conflicts, name clashes), in line order. */
  readonly rejected: Rejected[];
}

/** The schema a database name writes to: `main` when none is given. */
export function schemaFor(database: string | undefined): string {
  return database === undefined || database === '' ? 'main' : database;
}

/** A request waiting for its turn. */
interface Job {
  readonly schema: string;
  readonly points: readonly Point[];
  readonly acceptPartial: boolean;
  readonly resolve: (outcome: WriteOutcome) => void;
  readonly reject: (err: unknown) => void;
  /** Answered (its promise settled): a failure of its group no longer concerns it. */
  settled: boolean;
}

/** A job planned within its group: the tables it writes. */
interface Planned {
  readonly job: Job;
  readonly tables: TablePlan[];
  readonly outcome: WriteOutcome;
}

/** A group takes waiting requests up to this many points (the rest wait for the next). */
const GROUP_MAX_POINTS = 100_000;

/** Writes line protocol points into DuckDB, requests that wait together in one transaction. */
export class DuckDBWriter {
  readonly #queue: Job[] = [];
  #running = false;
  #session: Promise<DuckDBConnection> | undefined;
  readonly #catalog = new CatalogCache();
  readonly #statements = new InsertStatements();
  #closed = false;

  constructor(private readonly engine: DuckDBEngine) {}

  /**
   * Writes `points` into schema `schema` (created if missing). With `acceptPartial` false,
   * nothing is written when a point is refused. Throws HttpError 400 for a schema name DuckDB
   * could not tell from a catalog.
   */
  write(schema: string, points: readonly Point[], acceptPartial: boolean): Promise<WriteOutcome> {
    return new Promise<WriteOutcome>((resolve, reject) => {
      const job: Job = {
        schema,
        points,
        acceptPartial,
        resolve: (outcome) => {
          job.settled = true;
          resolve(outcome);
        },
        reject: (err) => {
          job.settled = true;
          reject(err);
        },
        settled: false,
      };
      this.#queue.push(job);
      if (!this.#running) void this.#drain();
    });
  }

  /** Drops the writer's statements and connection (the engine closes it too, if it goes first). */
  close(): void {
    this.#closed = true;
    if (this.#running) return; // #drain closes once the running group is done
    this.#release();
  }

  #release(): void {
    const session = this.#session;
    this.#session = undefined;
    this.#statements.clear();
    void session?.then(
      (connection) => this.engine.endSession(connection),
      () => undefined,
    );
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      const rt = await loadRuntime();
      while (this.#queue.length > 0) {
        const group: Job[] = [];
        let points = 0;
        while (
          this.#queue.length > 0 &&
          (group.length === 0 || points + this.#queue[0]!.points.length <= GROUP_MAX_POINTS)
        ) {
          const job = this.#queue.shift()!;
          points += job.points.length;
          group.push(job);
        }
        try {
          this.#session ??= this.engine.openSession();
          const connection = await this.#session;
          await this.engine.withConnection(connection, () => this.#writeGroup(connection, rt, group));
        } catch (err) {
          for (const job of group) job.reject(err);
        }
      }
    } catch (err) {
      for (const job of this.#queue.splice(0)) job.reject(err);
    } finally {
      this.#running = false;
      if (this.#closed) this.#release();
    }
  }

  /** Writes `group`; a failure splits it (see the file comment). Settles every job. */
  async #writeGroup(connection: DuckDBConnection, rt: DuckDBRuntime, group: readonly Job[]): Promise<void> {
    const planned: Planned[] = [];
    try {
      await this.#plan(connection, group, planned);
      await this.#apply(connection, rt, planned);
    } catch (err) {
      this.#forget();
      // Only the jobs not yet answered: one refused whole by its plan has its answer.
      const open = group.filter((job) => !job.settled);
      if (open.length > 1) for (const job of open) await this.#writeAlone(connection, rt, job);
      else if (open.length === 1) await this.#writeAlone(connection, rt, open[0]!, err);
      return;
    }
    for (const { job, outcome } of planned) job.resolve(outcome);
  }

  /** Writes one job in its own transaction, on a fresh catalog; `failed` is its first failure. */
  async #writeAlone(
    connection: DuckDBConnection,
    rt: DuckDBRuntime,
    job: Job,
    failed?: unknown,
  ): Promise<void> {
    try {
      const planned: Planned[] = [];
      await this.#plan(connection, [job], planned);
      await this.#apply(connection, rt, planned);
      for (const p of planned) p.job.resolve(p.outcome);
    } catch (err) {
      this.#forget();
      // Failed alone on a fresh catalog: that is its answer. Failed in a group: once more alone.
      if (failed !== undefined) job.reject(err);
      else await this.#writeAlone(connection, rt, job, err);
    }
  }

  /** After a failure the cache may be wrong (a client's DDL), and the statements bound to it. */
  #forget(): void {
    this.#catalog.clear();
    this.#statements.clear();
  }

  /**
   * Plans each job against the catalog as the jobs before it in the group leave it. A job that
   * writes nothing (every point refused, or any with accept_partial=false) is settled here. A
   * schema name error concerns only its own job: it is settled too. The others are pushed on
   * `planned` as they are planned (a failure leaves there those planned before it).
   */
  async #plan(connection: DuckDBConnection, group: readonly Job[], planned: Planned[]): Promise<void> {
    for (const job of group) {
      let catalog;
      try {
        catalog = await this.#catalog.get(connection, job.schema);
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        job.reject(err);
        continue;
      }
      const plan = planWrite(job.points, [...catalog.tables.values()]);
      const outcome = { written: plan.rowCount, rejected: plan.rejected };
      if (plan.rowCount === 0 || (!job.acceptPartial && plan.rejected.length > 0)) {
        job.resolve({ written: 0, rejected: plan.rejected });
        continue;
      }
      CatalogCache.apply(catalog, plan.tables);
      planned.push({ job, tables: plan.tables, outcome });
    }
  }

  /** Writes the planned jobs: one transaction, or a lone INSERT statement when that is all there is. */
  async #apply(connection: DuckDBConnection, rt: DuckDBRuntime, planned: readonly Planned[]): Promise<void> {
    if (planned.length === 0) return;
    const tables = mergeTables(planned);
    const schemas = new Set(planned.map((p) => p.job.schema));
    const toCreate = [...schemas].filter((s) => this.#catalog.peek(s)?.created !== true);
    const ddl = toCreate.length > 0 || tables.some(({ table }) => !table.exists || table.added.length > 0);
    const lone = !ddl && tables.length === 1 && tables[0]!.table.rows.length <= INSERT_MAX_ROWS;
    if (!lone) await connection.run('BEGIN TRANSACTION');
    try {
      for (const schema of toCreate)
        await connection.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
      for (const { schema, table } of tables)
        if (table.added.length > 0 || !table.exists) await applyDdl(connection, schema, table);
      for (const { schema, table } of tables) {
        if (table.rows.length <= INSERT_MAX_ROWS)
          await insertRows(connection, rt, this.#statements, schema, table);
        else await appendRows(connection, rt, this.#statements, schema, table);
      }
      if (!lone) await connection.run('COMMIT');
    } catch (err) {
      if (!lone) await connection.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
    for (const schema of toCreate) {
      const catalog = this.#catalog.peek(schema);
      if (catalog) catalog.created = true;
    }
  }
}

/**
 * One plan per table of the group: columns only ever grow at the end, so every row's indexes
 * hold in the last plan's columns; the first plan says whether the table existed before.
 */
function mergeTables(planned: readonly Planned[]): { schema: string; table: TablePlan }[] {
  const merged = new Map<string, { schema: string; table: TablePlan }>();
  for (const { job, tables } of planned) {
    for (const table of tables) {
      const key = `${job.schema.toLowerCase()}\0${table.name.toLowerCase()}`;
      const into = merged.get(key);
      if (into === undefined) {
        merged.set(key, {
          schema: job.schema,
          table: { ...table, columns: [...table.columns], added: [...table.added], rows: [...table.rows] },
        });
        continue;
      }
      const t = into.table;
      t.columns.splice(0, t.columns.length, ...table.columns);
      t.added.push(...table.added);
      t.rows.push(...table.rows);
      t.timeIndex = table.timeIndex;
    }
  }
  return [...merged.values()];
}
