// An auto-incrementing key: on DuckDB a sequence, users_id_seq, which rollback drops too.
exports.up = (knex) =>
  knex.schema.createTable('users', (t) => {
    t.increments();
    t.string('name').notNullable();
  });

exports.down = (knex) => knex.schema.dropTable('users');
