/**
 * SqlInfo exercises for the SQL syntax ids (500 to 540): each tries what its id claims through
 * the client. Part of the table in sqlInfoExercises.ts.
 */
import { SqlInfo } from '../../../src';
import {
  SqlNullOrdering as Nulls,
  SqlOuterJoinsSupportLevel as Joins,
  SqlSupportedCaseSensitivity as Case,
  SqlSupportsConvert as Convert,
} from '../../../src/proto/FlightSql';
import {
  bits,
  claim,
  rows,
  sample,
  scalar,
  tableCount,
  tableExists,
  works,
  type Exercise,
  type Probe,
} from './sqlInfoProbe';

/** Function names DuckDB has as scalar functions or macros with a matching overload. */
async function functionsWhere(p: Probe, where: string): Promise<Set<string>> {
  const sql = `SELECT DISTINCT function_name FROM duckdb_functions()
    WHERE function_type IN ('scalar', 'macro') AND (${where})`;
  return new Set((await rows(p.client, sql)).map((r) => String(r[0])));
}

const NUMERIC = `['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT',
  'UINTEGER', 'UBIGINT', 'UHUGEINT', 'FLOAT', 'DOUBLE', 'DECIMAL']`;
const DATETIME = `['DATE', 'TIME', 'TIME_NS', 'TIME WITH TIME ZONE', 'TIMESTAMP', 'TIMESTAMP_S',
  'TIMESTAMP_MS', 'TIMESTAMP_NS', 'TIMESTAMP WITH TIME ZONE', 'INTERVAL']`;

/** Every listed function exists in DuckDB with an overload of the list's kind. */
function functionList(where: string): Exercise {
  return async (p, value) => {
    expect(Array.isArray(value)).toBe(true);
    const listed = value as string[];
    expect(listed.length).toBeGreaterThan(0);
    const known = await functionsWhere(p, where);
    expect(listed.filter((f) => !known.has(f))).toEqual([]);
  };
}

/** DuckDB's type and a sample value for each SqlSupportsConvert type. */
const CONVERT: ReadonlyArray<readonly [Convert, string, string]> = [
  [Convert.SQL_CONVERT_BIGINT, 'BIGINT', '1::BIGINT'],
  [Convert.SQL_CONVERT_BINARY, 'BLOB', "'\\x01'::BLOB"],
  [Convert.SQL_CONVERT_BIT, 'BOOLEAN', 'true'],
  [Convert.SQL_CONVERT_CHAR, 'VARCHAR', "'1'"],
  [Convert.SQL_CONVERT_DATE, 'DATE', "DATE '2000-01-02'"],
  [Convert.SQL_CONVERT_DECIMAL, 'DECIMAL(18,3)', '1.5::DECIMAL(18,3)'],
  [Convert.SQL_CONVERT_FLOAT, 'DOUBLE', '1.5::DOUBLE'],
  [Convert.SQL_CONVERT_INTEGER, 'INTEGER', '1::INTEGER'],
  [Convert.SQL_CONVERT_INTERVAL_DAY_TIME, 'INTERVAL', 'INTERVAL 1 DAY'],
  [Convert.SQL_CONVERT_INTERVAL_YEAR_MONTH, 'INTERVAL', 'INTERVAL 1 MONTH'],
  [Convert.SQL_CONVERT_LONGVARBINARY, 'BLOB', "'\\x01'::BLOB"],
  [Convert.SQL_CONVERT_LONGVARCHAR, 'VARCHAR', "'1'"],
  [Convert.SQL_CONVERT_NUMERIC, 'DECIMAL(18,3)', '1.5::DECIMAL(18,3)'],
  [Convert.SQL_CONVERT_REAL, 'FLOAT', '1.5::FLOAT'],
  [Convert.SQL_CONVERT_SMALLINT, 'SMALLINT', '1::SMALLINT'],
  [Convert.SQL_CONVERT_TIME, 'TIME', "TIME '01:02:03'"],
  [Convert.SQL_CONVERT_TIMESTAMP, 'TIMESTAMP', "TIMESTAMP '2000-01-02 03:04:05'"],
  [Convert.SQL_CONVERT_TINYINT, 'TINYINT', '1::TINYINT'],
  [Convert.SQL_CONVERT_VARBINARY, 'BLOB', "'\\x01'::BLOB"],
  [Convert.SQL_CONVERT_VARCHAR, 'VARCHAR', "'1'"],
];

