/** The CLI's output formats, fed Arrow batches directly: exact text, streaming, round trips. */
import fc from 'fast-check';
import {
  Field,
  Float64,
  Int64,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimeUnit,
  TimestampNanosecond,
  Timestamp,
  Utf8,
  makeData,
  tableFromIPC,
  vectorFromArray,
} from 'apache-arrow';
import { CellText } from '../../../src/cli/output/cells';
import { csvField } from '../../../src/cli/output/csv';
import { resultWriter, type Format } from '../../../src/cli/output';
import type { Sink } from '../../../src/cli/output/sink';
import { SAMPLE_ROWS } from '../../../src/cli/output/table';
import { timeZoneOf, timestampText } from '../../../src/cli/output/timestamps';
import { writeBatches } from '../../../src/cli/run';

/** A Sink that keeps what it is given. */
function memorySink() {
  const chunks: (string | Uint8Array)[] = [];
  const sink: Sink = {
    write: async (chunk) => void chunks.push(typeof chunk === 'string' ? chunk : chunk.slice()),
    end: async () => {},
  };
  return {
    sink,
    text: () => chunks.join(''),
    bytes: () => Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c))),
  };
}

async function* each(batches: RecordBatch[]): AsyncGenerator<RecordBatch> {
  yield* batches;
}

async function render(format: Format, batches: RecordBatch[], schema = batches[0]!.schema, maxRows?: number) {
  const out = memorySink();
  const result = await writeBatches(
    each(batches),
    () => schema,
    async () => resultWriter(format, out.sink),
    {
      maxRows,
    },
  );
  return { ...out, result };
}

/** A batch of named string columns (names may repeat). */
function strings(columns: [string, (string | null)[]][]): RecordBatch {
  const schema = new Schema(columns.map(([name]) => new Field(name, new Utf8(), true)));
  const data = columns.map(([, values]) => vectorFromArray(values, new Utf8()).data[0]!);
  const length = columns[0]![1].length;
  return new RecordBatch(
    schema,
    makeData({
      type: schemaStruct(schema),
      length,
      children: data,
    }),
  );
}

function schemaStruct(schema: Schema): Struct {
  return new Struct(schema.fields);
}

describe('timestamps', () => {
  test.each([
    [1704164645123456789n, 9, null, ' ', '2024-01-02 03:04:05.123456789'],
    [1704164645123456000n, 6, 'UTC', 'T', '2024-01-02T03:04:05.123456Z'],
    [1704164645123456000n, 6, 'Etc/UTC', 'T', '2024-01-02T03:04:05.123456Z'],
    [1704164645123456000n, 6, 'Europe/Paris', 'T', '2024-01-02T04:04:05.123456+01:00'],
    [1719800000000000000n, 3, 'America/New_York', 'T', '2024-06-30T22:13:20.000-04:00'],
    [1719800000000000000n, 0, '+05:30', ' ', '2024-07-01 07:43:20+05:30'],
    [1719800000000000000n, 0, '-0800', ' ', '2024-06-30 18:13:20-08:00'],
    [-1n, 9, null, ' ', '1969-12-31 23:59:59.999999999'],
    [9223372036854775807n, 9, null, 'T', '2262-04-11T23:47:16.854775807'],
    [1704164645000000000n, 0, 'No/Such_Zone', 'T', '2024-01-02T03:04:05Z'],
  ])('%s ns, %i digits, zone %s -> %s', (ns, digits, zone, separator, text) => {
    expect(timestampText(ns, digits, timeZoneOf(zone), separator as ' ' | 'T')).toBe(text);
  });

  test('a timestamp column keeps its unit digits and zone; a second column of the same name stays apart', () => {
    const ns = new TimestampNanosecond();
    const tz = new Timestamp(TimeUnit.MICROSECOND, 'Asia/Tokyo');
    const schema = new Schema([new Field('t', ns, true), new Field('t', tz, true)]);
    const batch = new RecordBatch(
      schema,
      makeData({
        type: schemaStruct(schema),
        length: 2,
        children: [
          makeData({
            type: ns,
            length: 2,
            nullCount: 1,
            nullBitmap: new Uint8Array([1]),
            data: new BigInt64Array([1n, 0n]),
          }),
          makeData({ type: tz, length: 2, data: new BigInt64Array([0n, 1_500_000n]) }),
        ],
      }),
    );
    expect(new CellText(schema, 'T').text(batch)).toEqual([
      ['1970-01-01T00:00:00.000000001', null],
      ['1970-01-01T09:00:00.000000+09:00', '1970-01-01T09:00:01.500000+09:00'],
    ]);
  });
});

