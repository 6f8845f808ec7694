// Flag values checked when the command line is parsed, before any file is read or any suggestion printed,
// so a bad value is named by its flag instead of surfacing later as an option of some library.
import { InvalidArgumentError } from 'commander';
import { CliError } from './errors';
import { COUNT_LIMITS } from './limits';

/**
 * Fewest runs per arm an A/B test accepts: @autotune/abtest's `MIN_RUNS_PER_ARM`, repeated here so that
 * parsing the command line loads no statistics (a test keeps the two equal).
 */
export const MIN_RUNS_PER_ARM_FLAG = 10;

/** `--runs` of the commands that A/B-test: a whole number of at least {@link MIN_RUNS_PER_ARM_FLAG}. */
export function runsPerArm(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < MIN_RUNS_PER_ARM_FLAG) {
    throw new InvalidArgumentError(`--runs expects a whole number of runs per arm of at least ${MIN_RUNS_PER_ARM_FLAG} (fewer cannot decide an A/B test), got "${value}"`);
  }
  if (n > COUNT_LIMITS.runsPerArm) throw new InvalidArgumentError(`--runs must be at most ${COUNT_LIMITS.runsPerArm.toLocaleString('en-US')}, got "${value}"`);
  return n;
}

/**
 * `--out` and `--output` are one flag with two spellings (simulate documents `--out`, analyze and suggest
 * `--output`): whichever is given becomes `canonical`, the one the command reads, and the other is dropped.
 * Both with different files is a usage error.
 */
export function sameOutputFlag<T extends { out?: unknown; output?: unknown }>(flags: T, canonical: 'out' | 'output'): T {
  const { out, output, ...rest } = flags;
  if (out !== undefined && output !== undefined && out !== output) {
    throw new CliError('CLI_USAGE', `--out and --output are the same flag; got two files (${JSON.stringify(out)} and ${JSON.stringify(output)}): give one`, { location: { flag: `--${canonical}` } });
  }
  const file = out ?? output;
  return (file === undefined ? rest : { ...rest, [canonical]: file }) as T;
}