/**
 * Whether DuckDB implements the CAST: it binds every CAST and refuses an unimplemented one only
 * when it runs it; a value that merely does not convert (`'1'` as a DATE) still counts.
 */
async function casts(p: Probe, sample: string, type: string): Promise<boolean> {
  return p.client.executeUpdate(`SELECT CAST(${sample} AS ${type})`).then(
    () => true,
    (err: unknown) => !/Unimplemented type for cast/i.test(String((err as Error).message)),
  );
}

/** Case sensitivity as observed for names written as `write`: stored case, then lookups. */
async function observedCase(p: Probe, write: (name: string) => string): Promise<Case> {
  const base = `${p.name()}MiXeD`;
  await p.client.executeUpdate(`CREATE TABLE ${write(base)}(x INTEGER)`);
  const stored = (await p.client.getTables({ tableNameFilterPattern: `${base.slice(0, -5)}%` }))
    .map((t) => t.tableName)
    .filter((n) => n.toLowerCase() === base.toLowerCase());
  expect(stored).toHaveLength(1);
  if (stored[0] === base.toUpperCase()) return Case.SQL_CASE_SENSITIVITY_UPPERCASE;
  if (stored[0] === base.toLowerCase()) return Case.SQL_CASE_SENSITIVITY_LOWERCASE;
  const found = await Promise.all(
    [base.toLowerCase(), base.toUpperCase()].map((n) =>
      works(() => rows(p.client, `SELECT * FROM ${write(n)}`)),
    ),
  );
  // A second table differing only in case must collide when names are case-insensitive.
  const collides = !(await works(() =>
    p.client.executeUpdate(`CREATE TABLE ${write(base.toUpperCase())}(y INTEGER)`),
  ));
  return found.every(Boolean) && collides
    ? Case.SQL_CASE_SENSITIVITY_CASE_INSENSITIVE
    : Case.SQL_CASE_SENSITIVITY_UNKNOWN;
}

/** Where NULLs sort, ascending and descending, as a SqlNullOrdering. */
async function observedNullOrdering(p: Probe): Promise<Nulls> {
  const order = async (direction: string) =>
    (await rows(p.client, `SELECT x FROM (VALUES (1), (NULL), (2)) v(x) ORDER BY x ${direction}`)).map(
      (r) => r[0],
    );
  const asc = await order('ASC');
  const desc = await order('DESC');
  const first = (r: unknown[]) => r[0] === null;
  if (!first(asc) && !first(desc)) return Nulls.SQL_NULLS_SORTED_AT_END;
  if (first(asc) && first(desc)) return Nulls.SQL_NULLS_SORTED_AT_START;
  return first(asc) ? Nulls.SQL_NULLS_SORTED_LOW : Nulls.SQL_NULLS_SORTED_HIGH;
}

