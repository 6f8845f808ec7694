import { CliError } from '../errors';
import { EXIT_CODES } from '../exit-codes';
import { withSession, type CommonFlags } from '../session';
import type { Terminal } from '../terminal';

/** Flags of `autotune simulate`. */
export interface SimulateFlags extends CommonFlags {
  scenario?: string;
  list?: boolean;
  format?: 'jsonl' | 'original';
  out?: string;
}

/**
 * `autotune simulate`: writes a metrics file of simulated runs, to try autotune before wiring a real runner.
 * The runs follow a scenario's team model (or a model built from the workflow file), under the workflow
 * file's config when one is given, else the scenario's own.
 */
export async function simulateCommand(flags: SimulateFlags, terminal: Terminal): Promise<number> {
  return withSession(terminal, flags, async (session) => {
    const simulator = require('@autotune/simulator') as typeof import('@autotune/simulator');
    if (flags.list) {
      const names = simulator.listScenarios();
      for (const name of names) session.print(`${name}: ${simulator.loadScenario(name).description.replace(/\s+/g, ' ')}`);
      session.emitJson({ scenarios: names });
      return EXIT_CODES.SUCCESS;
    }
    if (!flags.out) throw new CliError('CLI_USAGE', 'missing --out FILE (where to write the simulated runs)');
    const workflowPath = session.workflowPath;
    const scenario = flags.scenario ? simulator.loadScenario(flags.scenario) : undefined;
    if (!scenario && !workflowPath) throw new CliError('CLI_USAGE', 'pass --scenario NAME (see --list) or --config FILE to simulate');
    const workflow = workflowPath ? await session.loadWorkflow(workflowPath, session.teamId ?? scenario?.teamId) : undefined;
    const teamId = session.teamId ?? workflow?.teamId ?? scenario!.teamId;
    const config = workflow?.config ?? scenario!.config;
    session.refuseUnsimulatedFormation(config, 'simulate');
    const model = scenario ? scenario.model : simulator.modelFromConfig(config, { teamId });
    const runs = flags.runs ?? 40;
    const seed = flags.seed ?? 1;
    const records = simulator.generateRuns(model, config, { runs, seed, teamId });

    const { toSnakeCaseRecord } = require('@autotune/metrics') as typeof import('@autotune/metrics');
    const text =
      flags.format === 'original'
        ? `${JSON.stringify(records.map((r) => toSnakeCaseRecord(r)), null, 2)}\n`
        : records.map((r) => JSON.stringify(r)).join('\n') + '\n';
    const path = session.resolveCwd(flags.out);
    const { mkdirSync } = require('node:fs') as typeof import('node:fs');
    const { dirname } = require('node:path') as typeof import('node:path');
    mkdirSync(dirname(path), { recursive: true });
    const { writeFileAtomic } = require('@autotune/core') as typeof import('@autotune/core');
    await writeFileAtomic(path, text);
    const ok = records.filter((r) => r.success).length;
    const mean = records.reduce((s, r) => s + r.durationSeconds, 0) / records.length;
    session.note(
      `Wrote ${runs} simulated runs of team ${teamId} (${config.formation}, ${config.memberCount} members; ${scenario ? `scenario ${scenario.name}` : 'model built from the workflow'}, seed ${seed}) to ${path}: ` +
        `${ok}/${runs} succeeded, mean ${mean.toFixed(1)} s`,
    );
    session.emitJson({ teamId, path, runs, seed, scenario: scenario?.name ?? null, format: flags.format ?? 'jsonl' });
    return EXIT_CODES.SUCCESS;
  });
}
