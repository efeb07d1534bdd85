import fc from 'fast-check';
import { corpus } from './fuzzCorpus';
import { check, expected, fuzzCases } from './fuzzHarness';

/**
 * Property: every mutation of every valid stream decodes to the original rows, to well-formed
 * rows (where the mutation may produce other valid data), or to a ProtocolError, in bounded
 * time and memory, through every reader path (see fuzzHarness.ts for the oracle).
 *
 * `npm test` runs a fixed seed; `npm run fuzz -- --seconds N` runs random seeds for N seconds
 * (FUZZ_SECONDS, FUZZ_SEED, FUZZ_RUNS set by scripts/fuzz.mjs).
 */
const streams = corpus();
const originals = streams.map(expected);

const fuzzCase = fuzzCases(streams.length);

const property = fc.property(fuzzCase, ({ stream, mutations }) => {
  const failure = check(streams[stream]!, originals[stream]!, mutations);
  if (failure) throw new Error(failure);
});

const seconds = Number(process.env.FUZZ_SECONDS ?? 0);
const seed = Number(process.env.FUZZ_SEED ?? 20_260_611);

describe('FlightDataDecoder under mutation (fuzz)', () => {
  test('the corpus covers every type and decodes', () => {
    expect(streams.length).toBeGreaterThan(8);
    expect(originals.reduce((n, rows) => n + rows.length, 0)).toBeGreaterThan(50);
  });

  if (seconds > 0) {
    test(
      `random seeds for ${seconds} s`,
      () => {
        const until = Date.now() + seconds * 1000;
        let runs = 0;
        for (let round = 0; Date.now() < until; round++) {
          const roundSeed = seed + round;
          fc.assert(property, { seed: roundSeed, numRuns: 2000 });
          runs += 2000;
          process.stdout.write(`fuzz: seed ${roundSeed} passed, ${runs} cases so far\n`);
        }
      },
      seconds * 1000 + 120_000,
    );
  } else {
    test('a fixed seed, a few thousand cases', () => {
      fc.assert(property, { seed, numRuns: Number(process.env.FUZZ_RUNS ?? 8000) });
    });
  }
});
