import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { isOutcomeMetric } from '@autotune/metrics';
import type { TeamConfig } from '@autotune/strategies';
import { LineCounter, parseDocument } from 'yaml';
import { SimulatorError } from './errors';
import { teamConfigFromUser } from './team-config';
import { formatFieldPath, parseTeamModel } from './team-model';
import type { TeamModel } from './team-model';

/** What a scenario claims about a change, checked by the simulator's tests. */
export interface ScenarioExpectation {
  /** Fields that change, in the user's snake_case (e.g. `{ formation: 'parallel' }`), merged into the workflow. */
  change: Record<string, unknown>;
  metric: 'duration' | 'cost' | 'success_rate';
  /** Whether the change makes the metric better, worse, or leaves it unchanged, against the scenario's own workflow. */
  outcome: 'better' | 'worse' | 'unchanged';
  /** For better/worse: by at least this many percent (relative to the workflow's own figure); default 5. */
  byAtLeastPercent: number;
  /** For unchanged: within this many percent; default 3. */
  withinPercent: number;
  /** Why, in a sentence. */
  why?: string;
}

/** A named simulated team: its true behaviour, and the workflow config its users start from. */
export interface Scenario {
  name: string;
  description: string;
  teamId: string;
  model: TeamModel;
  /** The user's flat team config as the file holds it (snake_case keys). */
  workflow: Record<string, unknown>;
  /** The same config, normalised. */
  config: TeamConfig;
  expectations: ScenarioExpectation[];
  /** Absolute path of the file it was read from. */
  source: string;
}

const SCENARIO_KEYS = ['name', 'description', 'team_id', 'model', 'workflow', 'expectations'];
const EXPECTATION_KEYS = ['change', 'metric', 'outcome', 'by_at_least_percent', 'within_percent', 'why'];

/**
 * The folder of the scenarios shipped with @autotune/simulator (`scenarios/` in the package). The same
 * relative path holds from `src` (tests) and `dist` (the built package).
 */
export function scenarioDirectory(): string {
  return path.resolve(__dirname, '..', 'scenarios');
}

