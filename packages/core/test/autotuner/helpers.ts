import { PerformanceAnalyzer } from '@autotune/analyzer';
import type { ExecutionRecord } from '@autotune/metrics';
import type { TeamConfig } from '@autotune/strategies';
import { generateRuns, loadScenario, SimulatedTeamRunner, type Scenario } from '@autotune/simulator';
import { teamConfigFromUser } from '../../src';

/** A scenario with its history of runs, an analyzer loaded with them, and a simulator runner of the true model. */
export function scenarioFixture(name: string, runs = 40, seed = 11): {
  scenario: Scenario;
  config: TeamConfig;
  records: ExecutionRecord[];
  analyzer: PerformanceAnalyzer;
  runner: SimulatedTeamRunner;
} {
  const scenario = loadScenario(name);
  const config = teamConfigFromUser(scenario.workflow);
  const records = generateRuns(scenario.model, config, { runs, seed, teamId: scenario.teamId });
  const analyzer = new PerformanceAnalyzer();
  analyzer.loadMetrics(records);
  const runner = new SimulatedTeamRunner(scenario.model, { teamId: scenario.teamId });
  return { scenario, config, records, analyzer, runner };
}
