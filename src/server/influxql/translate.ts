/**
 * One InfluxQL statement to one DuckDB query: the statement is parsed, its measurements looked
 * up in the catalog of its database, and the SQL written by the SELECT or SHOW translator.
 * A database is required (INVALID_ARGUMENT without one, NOT_FOUND for an unknown one), as on
 * InfluxDB 3, except for SHOW DATABASES.
 */
import { status as Status } from '@grpc/grpc-js';
import { StatusError } from '../statusErrors';
import { invalid, type Source, type Statement } from './ast';
import type { CatalogSource, Database } from './catalog';
import { parseInfluxQL } from './parser';
import { selectSql, type Target } from './select';
import { showDatabasesSql, showSql } from './show';

/** DuckDB SQL for the InfluxQL `text`, in `database`, with now() at `now` (epoch ns). */
export async function translateInfluxQL(
  text: string,
  catalog: CatalogSource,
  database: string | undefined,
  now: bigint,
): Promise<string> {
  const statement = parseInfluxQL(text);
  if (statement.kind === 'showDatabases') return showDatabasesSql(await catalog.databases());
  const targets = await resolveSources(statement, catalog, database);
  return statement.kind === 'select' ? selectSql(statement, targets, now) : showSql(statement, targets, now);
}

/** The statement's FROM, or every measurement of the database for SHOW without FROM. */
function sourcesOf(statement: Exclude<Statement, { kind: 'showDatabases' }>): readonly Source[] {
  if (statement.kind === 'showMeasurements') return [{ regex: '' }];
  return statement.from.length ? statement.from : [{ regex: '' }];
}

/** The measurements the sources name that exist, sorted by name, each once. */
async function resolveSources(
  statement: Exclude<Statement, { kind: 'showDatabases' }>,
  catalog: CatalogSource,
  database: string | undefined,
): Promise<Target[]> {
  const databases = new Map<string, Database>();
  const open = async (name: string | undefined): Promise<Database> => {
    const wanted = name ?? database;
    if (wanted === undefined || wanted === '')
      throw new StatusError(
        Status.INVALID_ARGUMENT,
        'InfluxQL needs a database: set "database" in the ticket',
      );
    let db = databases.get(wanted);
    if (!db) {
      db = await catalog.database(wanted);
      if (!db) throw new StatusError(Status.NOT_FOUND, `database '${wanted}' not found`);
      databases.set(wanted, db);
    }
    return db;
  };
  const found = new Map<string, Target>();
  for (const source of sourcesOf(statement)) {
    const db = await open(source.database);
    if (source.name !== undefined) {
      const measurement = db.measurements.get(source.name);
      if (measurement) found.set(`${db.schema}\u0000${measurement.name}`, { schema: db.schema, measurement });
      continue;
    }
    let regex: RegExp;
    try {
      regex = new RegExp(source.regex ?? '');
    } catch {
      throw invalid(`bad regex /${source.regex ?? ''}/`);
    }
    for (const measurement of db.measurements.values()) {
      if (regex.test(measurement.name))
        found.set(`${db.schema}\u0000${measurement.name}`, { schema: db.schema, measurement });
    }
  }
  return [...found.values()].sort((a, b) =>
    a.measurement.name < b.measurement.name ? -1 : a.measurement.name > b.measurement.name ? 1 : 0,
  );
}
