/**
 * nodejs-polars is an optional peer dependency: without it the library loads, and each
 * DataFrame method fails saying what to install (the package, or its platform binary, which
 * npm leaves out on Node 20). The module registry stands in for a machine without it.
 */
import { InterfaceError } from '../../src/errors';

/** Node's error for a module it cannot find. */
function notFound(name: string): Error {
  return Object.assign(new Error(`Cannot find module '${name}'\nRequire stack:\n- /app/index.js`), {
    code: 'MODULE_NOT_FOUND',
  });
}

/** Loads `modules` in a fresh registry where requiring nodejs-polars throws `error`. */
function withoutPolars<T>(error: Error, load: () => T): T {
  let out: T | undefined;
  jest.isolateModules(() => {
    jest.doMock('nodejs-polars', () => {
      throw error;
    });
    out = load();
  });
  return out!;
}

afterEach(() => jest.dontMock('nodejs-polars'));

test('the library, its influx module and the DataFrame module load without nodejs-polars', () => {
  const loaded = withoutPolars(notFound('nodejs-polars'), () => ({
    root: require('../../src/index') as Record<string, unknown>,
    influx: require('../../src/influx') as Record<string, unknown>,
    dataframe: require('../../src/dataframe') as typeof import('../../src/dataframe'),
  }));
  expect(typeof loaded.influx['DataFrameClient']).toBe('function');
  expect(typeof loaded.influx['SeriesHelper']).toBe('function');
  expect(loaded.dataframe.isPolarsDataFrame({})).toBe(false);
  expect(() => loaded.dataframe.loadPolars()).toThrow(
    'nodejs-polars is not installed: npm install nodejs-polars (an optional peer dependency of flightsql)',
  );
});

test('each DataFrame entry point says what to install', async () => {
  const { dataframe, influx } = withoutPolars(notFound('nodejs-polars'), () => ({
    dataframe: require('../../src/dataframe') as typeof import('../../src/dataframe'),
    influx: require('../../src/influx') as typeof import('../../src/influx'),
  }));
  const { Table } = await import('apache-arrow');
  const message = /nodejs-polars is not installed: npm install nodejs-polars/;
  expect(() => dataframe.tableToPolars(new Table())).toThrow(message);
  await expect(dataframe.batchesToPolars([])).rejects.toThrow(message);
  const client = new influx.DataFrameClient({ port: 1 });
  try {
    // Nothing is sent: the frame cannot even be read without polars.
    await expect(client.writePoints({} as never, 'm')).rejects.toThrow(message);
    await expect(client.query('SELECT * FROM m')).rejects.toThrow(message);
  } finally {
    await client.close();
  }
});

test('a missing platform binary is named, with the install command at the same version', () => {
  const { dataframe, version } = withoutPolars(notFound('nodejs-polars-linux-x64-gnu'), () => ({
    dataframe: require('../../src/dataframe') as typeof import('../../src/dataframe'),
    version: (require('nodejs-polars/package.json') as { version: string }).version,
  }));
  let error: unknown;
  try {
    dataframe.loadPolars();
  } catch (err) {
    error = err;
  }
  // The isolated registry has its own copy of the error classes: compare by name.
  expect((error as Error).name).toBe('InterfaceError');
  const text = (error as Error).message;
  expect(text).toContain('its native binary for this platform (nodejs-polars-linux-x64-gnu) is missing');
  expect(text).toContain(`npm install nodejs-polars-linux-x64-gnu@${version}`);
  const major = Number(process.versions.node.split('.')[0]);
  expect(text.includes('declares engines node >= 22')).toBe(major < 22);
});

test('another failure keeps its own message', () => {
  const { polarsMissing } = require('../../src/dataframe') as typeof import('../../src/dataframe');
  expect(polarsMissing(new Error('GLIBC_2.34 not found'))).toBeInstanceOf(InterfaceError);
  expect(polarsMissing(new Error('GLIBC_2.34 not found')).message).toBe(
    'nodejs-polars failed to load: GLIBC_2.34 not found',
  );
});
