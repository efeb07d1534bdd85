import { status } from '@grpc/grpc-js';
import { statusForDuckDBError } from '../../../src/server/DuckDBEngine';

describe('statusForDuckDBError', () => {
  test.each([
    ['Parser Error: syntax error at or near "SELEC"', status.INVALID_ARGUMENT],
    ['Binder Error: Referenced column "x" not found', status.INVALID_ARGUMENT],
    ['Catalog Error: Table with name t does not exist!', status.NOT_FOUND],
    ['Catalog Error: Table with name "t" already exists!', status.ALREADY_EXISTS],
    ['Constraint Error: Duplicate key "id: 1"', status.ALREADY_EXISTS],
    ['Conversion Error: Could not convert string to INT32', status.OUT_OF_RANGE],
    ['Permission Error: disabled by configuration', status.PERMISSION_DENIED],
    ['IO Error: No files found', status.UNAVAILABLE],
    ['Out of Memory Error: could not allocate', status.RESOURCE_EXHAUSTED],
    ['INTERNAL Error: assertion failed', status.INTERNAL],
    ['Not implemented Error: feature', status.UNIMPLEMENTED],
    ['Interrupt Error: interrupted', status.CANCELLED],
    ['Failed to extract statements: Parser Error: syntax error at or near "SELEC"', status.INVALID_ARGUMENT],
    [
      'Invalid Input Error: Values were not provided for the following prepared statement parameters: 1',
      status.INVALID_ARGUMENT,
    ],
    ['Invalid Input Error: Expected 1 parameters, but none were supplied', status.INVALID_ARGUMENT],
    ['Invalid Input Error: Malformed JSON', status.OUT_OF_RANGE],
    ['something without a type', status.INTERNAL],
  ])('%s', (message, code) => {
    const err = statusForDuckDBError(new Error(message));
    expect(err.code).toBe(code);
    expect(err.message).toBe(message);
  });

  test('secrets in the SQL echoed by DuckDB are redacted', () => {
    const err = statusForDuckDBError(new Error("Parser Error: near password='hunter2xyz'"));
    expect(err.message).not.toContain('hunter2xyz');
  });
});
