/** Unit tests are pure; integration tests start real servers (see test/integration/fixture.ts). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
  },
  // Unit and integration tests run the sources (the dialect imports the package by name, as users
  // do); test/package/ runs the built package as installed from `npm pack`, never the sources.
  moduleNameMapper: {
    '^flightsql$': '<rootDir>/src/index.ts',
    '^flightsql/server$': '<rootDir>/src/server/index.ts',
    '^flightsql/dialect$': '<rootDir>/dialect/index.ts',
    '^flightsql/influx$': '<rootDir>/src/influx/index.ts',
    '^flightsql/proto$': '<rootDir>/src/protocol.ts',
  },
  testTimeout: 60_000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/summaryReporter.js'],
};
