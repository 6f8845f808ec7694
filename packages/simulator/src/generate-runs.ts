import type { ExecutionRecord } from '@autotune/metrics';
import type { TeamConfig } from '@autotune/strategies';
import { SimulatorError } from './errors';
import { deriveSeed } from './random';
import { SIMULATION_EPOCH_MS, prepareRun, simulatePrepared } from './simulate-run';
import type { TeamModel } from './team-model';

/** How many runs to generate and how to lay them out in time. */
export interface GenerateRunsOptions {
  runs: number;
  /** Seed of the whole series; run `i` uses a seed derived from it and `i`. */
  seed: number;
  teamId?: string;
  /** Start of the first run, epoch milliseconds (default `SIMULATION_EPOCH_MS`). */
  startTimeMs?: number;
  /** Time between the starts of consecutive runs (default 15 minutes). Runs longer than that overlap, as real ones may. */
  spacingMs?: number;
}

/** Default time between generated runs. */
export const DEFAULT_RUN_SPACING_MS = 15 * 60 * 1000;

/** A series of simulated runs of one config, as a metrics file would hold them. Deterministic for a seed. */
export function generateRuns(model: TeamModel, config: TeamConfig, options: GenerateRunsOptions): ExecutionRecord[] {
  if (!Number.isInteger(options.runs) || options.runs < 0) {
    throw new SimulatorError('SIMULATOR_INVALID_CONFIG', `expected a whole number >= 0, got ${options.runs}`, { location: { field: 'runs' } });
  }
  const start = options.startTimeMs ?? SIMULATION_EPOCH_MS;
  const spacing = options.spacingMs ?? DEFAULT_RUN_SPACING_MS;
  const prepared = prepareRun(model, config);
  const records: ExecutionRecord[] = [];
  for (let i = 0; i < options.runs; i++) {
    records.push(simulatePrepared(prepared, deriveSeed(options.seed, 'run', i), { teamId: options.teamId, startTimeMs: start + i * spacing }));
  }
  return records;
}
