import { STRATEGY_API_VERSION } from './contract';
import type { OptimizationStrategy, OptimizationSuggestion } from './contract';
import { StrategyError } from './errors';
import type { StrategyErrorCode } from './errors';

/** What `defineStrategy` takes: a strategy whose `apiVersion` may be left out. */
export type StrategyDefinition = Omit<OptimizationStrategy, 'apiVersion'> & { apiVersion?: string };

const VERSION_PATTERN = /^(\d+)\.(\d+)(?:\.\d+)?$/;

function majorOf(version: string): string | undefined {
  return VERSION_PATTERN.exec(version)?.[1];
}

type Verdict = { ok: true; strategy: OptimizationStrategy } | { ok: false; reason: string; code: StrategyErrorCode };

function examine(u: unknown): Verdict {
  if ((typeof u !== 'object' && typeof u !== 'function') || u === null) {
    const got = u === null ? 'null' : typeof u;
    return { ok: false, code: 'STRATEGY_INVALID', reason: `expected an object with apiVersion, name, suggest and apply; got ${got}` };
  }
  const s = u as Record<string, unknown>;
  if (typeof s.apiVersion !== 'string') {
    return {
      ok: false,
      code: 'STRATEGY_INCOMPATIBLE',
      reason: 'has no apiVersion string; build it with defineStrategy() or set apiVersion to STRATEGY_API_VERSION',
    };
  }
  const major = majorOf(s.apiVersion);
  if (major === undefined) {
    return { ok: false, code: 'STRATEGY_INCOMPATIBLE', reason: `apiVersion "${s.apiVersion}" is not of the form "<major>.<minor>"` };
  }
  if (major !== majorOf(STRATEGY_API_VERSION)) {
    return {
      ok: false,
      code: 'STRATEGY_INCOMPATIBLE',
      reason:
        `was written against strategy API ${s.apiVersion}, but this autotune supports ${majorOf(STRATEGY_API_VERSION)}.x ` +
        `(${STRATEGY_API_VERSION}); install a version of the plugin built for @autotune/strategies ${majorOf(STRATEGY_API_VERSION)}.x`,
    };
  }
  if (typeof s.name !== 'string' || s.name.trim() === '') {
    return { ok: false, code: 'STRATEGY_INVALID', reason: 'field "name" must be a non-empty string' };
  }
  for (const fn of ['suggest', 'apply'] as const) {
    if (typeof s[fn] !== 'function') {
      return { ok: false, code: 'STRATEGY_INVALID', reason: `strategy "${s.name}": field "${fn}" must be a function, got ${typeof s[fn]}` };
    }
  }
  return { ok: true, strategy: u as OptimizationStrategy };
}

/**
 * Checks that a value can be used as a strategy by this version of autotune: it has the contract's shape and
 * an `apiVersion` with the same major number as `STRATEGY_API_VERSION`. It checks fields, never `instanceof`,
 * because a plugin may bring its own copy of this package.
 */
export function isCompatibleStrategy(u: unknown): { ok: true; strategy: OptimizationStrategy } | { ok: false; reason: string } {
  const v = examine(u);
  return v.ok ? v : { ok: false, reason: v.reason };
}

/**
 * Like `isCompatibleStrategy`, but throws a `StrategyError` (`STRATEGY_INCOMPATIBLE` for a version
 * mismatch, `STRATEGY_INVALID` for a wrong shape) whose message starts with `source` (e.g. the module path).
 */
export function assertCompatibleStrategy(u: unknown, source?: string): asserts u is OptimizationStrategy {
  const v = examine(u);
  if (!v.ok) throw new StrategyError(v.code, `${source ?? 'strategy'}: ${v.reason}`);
}

/**
 * Declares a strategy: fills in `apiVersion` (this package's `STRATEGY_API_VERSION` unless given), checks
 * the shape, and stamps each suggestion's `strategy` field with the strategy's name when it is left out, so
 * a caller always knows which `apply` a suggestion belongs to. The result is frozen.
 *
 * @throws StrategyError `STRATEGY_INVALID` when `name`, `suggest` or `apply` is missing or of the wrong type.
 */
export function defineStrategy(def: StrategyDefinition): OptimizationStrategy {
  const candidate = { ...def, apiVersion: def.apiVersion ?? STRATEGY_API_VERSION };
  const v = examine(candidate);
  if (!v.ok) throw new StrategyError(v.code, `defineStrategy: ${v.reason}`);
  const { name } = candidate;
  return Object.freeze({
    apiVersion: candidate.apiVersion,
    name,
    suggest(...args: Parameters<OptimizationStrategy['suggest']>): OptimizationSuggestion[] {
      const out = def.suggest.call(def, ...args);
      if (!Array.isArray(out)) return out;
      return out.map((s) => (s && typeof s === 'object' && s.strategy === undefined ? { ...s, strategy: name } : s));
    },
    apply(...args: Parameters<OptimizationStrategy['apply']>): ReturnType<OptimizationStrategy['apply']> {
      return def.apply.call(def, ...args);
    },
  });
}
