/**
 * Property tests with a fixed seed (fast-check): every run of CI checks the same cases, and a
 * failure says which seed and how to replay it. FC_SEED=n runs another seed.
 */
import fc from 'fast-check';

/** A property checker for one test file, seeded by FC_SEED or the file's default seed. */
export function seededCheck(file: string, defaultSeed: number) {
  const seed = Number(process.env.FC_SEED ?? defaultSeed);
  return {
    seed,
    check<Ts extends [unknown, ...unknown[]]>(name: string, property: fc.IProperty<Ts>, numRuns = 300): void {
      try {
        fc.assert(property, { seed, numRuns });
      } catch (err) {
        console.error(`${name}: failed with FC_SEED=${seed} (replay: FC_SEED=${seed} node --test ${file})`);
        throw err;
      }
    },
  };
}
