/** Unit tests are pure; integration tests start real servers (see test/integration/fixture.ts). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
  },
  // The dialect imports the package by name, as users do; tests run it on the sources.
  moduleNameMapper: {
    '^flightsql$': '<rootDir>/src/index.ts',
    '^flightsql/server$': '<rootDir>/src/server/index.ts',
    '^flightsql/dialect$': '<rootDir>/dialect/index.ts',
  },
  testTimeout: 60_000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/summaryReporter.js'],
};
