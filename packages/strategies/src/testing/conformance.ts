import { isOutcomeMetric } from '@autotune/metrics';
import { OPTIMIZATION_PRIORITIES } from '../contract';
import type { OptimizationStrategy, OptimizationSuggestion, StrategyContext, TeamConfig } from '../contract';
import { isCompatibleStrategy } from '../define-strategy';
import { cloneData, dataEqual, isPlainObject } from '../internal/data';
import { deepFreeze } from './deep-freeze';
import { DEFAULT_CONFORMANCE_CASES } from './default-cases';
import type { ConformanceCase } from './default-cases';

/** The checks the kit runs, in order, with what each one demands. */
export const CONFORMANCE_CHECKS = [
  { name: 'api-version', description: 'has name, suggest, apply and an apiVersion of the supported major version' },
  { name: 'suggest-returns-list', description: 'suggest returns an array and does not throw' },
  { name: 'suggest-does-not-mutate', description: 'suggest leaves its insights, config and context untouched, deep-frozen or not' },
  { name: 'empty-when-nothing-to-say', description: 'suggest returns [] for the cases marked expectEmpty' },
  { name: 'suggestion-shape', description: 'each suggestion has a type, a valid priority, a description, a target metric, confidence and risk in 0..1, a finite expected improvement, the input config as currentConfig, and survives a JSON round trip' },
  { name: 'suggests-a-change', description: 'suggestedConfig is not empty and holds only fields whose value differs from the current config' },
  { name: 'apply-does-not-mutate', description: 'apply leaves its config and suggestion untouched, deep-frozen or not, and returns a new object' },
  { name: 'apply-holds-suggested-values', description: 'the config apply returns holds every suggested value and is still a valid config' },
  { name: 'apply-keeps-other-fields', description: 'fields the suggestion does not name keep their values (members and memberCount may follow each other)' },
  { name: 'deterministic', description: 'the same input gives the same suggestions and the same applied config' },
  { name: 'fires-somewhere', description: 'at least one case yields a suggestion, so that apply is really checked' },
] as const;

/** Name of one conformance check. */
export type ConformanceCheckName = (typeof CONFORMANCE_CHECKS)[number]['name'];

/** One broken rule: which check, in which case and suggestion, and what happened. */
export interface ConformanceFailure {
  check: ConformanceCheckName;
  case?: string;
  message: string;
}

/** The result of one check. */
export interface ConformanceCheckResult {
  name: ConformanceCheckName;
  description: string;
  passed: boolean;
  failures: ConformanceFailure[];
}

/** What `checkStrategyConformance` found. `passed` is true when no check failed. */
export interface ConformanceReport {
  strategy: string;
  passed: boolean;
  checks: ConformanceCheckResult[];
  failures: ConformanceFailure[];
  /** Cases run and suggestions made, to tell a vacuous pass from a real one. */
  casesRun: number;
  suggestionsMade: number;
}

const CONFIG_KEYS = ['formation', 'memberCount', 'members', 'toolBudget', 'timeoutSeconds'] as const;

