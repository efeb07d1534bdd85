/**
 * Tables the tests create in the SQLite example server (with sql.js, before any client
 * connects): a key, a cascading foreign key, a composite key and a composite foreign key, an
 * index (sqlite_master lists it beside the tables), in the types the example maps.
 */
export const KEYED_TABLES = `
    CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
    CREATE TABLE child (
      id INTEGER PRIMARY KEY,
      parent_id INTEGER NOT NULL REFERENCES parent(id) ON DELETE CASCADE,
      label varchar(20),
      score REAL,
      data BLOB);
    CREATE INDEX child_label ON child(label);
    CREATE TABLE pair (a INTEGER, b INTEGER, note TEXT, PRIMARY KEY (a, b));
    CREATE TABLE pair_ref (id INTEGER PRIMARY KEY, pa INTEGER, pb INTEGER,
      FOREIGN KEY (pa, pb) REFERENCES pair(a, b));
    INSERT INTO parent VALUES (1, 'one'), (2, 'two');
    INSERT INTO child VALUES (1, 1, 'a', 0.5, x'0102'), (2, 1, 'b', NULL, NULL), (3, 2, NULL, 2.0, NULL);
`;
