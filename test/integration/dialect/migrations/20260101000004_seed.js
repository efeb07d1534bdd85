// Rows whose keys come from the sequences, read back with RETURNING (the migrator's own Knex).
exports.up = async (knex) => {
  const [ann] = await knex('users').insert({ name: 'Ann', email: 'ann@example.com' }).returning('id');
  const [bob] = await knex('users').insert({ name: 'Bob' }).returning(['id', 'name']);
  await knex('posts').insert([
    { user_id: ann.id, title: 'Hello' },
    { user_id: ann.id, title: 'Again' },
    { user_id: bob.id, title: 'Hi' },
  ]);
};

// The users go with their table. (DuckDB checks foreign keys against what was committed: in one
// transaction, users cannot be deleted after the posts that referenced them.)
exports.down = (knex) => knex('posts').del();
