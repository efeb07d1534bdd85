import { InfluxDBClientError, ResultSet } from '../../../src/influx';

const raw = {
  statement_id: 0,
  series: [
    {
      name: 'cpu',
      tags: { host: 'a' },
      columns: ['time', 'v', 'region'],
      values: [
        [1, 0.5, 'eu'],
        [2, 0.7, 'us'],
      ],
    },
    { name: 'cpu', tags: { host: 'b' }, columns: ['time', 'v', 'region'], values: [[1, 0.1, 'eu']] },
    { name: 'mem', columns: ['time', 'v'], values: [[1, 3]] },
  ],
};

test('getPoints by measurement and tags (series tags or columns), keys, items, iteration', () => {
  const rs = new ResultSet(raw);
  expect(rs.getPoints().length).toBe(4);
  expect(rs.getPoints('mem')).toEqual([{ time: 1, v: 3 }]);
  expect(rs.getPoints('cpu', { host: 'b' })).toEqual([{ time: 1, v: 0.1, region: 'eu' }]);
  expect(rs.getPoints('cpu', { region: 'eu' }).map((p) => p['v'])).toEqual([0.5, 0.1]);
  expect(rs.getPoints(undefined, { host: 'zzz' })).toEqual([]);
  expect(rs.keys()).toEqual([
    ['cpu', { host: 'a' }],
    ['cpu', { host: 'b' }],
    ['mem', null],
  ]);
  expect(rs.items()[2]).toEqual([['mem', null], [{ time: 1, v: 3 }]]);
  expect([...rs].map((points) => points.length)).toEqual([2, 1, 1]);
  expect(rs.length).toBe(3);
  expect(rs.statementId).toBe(0);
  expect(rs.messages).toEqual([]);
  expect(rs.partial).toBe(false);
});

test('series without a name (SHOW RETENTION POLICIES) match only when no tags are asked for', () => {
  const rs = new ResultSet({ series: [{ columns: ['name', 'default'], values: [['autogen', true]] }] });
  expect(rs.getPoints()).toEqual([{ name: 'autogen', default: true }]);
  expect(rs.getPoints(undefined, { a: 'b' })).toEqual([]);
  expect(rs.keys()).toEqual([['results', null]]);
});

test('a statement error raises InfluxDBClientError (code ERR_INFLUXDB_STATEMENT), unless raiseErrors is false', () => {
  expect(() => new ResultSet({ statement_id: 2, error: 'database not found: x' })).toThrow(
    InfluxDBClientError,
  );
  try {
    new ResultSet({ statement_id: 2, error: 'database not found: x' });
  } catch (err) {
    expect(err).toMatchObject({
      message: 'query failed (statement 2): database not found: x',
      code: 'ERR_INFLUXDB_STATEMENT',
      statementId: 2,
      content: 'database not found: x',
    });
  }
  const kept = new ResultSet({ statement_id: 0, error: 'boom' }, false);
  expect(kept.error).toBe('boom');
  expect(kept.getPoints()).toEqual([]);
});

test('toString prints like influxdb-python, bigints included', () => {
  const rs = new ResultSet({
    series: [{ name: 'm', columns: ['time', 'n'], values: [[1, 9223372036854775807n]] }],
  });
  expect(String(rs)).toBe(`ResultSet({'m': [{"time":1,"n":"9223372036854775807"}]})`);
});