function describeError(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** A write to a frozen object throws a TypeError whose wording varies by engine and operation. */
function isMutationError(e: unknown): boolean {
  return e instanceof TypeError && /read[- ]only|not extensible|frozen|Cannot (assign|add|delete|define|redefine)/i.test(e.message);
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

interface Input {
  insights: ConformanceCase['insights'];
  config: TeamConfig;
  context?: StrategyContext | undefined;
}

function freshInput(c: ConformanceCase): Input {
  return deepFreeze(cloneData({ insights: c.insights, config: c.config, context: c.context }));
}

function checkShape(s: unknown, input: Input, strategy: OptimizationStrategy, fail: (m: string) => void): s is OptimizationSuggestion {
  if (!isPlainObject(s)) {
    fail(`a suggestion is not an object: ${show(s)}`);
    return false;
  }
  const x = s as Partial<OptimizationSuggestion>;
  const tag = `suggestion "${String(x.type)}"`;
  if (typeof x.type !== 'string' || x.type === '') fail(`a suggestion has no type (a non-empty string): ${show(x.type)}`);
  if (!OPTIMIZATION_PRIORITIES.includes(x.priority as never)) fail(`${tag}: priority must be one of ${OPTIMIZATION_PRIORITIES.join(', ')}, got ${show(x.priority)}`);
  if (typeof x.description !== 'string' || x.description.trim() === '') fail(`${tag}: description must be a non-empty string`);
  if (!isOutcomeMetric(x.targetMetric)) fail(`${tag}: targetMetric must be duration, cost or success_rate, got ${show(x.targetMetric)}`);
  for (const k of ['confidence', 'riskLevel'] as const) {
    const v = x[k];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) fail(`${tag}: ${k} must be a number in 0..1, got ${show(v)}`);
  }
  if (typeof x.expectedImprovement !== 'number' || !Number.isFinite(x.expectedImprovement)) {
    fail(`${tag}: expectedImprovement must be a finite number (percent), got ${show(x.expectedImprovement)}`);
  }
  if (!dataEqual(x.currentConfig, input.config)) fail(`${tag}: currentConfig must be the config suggest was given, got ${show(x.currentConfig)}`);
  if (x.strategy !== undefined && x.strategy !== strategy.name) fail(`${tag}: strategy is "${x.strategy}", expected the strategy's name "${strategy.name}"`);
  if (x.metadata !== undefined && !isPlainObject(x.metadata)) fail(`${tag}: metadata must be a plain object`);
  let roundTrip: unknown;
  try {
    roundTrip = JSON.parse(JSON.stringify(s));
  } catch (e) {
    roundTrip = describeError(e);
  }
  if (!dataEqual(roundTrip, s)) fail(`${tag}: does not survive a JSON round trip (history stores suggestions as JSON); keep to plain data`);
  if (!isPlainObject(x.suggestedConfig)) {
    fail(`${tag}: suggestedConfig must be an object of changed fields, got ${show(x.suggestedConfig)}`);
    return false;
  }
  return true;
}

function checkChange(s: OptimizationSuggestion, config: TeamConfig, fail: (m: string) => void): void {
  const changes = s.suggestedConfig as Record<string, unknown>;
  const keys = Object.keys(changes).filter((k) => changes[k] !== undefined);
  if (keys.length === 0) fail(`suggestion "${s.type}": suggestedConfig is empty; return no suggestion instead`);
  const current = config as unknown as Record<string, unknown>;
  for (const k of keys) {
    if (k === 'extra' && isPlainObject(changes.extra)) {
      for (const [ek, ev] of Object.entries(changes.extra)) {
        if (dataEqual(ev, config.extra?.[ek])) fail(`suggestion "${s.type}": extra.${ek} is already ${show(ev)}; suggestedConfig holds only changed fields`);
      }
    } else if (dataEqual(changes[k], current[k] ?? config.extra?.[k])) {
      fail(`suggestion "${s.type}": ${k} is already ${show(changes[k])}; never suggest the config the team already has`);
    }
  }
}

function checkApplied(s: OptimizationSuggestion, before: TeamConfig, after: unknown, fail: (check: ConformanceCheckName, m: string) => void): void {
  const tag = `apply of suggestion "${s.type}"`;
  if (!isPlainObject(after)) {
    fail('apply-holds-suggested-values', `${tag} returned ${show(after)}, not a config object`);
    return;
  }
  const r = after as unknown as TeamConfig & Record<string, unknown>;
  if (typeof r.formation !== 'string' || r.formation === '') fail('apply-holds-suggested-values', `${tag}: the result has no formation`);
  if (!Number.isInteger(r.memberCount) || r.memberCount < 1) fail('apply-holds-suggested-values', `${tag}: the result's memberCount is ${show(r.memberCount)}, expected an integer >= 1`);
  const changes = s.suggestedConfig as Record<string, unknown>;
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) continue;
    if (k === 'extra' && isPlainObject(v)) {
      for (const [ek, ev] of Object.entries(v)) {
        if (!dataEqual(r.extra?.[ek], ev)) fail('apply-holds-suggested-values', `${tag}: extra.${ek} is ${show(r.extra?.[ek])}, suggested ${show(ev)}`);
      }
    } else if (!dataEqual(r[k], v) && !dataEqual(r.extra?.[k], v)) {
      fail('apply-holds-suggested-values', `${tag}: ${k} is ${show(r[k])}, suggested ${show(v)}`);
    }
  }
  for (const k of CONFIG_KEYS) {
    if (changes[k] !== undefined) continue;
    if (k === 'members' && changes.memberCount !== undefined) continue;
    if (k === 'memberCount' && changes.members !== undefined) continue;
    const b = (before as unknown as Record<string, unknown>)[k];
    if (!dataEqual(r[k], b)) fail('apply-keeps-other-fields', `${tag}: ${k} changed from ${show(b)} to ${show(r[k])} but was not suggested`);
  }
  const suggestedExtra = isPlainObject(changes.extra) ? changes.extra : {};
  for (const [ek, ev] of Object.entries(before.extra ?? {})) {
    if (ek in suggestedExtra || ek in changes) continue;
    if (!dataEqual(r.extra?.[ek], ev)) fail('apply-keeps-other-fields', `${tag}: extra.${ek} changed from ${show(ev)} to ${show(r.extra?.[ek])}; keys the strategy does not own must stay untouched`);
  }
}

/**
 * Runs the conformance checks on a strategy, with no test framework: calls `suggest` on each case and
 * `apply` on each suggestion, with deep-frozen inputs (a write throws in strict-mode code) and again with
 * unfrozen copies compared to a snapshot (a write in sloppy-mode code, which a frozen object silently
 * ignores), twice for determinism, and reports every broken rule. Use `runStrategyConformance` to turn the checks into tests of your framework.
 *
 * @param cases Default `DEFAULT_CONFORMANCE_CASES`. Add cases in which your strategy fires: the
 *   `fires-somewhere` check fails when no case yields a suggestion.
 */
