/**
 * The DDL of HTTP writes: a new table is one CREATE TABLE and one table comment whatever its
 * width; the new columns of a table these writes created are one rebuild; kinds round-trip
 * through the table comment.
 */
import { markedTags, tableMark } from '../../../src/server/http/catalog';
import { ddlFor, rebuildDdl } from '../../../src/server/http/ddl';
import type { Column, TablePlan } from '../../../src/server/http/tablePlan';

const fields = (n: number, prefix = 'f'): Column[] =>
  Array.from({ length: n }, (_, i) => ({ name: `${prefix}${i}`, type: 'DOUBLE', kind: 'field' as const }));
const time: Column = { name: 'time', type: 'TIMESTAMP_NS', kind: 'time' };
const room: Column = { name: 'room', type: 'VARCHAR', kind: 'tag' };

function plan(columns: Column[], added: Column[], exists: boolean, marked: boolean): TablePlan {
  return { name: 'm', exists, marked, columns, added, timeIndex: 0, rows: [] };
}

test('a new table with 2,000 fields is two statements', () => {
  const columns = [time, room, ...fields(2000)];
  const ddl = ddlFor('db', plan(columns, columns, false, false));
  expect(ddl).toHaveLength(2);
  expect(ddl[0]).toMatch(/^CREATE TABLE "db"\."m" \("time" TIMESTAMP_NS, "room" VARCHAR, "f0" DOUBLE, /);
  expect(ddl[1]).toBe(`COMMENT ON TABLE "db"."m" IS 'influx:{"tags":["room"]}'`);
});

test('2,000 new fields of a marked table are one rebuild', () => {
  const added = fields(2000);
  const ddl = rebuildDdl('db', plan([time, room, ...added], added, true, true), 'tmp');
  expect(ddl).toEqual([
    expect.stringMatching(
      /^CREATE TABLE "db"\."tmp" AS SELECT \*, CAST\(NULL AS DOUBLE\) AS "f0", .* FROM "db"\."m"$/,
    ),
    'DROP TABLE "db"."m"',
    'ALTER TABLE "db"."tmp" RENAME TO "m"',
    `COMMENT ON TABLE "db"."m" IS 'influx:{"tags":["room"]}'`,
  ]);
});

test('columns added to a marked table need no column comments; to another table, they do', () => {
  const host: Column = { name: 'host', type: 'VARCHAR', kind: 'tag' };
  const added = [host, ...fields(2)];
  expect(ddlFor('db', plan([time, room, ...added], added, true, true))).toEqual([
    'ALTER TABLE "db"."m" ADD COLUMN "host" VARCHAR',
    'ALTER TABLE "db"."m" ADD COLUMN "f0" DOUBLE',
    'ALTER TABLE "db"."m" ADD COLUMN "f1" DOUBLE',
    `COMMENT ON TABLE "db"."m" IS 'influx:{"tags":["room","host"]}'`,
  ]);
  expect(ddlFor('db', plan([time, ...added], added, true, false))).toEqual([
    'ALTER TABLE "db"."m" ADD COLUMN "host" VARCHAR',
    'ALTER TABLE "db"."m" ADD COLUMN "f0" DOUBLE',
    'ALTER TABLE "db"."m" ADD COLUMN "f1" DOUBLE',
    `COMMENT ON COLUMN "db"."m"."host" IS 'influx:tag'`,
    `COMMENT ON COLUMN "db"."m"."f0" IS 'influx:field'`,
    `COMMENT ON COLUMN "db"."m"."f1" IS 'influx:field'`,
  ]);
});

test('the table mark round-trips any tag name; other comments are not marks', () => {
  const tags = ['room', 'a "quoted", tag', "it's"];
  expect(markedTags(tableMark(tags))).toEqual(new Set(tags));
  expect(markedTags('influx:tag')).toBeUndefined();
  expect(markedTags('a comment')).toBeUndefined();
  expect(markedTags(null)).toBeUndefined();
});
