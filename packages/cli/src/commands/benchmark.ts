import type { ExperimentMetric } from '@autotune/abtest';
import { EXIT_CODES } from '../exit-codes';
import { banner, formatVerdict } from '../format';
import { ProgressBar } from '../progress';
import { writeRunReport } from '../report-file';
import { withSession, type CommonFlags } from '../session';
import type { Terminal } from '../terminal';

/** Flags of `autotune benchmark`. */
export interface BenchmarkFlags extends CommonFlags {
  before: string;
  after: string;
  metric?: ExperimentMetric;
}

/** The exit code of a verdict: 0 passed, 3 inconclusive, 4 failed. */
export function verdictExitCode(status: string): number {
  if (status === 'passed') return EXIT_CODES.SUCCESS;
  if (status === 'inconclusive') return EXIT_CODES.INCONCLUSIVE;
  return EXIT_CODES.FAILED;
}

/**
 * `autotune benchmark`: runs the team under two workflow files, interleaved, and prints both
 * distributions, the improvement with its interval, the tests and the verdict.
 */
export async function benchmarkCommand(flags: BenchmarkFlags, terminal: Terminal): Promise<number> {
  return withSession(terminal, flags, async (session) => {
    const before = await session.loadWorkflow(session.resolveCwd(flags.before), session.teamId);
    const after = await session.loadWorkflow(session.resolveCwd(flags.after), before.teamId);
    const teamId = before.teamId;
    const analyzer = await session.analyzer();
    // The runner is built for the "before" config; a simulated "after" config must be one the simulator models too.
    if (flags.simulate !== undefined && flags.simulate !== false) session.refuseUnsimulatedFormation(after.config);
    const runner = session.requireRunner(teamId, before.config, session.statsOf(analyzer, teamId), 'benchmark');
    const { store, path: dbPath } = session.openStore(before.path);
    const autotuner = await session.autotuner({ analyzer, store, runner });
    const metric = flags.metric ?? 'duration';
    const runsPerArm = flags.runs ?? session.project.config.runsPerArm ?? 10;
    const c = session.colors;
    session.print(`${banner('Benchmark', c)}\nTeam ID: ${teamId}\nBefore:  ${before.path}\nAfter:   ${after.path}\nRuns:    ${runsPerArm} per config, interleaved\nMetric:  ${metric}\n`);
    const progress = new ProgressBar(terminal.stderr, 'Benchmark');
    let outcome;
    try {
      outcome = await session.withInterrupt(
        (signal) => autotuner.benchmark(before.config, after.config, { teamId, runsPerArm, metric, signal, onProgress: (p) => progress.update(p.completed, p.total, 'trials') }),
        'Interrupted: stopping the benchmark.',
      );
    } finally {
      progress.done();
    }
    session.print(formatVerdict(outcome.verdict, c));
    session.print(`Experiment ${outcome.experimentId} recorded in ${dbPath}`);
    session.emitJson({ teamId, before: before.path, after: after.path, experimentId: outcome.experimentId, database: dbPath, verdict: outcome.verdict });
    await writeRunReport(session, { teamId, store, dbPath, command: 'autotune benchmark', focusExperimentIds: [outcome.experimentId] }, flags.report);
    return verdictExitCode(outcome.verdict.status);
  });
}