describe('csv', () => {
  test('RFC 4180 quoting; NULL empty, the empty string quoted', () => {
    expect(['plain', 'a,b', 'say "hi"', 'two\nlines', 'cr\r', '', null].map(csvField)).toEqual([
      'plain',
      '"a,b"',
      '"say ""hi"""',
      '"two\nlines"',
      '"cr\r"',
      '""',
      '',
    ]);
  });

  test('property: a field reads back as itself', () => {
    const unquote = (field: string) =>
      field.startsWith('"') ? field.slice(1, -1).replace(/""/g, '"') : field;
    fc.assert(fc.property(fc.string(), (text) => expect(unquote(csvField(text))).toBe(text)));
  });
});

describe('writers', () => {
  const batch = strings([
    ['a', ['x', null]],
    ['a', ['y', 'z']],
  ]);

  test('duplicate names: the table and CSV repeat them, JSON suffixes the second', async () => {
    expect((await render('table', [batch])).text()).toBe(
      'a    | a\n-----+--\nx    | y\nNULL | z\n(2 rows)\n',
    );
    expect((await render('csv', [batch])).text()).toBe('a,a\nx,y\n,z\n');
    expect((await render('json', [batch])).text()).toBe('[\n{"a":"x","a:1":"y"},\n{"a":null,"a:1":"z"}\n]\n');
    expect((await render('ndjson', [batch, batch])).text()).toBe(
      '{"a":"x","a:1":"y"}\n{"a":null,"a:1":"z"}\n{"a":"x","a:1":"y"}\n{"a":null,"a:1":"z"}\n',
    );
  });

  test('the table fixes its widths from the first rows; a longer later value overflows', async () => {
    const first = strings([['v', Array<string>(SAMPLE_ROWS).fill('ab')]]);
    const later = strings([['v', ['a much longer value']]]);
    const text = (await render('table', [first, later])).text().split('\n');
    expect(text.slice(0, 3)).toEqual(['v', '--', 'ab']);
    expect(text.slice(-3)).toEqual(['a much longer value', `(${SAMPLE_ROWS + 1} rows)`, '']);
  });

  test('control characters are escaped in the table, kept in CSV', async () => {
    const b = strings([['s', ['tab\there\nnext']]]);
    expect((await render('table', [b])).text()).toBe(`s\n${'-'.repeat(15)}\ntab\\there\\nnext\n(1 row)\n`);
    expect((await render('csv', [b])).text()).toBe('s\n"tab\there\nnext"\n');
  });

  test('numbers: int64 exact, floats shortest, NaN a string in JSON, right-aligned in the table', async () => {
    const schema = new Schema([new Field('i', new Int64(), true), new Field('f', new Float64(), true)]);
    const b = new RecordBatch(
      schema,
      makeData({
        type: schemaStruct(schema),
        length: 2,
        children: [
          makeData({ type: new Int64(), length: 2, data: new BigInt64Array([-9223372036854775808n, 7n]) }),
          makeData({ type: new Float64(), length: 2, data: new Float64Array([0.1 + 0.2, NaN]) }),
        ],
      }),
    );
    expect((await render('json', [b])).text()).toBe(
      '[\n{"i":-9223372036854775808,"f":0.30000000000000004},\n{"i":7,"f":"NaN"}\n]\n',
    );
    expect((await render('table', [b])).text()).toBe(
      '                   i |                   f\n' +
        '---------------------+--------------------\n' +
        '-9223372036854775808 | 0.30000000000000004\n' +
        '                   7 |                 NaN\n' +
        '(2 rows)\n',
    );
  });

  test('maxRows slices the batch that crosses it and stops reading', async () => {
    let pulled = 0;
    async function* endless(): AsyncGenerator<RecordBatch> {
      for (;;) {
        pulled++;
        yield strings([['n', ['1', '2', '3']]]);
      }
    }
    const out = memorySink();
    const result = await writeBatches(
      endless(),
      () => batch.schema,
      async () => resultWriter('csv', out.sink),
      {
        maxRows: 7,
      },
    );
    expect(out.text()).toBe('n\n1\n2\n3\n1\n2\n3\n1\n');
    expect(result).toMatchObject({ kind: 'rows', rows: 7, truncated: true });
    expect(pulled).toBe(3);
  });

  test('a result without batches still has its header (the schema comes from the callback)', async () => {
    const schema = new Schema([new Field('x', new Utf8(), true)]);
    expect((await render('table', [], schema)).text()).toBe('x\n-\n(0 rows)\n');
    expect((await render('csv', [], schema)).text()).toBe('x\n');
    expect((await render('json', [], schema)).text()).toBe('[]\n');
  });

  test('arrow: an IPC stream that apache-arrow reads back, dictionaries included', async () => {
    const dict = vectorFromArray(['k', 'l', 'k']);
    const table = new Table({ d: dict, n: vectorFromArray([1, 2, 3], new Float64()) });
    const { bytes } = await render('arrow', table.batches);
    const back = tableFromIPC(bytes());
    expect(back.schema.names).toEqual(['d', 'n']);
    expect(back.getChild('d')!.toArray()).toEqual(['k', 'l', 'k']);
    expect([...back.getChild('n')!]).toEqual([1, 2, 3]);
  });
});