export function checkStrategyConformance(strategy: unknown, cases: readonly ConformanceCase[] = DEFAULT_CONFORMANCE_CASES): ConformanceReport {
  const failures: ConformanceFailure[] = [];
  const name =
    typeof strategy === 'object' && strategy !== null && typeof (strategy as { name?: unknown }).name === 'string'
      ? (strategy as { name: string }).name
      : '(unnamed)';
  let casesRun = 0;
  let suggestionsMade = 0;
  const compatible = isCompatibleStrategy(strategy);
  if (!compatible.ok) {
    failures.push({ check: 'api-version', message: compatible.reason });
  } else {
    const s = compatible.strategy;
    for (const c of cases) {
      casesRun++;
      const fail = (check: ConformanceCheckName, message: string): void => void failures.push({ check, case: c.name, message });
      const snapshot = cloneData({ insights: c.insights, config: c.config, context: c.context });
      const input = freshInput(c);
      let out: unknown;
      try {
        out = s.suggest(input.insights, input.config, input.context);
      } catch (e) {
        fail(isMutationError(e) ? 'suggest-does-not-mutate' : 'suggest-returns-list', `suggest threw ${describeError(e)}`);
        continue;
      }
      if (!dataEqual(input, snapshot)) fail('suggest-does-not-mutate', 'suggest changed its input (a typed array or other unfreezable part)');
      // Sloppy-mode code writes to a frozen object without an error, and nothing changes: only an unfrozen
      // copy shows what the strategy would do to a caller's data.
      const open = cloneData(snapshot);
      try {
        s.suggest(open.insights, open.config, open.context);
      } catch {
        // Reported above, from the frozen call.
      }
      if (!dataEqual(open, snapshot)) fail('suggest-does-not-mutate', 'suggest changed its input when it was not frozen');
      if (!Array.isArray(out)) {
        fail('suggest-returns-list', `suggest returned ${show(out)}, expected an array (empty when there is nothing to say)`);
        continue;
      }
      if (c.expectEmpty && out.length > 0) fail('empty-when-nothing-to-say', `suggest returned ${out.length} suggestion(s), expected []`);
      try {
        const again = freshInput(c);
        if (!dataEqual(s.suggest(again.insights, again.config, again.context), out)) fail('deterministic', 'suggest gave different suggestions for the same input');
      } catch (e) {
        fail('deterministic', `suggest threw on the second call with the same input: ${describeError(e)}`);
      }
      for (const raw of out as unknown[]) {
        const shapeOk = checkShape(raw, input, s, (m) => fail('suggestion-shape', m));
        if (!shapeOk) continue;
        suggestionsMade++;
        const suggestion = raw;
        checkChange(suggestion, c.config, (m) => fail('suggests-a-change', m));
        const config = deepFreeze(cloneData(c.config));
        const frozen = deepFreeze(cloneData(suggestion));
        let applied: unknown;
        try {
          applied = s.apply(config, frozen);
        } catch (e) {
          fail(isMutationError(e) ? 'apply-does-not-mutate' : 'apply-holds-suggested-values', `apply of suggestion "${suggestion.type}" threw ${describeError(e)}`);
          continue;
        }
        if (applied === config) fail('apply-does-not-mutate', `apply of suggestion "${suggestion.type}" returned its input; return a new config`);
        if (!dataEqual(config, c.config) || !dataEqual(frozen, suggestion)) fail('apply-does-not-mutate', `apply of suggestion "${suggestion.type}" changed its input`);
        const openConfig = cloneData(c.config);
        const openSuggestion = cloneData(suggestion);
        try {
          s.apply(openConfig, openSuggestion);
        } catch {
          // Reported above, from the frozen call.
        }
        if (!dataEqual(openConfig, c.config) || !dataEqual(openSuggestion, suggestion)) {
          fail('apply-does-not-mutate', `apply of suggestion "${suggestion.type}" changed its input when it was not frozen`);
        }
        checkApplied(suggestion, c.config, applied, fail);
        try {
          if (!dataEqual(s.apply(deepFreeze(cloneData(c.config)), deepFreeze(cloneData(suggestion))), applied)) {
            fail('deterministic', `apply of suggestion "${suggestion.type}" gave different configs for the same input`);
          }
        } catch (e) {
          fail('deterministic', `apply threw on the second call with the same input: ${describeError(e)}`);
        }
      }
    }
    if (suggestionsMade === 0) {
      failures.push({
        check: 'fires-somewhere',
        message: `no case (${casesRun} run) yielded a valid suggestion, so apply was never checked; pass cases in which "${name}" fires`,
      });
    }
  }
  const checks = CONFORMANCE_CHECKS.map(({ name: check, description }) => {
    const own = failures.filter((f) => f.check === check);
    const notRun = !compatible.ok && check !== 'api-version';
    return {
      name: check,
      description,
      passed: own.length === 0 && !notRun,
      failures: notRun ? [{ check, message: 'not run: the value is not a compatible strategy (see api-version)' }] : own,
    };
  });
  return { strategy: name, passed: failures.length === 0, checks, failures, casesRun, suggestionsMade };
}

/** The report's failures as lines a person can act on, one per failure. */
export function formatConformanceFailures(failures: readonly ConformanceFailure[]): string {
  return failures.map((f) => `[${f.check}]${f.case ? ` case "${f.case}":` : ''} ${f.message}`).join('\n');
}