/** Names of the shipped scenarios, sorted. */
export function listScenarios(): string[] {
  return readdirSync(scenarioDirectory())
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/**
 * Loads a shipped scenario by name (`code-review-parallel-budget`) or any scenario file by path. Throws
 * `SimulatorError`: `SIMULATOR_UNKNOWN_SCENARIO` listing the known names, `SIMULATOR_INVALID_SCENARIO` /
 * `SIMULATOR_INVALID_MODEL` naming file, line and field, `SIMULATOR_IO` when the file cannot be read.
 */
export function loadScenario(nameOrPath: string): Scenario {
  const looksLikePath = /[\\/]/.test(nameOrPath) || /\.(ya?ml|json)$/i.test(nameOrPath);
  const file = looksLikePath ? path.resolve(nameOrPath) : path.join(scenarioDirectory(), `${nameOrPath}.yaml`);
  if (!existsSync(file)) {
    const known = listScenarios();
    throw new SimulatorError('SIMULATOR_UNKNOWN_SCENARIO', looksLikePath ? `no scenario file at ${file}; shipped scenarios: ${known.join(', ')}` : `unknown scenario "${nameOrPath}"; expected one of: ${known.join(', ')} (or a path to a scenario file)`);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new SimulatorError('SIMULATOR_IO', `cannot read the scenario file: ${(cause as Error).message}`, { location: { file }, cause });
  }
  return parseScenario(text, file);
}

/**
 * Parses and checks scenario text (YAML or JSON). A shipped scenario's `name` must match its file name, so
 * `loadScenario(name)` and the name inside agree.
 */
export function parseScenario(text: string, file: string): Scenario {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const e = doc.errors[0];
  if (e !== undefined) {
    throw new SimulatorError('SIMULATOR_INVALID_SCENARIO', `not valid YAML: ${e.message.split('\n', 1)[0] ?? ''}`, { location: {
      file,
      line: lineCounter.linePos(e.pos[0]).line,
    } });
  }
  const lineOf = (p: ReadonlyArray<string | number>): number | undefined => {
    for (let cut = p.length; cut >= 0; cut--) {
      const node = p.length === 0 ? doc.contents : doc.getIn(p.slice(0, cut), true);
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (range) return lineCounter.linePos(range[0]).line;
    }
    return undefined;
  };
  const fail = (p: Array<string | number>, message: string): never => {
    throw new SimulatorError('SIMULATOR_INVALID_SCENARIO', message, { location: { file, line: lineOf(p), field: formatFieldPath(undefined, p) || undefined } });
  };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    // yaml refuses aliases that expand exponentially ("billion laughs"): bad input naming the file, not a crash.
    throw new SimulatorError('SIMULATOR_INVALID_SCENARIO', `not valid YAML: ${e instanceof Error ? e.message : String(e)}`, { location: { file }, cause: e });
  }
  if (!isObject(data)) return fail([], 'expected a mapping with name, description, team_id, model and workflow');
  for (const key of Object.keys(data)) {
    if (!SCENARIO_KEYS.includes(key)) fail([key], `unknown field; expected one of: ${SCENARIO_KEYS.join(', ')}`);
  }
  const str = (key: string): string => {
    const v = data[key];
    if (typeof v !== 'string' || v.trim() === '') fail([key], `expected a non-empty string, got ${JSON.stringify(v) ?? 'nothing'}`);
    return (v as string).trim();
  };
  const name = str('name');
  const expectedName = path.basename(file).replace(/\.(ya?ml|json)$/i, '');
  if (path.dirname(path.resolve(file)) === scenarioDirectory() && name !== expectedName) {
    fail(['name'], `expected "${expectedName}" (the file name), got "${name}"`);
  }
  const description = str('description');
  const teamId = str('team_id');
  const model = parseTeamModel(data.model, { file, prefix: 'model', lineOf: (p) => lineOf(['model', ...p]) });
  if (!isObject(data.workflow)) return fail(['workflow'], 'expected a mapping: the team config (formation, member_count, ...)');
  const workflow = data.workflow;
  if (workflow.team_id !== undefined && workflow.team_id !== teamId) {
    fail(['workflow', 'team_id'], `expected "${teamId}" (the scenario's team_id), got ${JSON.stringify(workflow.team_id)}`);
  }
  const config = readConfig(workflow, file, ['workflow'], lineOf);
  const expectations: ScenarioExpectation[] = [];
  const rawExpectations = data.expectations ?? [];
  if (!Array.isArray(rawExpectations)) return fail(['expectations'], 'expected a list');
  rawExpectations.forEach((e: unknown, i: number) => {
    const at = ['expectations', i];
    if (!isObject(e)) return fail(at, 'expected a mapping with change, metric and outcome');
    for (const key of Object.keys(e)) {
      if (!EXPECTATION_KEYS.includes(key)) fail([...at, key], `unknown field; expected one of: ${EXPECTATION_KEYS.join(', ')}`);
    }
    if (!isObject(e.change) || Object.keys(e.change).length === 0) fail([...at, 'change'], 'expected a mapping of the fields that change');
    const change = e.change as Record<string, unknown>;
    readConfig({ ...workflow, ...change }, file, [...at, 'change'], lineOf);
    if (!isOutcomeMetric(e.metric)) {
      fail([...at, 'metric'], `expected duration, cost or success_rate, got ${JSON.stringify(e.metric)}`);
    }
    if (!['better', 'worse', 'unchanged'].includes(e.outcome as string)) {
      fail([...at, 'outcome'], `expected better, worse or unchanged, got ${JSON.stringify(e.outcome)}`);
    }
    const by = e.by_at_least_percent ?? 5;
    if (typeof by !== 'number' || !(by >= 0)) fail([...at, 'by_at_least_percent'], `expected a number >= 0, got ${JSON.stringify(by)}`);
    const within = e.within_percent ?? 3;
    if (typeof within !== 'number' || !(within >= 0)) fail([...at, 'within_percent'], `expected a number >= 0, got ${JSON.stringify(within)}`);
    if (e.why !== undefined && typeof e.why !== 'string') fail([...at, 'why'], 'expected a string');
    expectations.push({
      change,
      metric: e.metric as ScenarioExpectation['metric'],
      outcome: e.outcome as ScenarioExpectation['outcome'],
      byAtLeastPercent: by as number,
      withinPercent: within as number,
      ...(typeof e.why === 'string' ? { why: e.why } : {}),
    });
  });
  return { name, description, teamId, model, workflow, config, expectations, source: path.resolve(file) };
}

/** The scenario's workflow with an expectation's change merged in, normalised. */
export function scenarioConfigWith(scenario: Scenario, change: Record<string, unknown>): TeamConfig {
  return teamConfigFromUser({ ...scenario.workflow, ...change }, scenario.source);
}

function readConfig(
  obj: Record<string, unknown>,
  file: string,
  at: Array<string | number>,
  lineOf: (p: ReadonlyArray<string | number>) => number | undefined,
): TeamConfig {
  return teamConfigFromUser(obj, file, at, lineOf, 'SIMULATOR_INVALID_SCENARIO');
}

function isObject(u: unknown): u is Record<string, unknown> {
  return typeof u === 'object' && u !== null && !Array.isArray(u);
}
