// A bigIncrements key and a foreign key to users.
exports.up = (knex) =>
  knex.schema.createTable('posts', (t) => {
    t.bigIncrements('id');
    t.integer('user_id').notNullable().references('id').inTable('users');
    t.string('title').notNullable();
  });

exports.down = (knex) => knex.schema.dropTable('posts');