/** The exercises of the SQL syntax ids. */
export const SYNTAX_EXERCISES: ReadonlyArray<readonly [SqlInfo, Exercise]> = [
  [
    SqlInfo.SQL_DDL_CATALOG,
    (p, value) =>
      claim(value, async () => {
        const c = p.name();
        await p.client.executeUpdate(`CREATE DATABASE ${c}`);
        expect(await p.client.getCatalogs()).toContain(c);
        await p.client.executeUpdate(`DROP DATABASE ${c}`);
      }),
  ],
  [
    SqlInfo.SQL_DDL_SCHEMA,
    (p, value) =>
      claim(value, async () => {
        const s = p.name();
        await p.client.executeUpdate(`CREATE SCHEMA ${s}`);
        expect((await p.client.getDbSchemas()).map((x) => x.dbSchema)).toContain(s);
        await p.client.executeUpdate(`DROP SCHEMA ${s}`);
        expect((await p.client.getDbSchemas()).map((x) => x.dbSchema)).not.toContain(s);
      }),
  ],
  [
    SqlInfo.SQL_DDL_TABLE,
    (p, value) =>
      claim(value, async () => {
        const t = p.name();
        await p.client.executeUpdate(`CREATE TABLE ${t}(x INTEGER)`);
        expect(await tableExists(p, t)).toBe(true);
        await p.client.executeUpdate(`DROP TABLE ${t}`);
        expect(await tableExists(p, t)).toBe(false);
      }),
  ],
  [SqlInfo.SQL_IDENTIFIER_CASE, async (p, value) => expect(value).toBe(await observedCase(p, (n) => n))],
  [
    SqlInfo.SQL_IDENTIFIER_QUOTE_CHAR,
    async (p, value) => {
      const q = String(value);
      const t = `${p.name()} odd name`;
      await p.client.executeUpdate(`CREATE TABLE ${q}${t}${q}(${q}a b${q} INTEGER)`);
      expect(await tableExists(p, t)).toBe(true);
      const info = await p.client.execute(`SELECT ${q}a b${q} FROM ${q}${t}${q}`);
      expect(info.schema.fields.map((f) => f.name)).toEqual(['a b']);
    },
  ],
  [
    SqlInfo.SQL_QUOTED_IDENTIFIER_CASE,
    async (p, value) => expect(value).toBe(await observedCase(p, (n) => `"${n}"`)),
  ],
  [
    SqlInfo.SQL_ALL_TABLES_ARE_SELECTABLE,
    async (p, value) => {
      await sample(p);
      const tables = await p.client.getTables();
      const q = (s: string | null) => `"${String(s).replace(/"/g, '""')}"`;
      const selectable = await Promise.all(
        tables.map((t) =>
          works(() =>
            p.client.execute(`SELECT * FROM ${q(t.catalog)}.${q(t.dbSchema)}.${q(t.tableName)} LIMIT 0`),
          ),
        ),
      );
      expect(selectable.every(Boolean)).toBe(value);
    },
  ],
  [SqlInfo.SQL_NULL_ORDERING, async (p, value) => expect(value).toBe(await observedNullOrdering(p))],
  [
    SqlInfo.SQL_KEYWORDS,
    async (p, value) => {
      const keywords = rows(p.client, 'SELECT DISTINCT upper(keyword_name) FROM duckdb_keywords()');
      expect([...(value as string[])].sort()).toEqual((await keywords).map((r) => String(r[0])).sort());
      // Reserved ones cannot name a table unquoted (but can quoted).
      const reserved = await rows(
        p.client,
        "SELECT keyword_name FROM duckdb_keywords() WHERE keyword_category = 'reserved'",
      );
      expect(reserved.length).toBeGreaterThan(0);
      await Promise.all(
        reserved.map(async ([k]) => {
          await expect(
            p.client.getExecuteSchema(`SELECT 1 FROM (SELECT 1) AS ${String(k)}`),
          ).rejects.toThrow();
          await p.client.getExecuteSchema(`SELECT 1 FROM (SELECT 1) AS "${String(k)}"`);
        }),
      );
    },
  ],
  [SqlInfo.SQL_NUMERIC_FUNCTIONS, functionList(`list_contains(${NUMERIC}, return_type)`)],
  [
    SqlInfo.SQL_STRING_FUNCTIONS,
    functionList(
      `list_contains(categories, 'string') OR return_type = 'VARCHAR' OR list_contains(parameter_types, 'VARCHAR')`,
    ),
  ],
  [SqlInfo.SQL_SYSTEM_FUNCTIONS, functionList('true')],
  [
    SqlInfo.SQL_DATETIME_FUNCTIONS,
    functionList(`list_has_any(list_append(parameter_types, return_type), ${DATETIME})`),
  ],
  [
    SqlInfo.SQL_SEARCH_STRING_ESCAPE,
    async (p, value) => {
      const t = p.name();
      await p.client.executeUpdate(`CREATE TABLE ${t}_1(x INTEGER); CREATE TABLE ${t}x1(x INTEGER)`);
      const found = await p.client.getTables({ tableNameFilterPattern: `${t}${String(value)}_1` });
      expect(found.map((x) => x.tableName)).toEqual([`${t}_1`]);
    },
  ],
  [
    SqlInfo.SQL_EXTRA_NAME_CHARACTERS,
    async (p, value) => {
      for (const c of String(value)) {
        const info = await p.client.execute(`SELECT 1 AS a${c}b`);
        expect(info.schema.fields.map((f) => f.name)).toEqual([`a${c}b`]);
      }
    },
  ],
  [
    SqlInfo.SQL_SUPPORTS_COLUMN_ALIASING,
    (p, value) =>
      claim(value, async () => {
        const info = await p.client.execute('SELECT 1 + 1 AS two');
        expect(info.schema.fields.map((f) => f.name)).toEqual(['two']);
      }),
  ],
  [
    SqlInfo.SQL_NULL_PLUS_NULL_IS_NULL,
    async (p, value) => expect((await scalar(p.client, "SELECT 'a' || NULL")) === null).toBe(value),
  ],
  [
    SqlInfo.SQL_SUPPORTS_CONVERT,
    async (p, value) => {
      expect(value).toBeInstanceOf(Map);
      const claimed = value as Map<number, number[]>;
      const observed = new Map<number, number[]>();
      for (const [from, , sample] of CONVERT) {
        const reached = await Promise.all(
          CONVERT.map(([to, type]) => casts(p, sample, type).then((ok) => (ok ? [to] : []))),
        );
        observed.set(from, reached.flat());
      }
      expect(new Map([...claimed].map(([k, v]) => [k, [...v].sort((a, b) => a - b)]))).toEqual(observed);
    },
  ],
  [
    SqlInfo.SQL_SUPPORTS_TABLE_CORRELATION_NAMES,
    async (p, value) => {
      const t = await sample(p);
      await claim(value, async () =>
        expect(await scalar(p.client, `SELECT max(x.a) FROM ${t} AS x`)).toBe(2),
      );
    },
  ],
  [
    SqlInfo.SQL_SUPPORTS_DIFFERENT_TABLE_CORRELATION_NAMES,
    async (p, value) => {
      // True would mean a correlation name must differ from the table's name.
      const t = await sample(p);
      await claim(!value, () => rows(p.client, `SELECT ${t}.a FROM ${t} AS ${t}`));
    },
  ],
  [
    SqlInfo.SQL_SUPPORTS_EXPRESSIONS_IN_ORDER_BY,
    async (p, value) => {
      const t = await sample(p);
      await claim(value, async () =>
        expect(await scalar(p.client, `SELECT a FROM ${t} ORDER BY a * -1`)).toBe(2),
      );
    },
  ],
  [
    SqlInfo.SQL_SUPPORTS_ORDER_BY_UNRELATED,
    async (p, value) => {
      const t = await sample(p);
      await claim(value, async () =>
        expect(await scalar(p.client, `SELECT a FROM ${t} ORDER BY b DESC NULLS LAST`)).toBe(2),
      );
    },
  ],
  [
    SqlInfo.SQL_SUPPORTED_GROUP_BY,
    async (p, value) => {
      const t = await sample(p);
      await bits(value, [
        // UNRELATED: grouping by a column the select list does not show.
        async () =>
          expect(await rows(p.client, `SELECT count(*) FROM ${t} GROUP BY a ORDER BY 1`)).toEqual([
            [1n],
            [2n],
          ]),
        // BEYOND_SELECT: every selected column grouped, and more.
        async () =>
          expect(await rows(p.client, `SELECT a FROM ${t} GROUP BY a, b ORDER BY a`)).toHaveLength(3),
      ]);
    },
  ],
  [
    SqlInfo.SQL_SUPPORTS_LIKE_ESCAPE_CLAUSE,
    (p, value) =>
      claim(value, async () =>
        expect(
          await rows(p.client, "SELECT 'a_c' LIKE 'a!_c' ESCAPE '!', 'abc' LIKE 'a!_c' ESCAPE '!'"),
        ).toEqual([[true, false]]),
      ),
  ],
  [
    SqlInfo.SQL_SUPPORTS_NON_NULLABLE_COLUMNS,
    async (p, value) => {
      const t = p.name();
      await claim(value, async () => {
        await p.client.executeUpdate(`CREATE TABLE ${t}(x INTEGER NOT NULL)`);
        await expect(p.client.executeUpdate(`INSERT INTO ${t} VALUES (NULL)`)).rejects.toThrow(/NOT NULL/);
      });
    },
  ],
  [
    SqlInfo.SQL_SUPPORTED_GRAMMAR,
    async (p, value) => {
      const t = p.name();
      await bits(value, [
        // Minimum: CREATE/DROP TABLE, INSERT, SELECT, searched UPDATE and DELETE.
        async () => {
          await p.client.executeUpdate(`CREATE TABLE ${t}(x INTEGER, y VARCHAR)`);
          await p.client.executeUpdate(`INSERT INTO ${t} VALUES (1, 'a'), (2, 'b')`);
          expect(await p.client.executeUpdate(`UPDATE ${t} SET y = 'c' WHERE x = 1`)).toBe(1);
          expect(await p.client.executeUpdate(`DELETE FROM ${t} WHERE x = 2`)).toBe(1);
          expect(await rows(p.client, `SELECT x, y FROM ${t}`)).toEqual([[1, 'c']]);
          await p.client.executeUpdate(`DROP TABLE ${t}`);
        },
        // Core needs GRANT and REVOKE besides views, indexes and ALTER TABLE.
        () => p.client.executeUpdate(`CREATE TABLE ${t}c(x INTEGER); GRANT SELECT ON ${t}c TO PUBLIC`),
        // Extended needs positioned updates and SELECT FOR UPDATE.
        () => p.client.executeUpdate(`SELECT 1 FOR UPDATE`),
      ]);
    },
  ],
  [
    SqlInfo.SQL_SUPPORTS_INTEGRITY_ENHANCEMENT_FACILITY,
    async (p, value) => {
      const t = p.name();
      await claim(value, async () => {
        await p.client.executeUpdate(
          `CREATE TABLE ${t}p(id INTEGER PRIMARY KEY, u INTEGER UNIQUE, c INTEGER CHECK (c > 0), d INTEGER DEFAULT 7)`,
        );
        await p.client.executeUpdate(`CREATE TABLE ${t}c(id INTEGER REFERENCES ${t}p(id))`);
        await p.client.executeUpdate(`INSERT INTO ${t}p(id, u, c) VALUES (1, 1, 1)`);
        expect(await scalar(p.client, `SELECT d FROM ${t}p`)).toBe(7);
        for (const bad of [
          `INSERT INTO ${t}p(id, u, c) VALUES (1, 2, 1)`,
          `INSERT INTO ${t}p(id, u, c) VALUES (2, 1, 1)`,
          `INSERT INTO ${t}p(id, u, c) VALUES (3, 3, 0)`,
          `INSERT INTO ${t}c VALUES (9)`,
        ])
          await expect(p.client.executeUpdate(bad)).rejects.toThrow();
      });
    },
  ],
  [
    SqlInfo.SQL_OUTER_JOINS_SUPPORT_LEVEL,
    async (p, value) => {
      const l = '(VALUES (1), (2)) l(x)';
      const r = '(VALUES (2), (3)) r(x)';
      const count = (join: string) =>
        scalar(p.client, `SELECT count(*) FROM ${l} ${join} JOIN ${r} ON l.x = r.x`);
      const limited = await works(async () => {
        expect(await count('LEFT OUTER')).toBe(2n);
        expect(await count('RIGHT OUTER')).toBe(2n);
      });
      const full = await works(async () => expect(await count('FULL OUTER')).toBe(3n));
      expect(value).toBe(
        full && limited
          ? Joins.SQL_FULL_OUTER_JOINS
          : limited
            ? Joins.SQL_LIMITED_OUTER_JOINS
            : Joins.SQL_JOINS_UNSUPPORTED,
      );
    },
  ],
  [
    SqlInfo.SQL_SCHEMA_TERM,
    async (p, value) => {
      // DuckDB's own word: CREATE <term>.
      const s = p.name();
      await p.client.executeUpdate(`CREATE ${String(value).toUpperCase()} ${s}`);
      expect((await p.client.getDbSchemas()).map((x) => x.dbSchema)).toContain(s);
    },
  ],
  [
    SqlInfo.SQL_CATALOG_TERM,
    async (p, value) => {
      // DuckDB's own word: current_<term>() names a catalog.
      expect(value).not.toBe('');
      expect(await p.client.getCatalogs()).toContain(
        await scalar(p.client, `SELECT current_${String(value)}()`),
      );
    },
  ],
  [
    SqlInfo.SQL_CATALOG_AT_START,
    async (p, value) => {
      const t = await sample(p);
      const catalog = String(await scalar(p.client, 'SELECT current_database()'));
      await claim(value, async () => expect(await tableCount(p, `"${catalog}".main.${t}`)).toBe(3));
    },
  ],
  [
    SqlInfo.SQL_SCHEMAS_SUPPORTED_ACTIONS,
    async (p, value) => {
      const t = await sample(p);
      await bits(value, [
        () => p.client.executeUpdate(`CREATE PROCEDURE main.${t}_p() AS SELECT 1`), // no procedures
        () => p.client.executeUpdate(`CREATE INDEX ${t}_i ON main.${t}(a)`),
        () => p.client.executeUpdate(`GRANT SELECT ON main.${t} TO PUBLIC`), // no privileges
      ]);
    },
  ],
  [
    SqlInfo.SQL_CATALOGS_SUPPORTED_ACTIONS,
    async (p, value) => {
      const t = await sample(p);
      const catalog = `"${String(await scalar(p.client, 'SELECT current_database()'))}"`;
      await bits(value, [
        () => p.client.executeUpdate(`CREATE PROCEDURE ${catalog}.main.${t}_p() AS SELECT 1`),
        () => p.client.executeUpdate(`CREATE INDEX ${t}_i ON ${catalog}.main.${t}(a)`),
        () => p.client.executeUpdate(`GRANT SELECT ON ${catalog}.main.${t} TO PUBLIC`),
      ]);
    },
  ],
  [
    SqlInfo.SQL_SUPPORTED_POSITIONED_COMMANDS,
    async (p, value) => {
      const t = await sample(p);
      await bits(value, [
        () => p.client.executeUpdate(`DELETE FROM ${t} WHERE CURRENT OF c`),
        () => p.client.executeUpdate(`UPDATE ${t} SET a = 0 WHERE CURRENT OF c`),
      ]);
    },
  ],
  [
    SqlInfo.SQL_SELECT_FOR_UPDATE_SUPPORTED,
    async (p, value) => {
      const t = await sample(p);
      await claim(value, () => rows(p.client, `SELECT * FROM ${t} FOR UPDATE`));
    },
  ],
  [
    SqlInfo.SQL_STORED_PROCEDURES_SUPPORTED,
    (p, value) => claim(value, () => p.client.executeUpdate('CREATE PROCEDURE p() AS SELECT 1')),
  ],
  [
    SqlInfo.SQL_SUPPORTED_SUBQUERIES,
    async (p, value) => {
      const t = await sample(p);
      const one = (where: string, n: bigint) => async () =>
        expect(await scalar(p.client, `SELECT count(*) FROM ${t} WHERE ${where}`)).toBe(n);
      await bits(value, [
        one(`a = (SELECT max(a) FROM ${t})`, 2n),
        one(`EXISTS (SELECT 1 FROM ${t} WHERE b > 15)`, 3n),
        one(`b IN (SELECT b FROM ${t} WHERE b < 15)`, 1n),
        one(`b >= ALL (SELECT b FROM ${t} WHERE b IS NOT NULL)`, 1n),
      ]);
    },
  ],
  [
    SqlInfo.SQL_CORRELATED_SUBQUERIES_SUPPORTED,
    async (p, value) => {
      const t = await sample(p);
      await claim(value, async () =>
        expect(
          await scalar(
            p.client,
            `SELECT count(*) FROM ${t} o WHERE b = (SELECT max(b) FROM ${t} i WHERE i.a = o.a)`,
          ),
        ).toBe(2n),
      );
    },
  ],
  [
    SqlInfo.SQL_SUPPORTED_UNIONS,
    (p, value) =>
      bits(value, [
        async () => expect(await rows(p.client, 'SELECT 1 UNION SELECT 1')).toHaveLength(1),
        async () => expect(await rows(p.client, 'SELECT 1 UNION ALL SELECT 1')).toHaveLength(2),
      ]),
  ],
];
