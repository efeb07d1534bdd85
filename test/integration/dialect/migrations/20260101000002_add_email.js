exports.up = (knex) => knex.schema.alterTable('users', (t) => t.string('email'));

exports.down = (knex) => knex.schema.alterTable('users', (t) => t.dropColumn('email'));
