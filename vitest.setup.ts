import fc from 'fast-check';

/**
 * Property tests run with a fresh random seed by default, so local runs keep exploring new
 * inputs. `FC_SEED` pins the seed (CI sets it, so a run is reproducible and a landing never
 * depends on luck) and `FC_NUM_RUNS` raises the run count of properties that do not set
 * their own, for a longer hunt: `FC_NUM_RUNS=2000 npx pnpm@10 test`.
 */
function integerFromEnv(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got "${text}"`);
  return value;
}

const seed = integerFromEnv('FC_SEED');
const numRuns = integerFromEnv('FC_NUM_RUNS');
fc.configureGlobal({
  ...(seed === undefined ? {} : { seed }),
  ...(numRuns === undefined ? {} : { numRuns }),
});
