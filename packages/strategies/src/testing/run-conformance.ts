import type { ConformanceCase } from './default-cases';
import { CONFORMANCE_CHECKS, checkStrategyConformance, formatConformanceFailures } from './conformance';
import type { ConformanceReport } from './conformance';

/**
 * The parts of a test framework the kit needs. Jest's and Vitest's globals and `node:test`'s exports all
 * fit: pass `{ describe, it }` from whichever you use.
 */
export interface ConformanceTestApi {
  describe: (name: string, fn: () => void) => unknown;
  it: (name: string, fn: () => void) => unknown;
  /** Optional: Jest's or Vitest's `expect`, for a framework-native failure message. */
  expect?: (actual: unknown) => { toEqual(expected: unknown): void };
}

/** Options of `runStrategyConformance`. */
export interface RunConformanceOptions extends ConformanceTestApi {
  /** Default `DEFAULT_CONFORMANCE_CASES`. */
  cases?: readonly ConformanceCase[];
}

/**
 * Registers the conformance checks as tests of your framework: one `describe` named after the strategy,
 * one `it` per check, failing with every broken rule listed. The checks run once, when the first test runs.
 *
 * ```ts
 * import { describe, it } from 'node:test'; // or Jest / Vitest globals
 * runStrategyConformance(myStrategy, { describe, it, cases: [...DEFAULT_CONFORMANCE_CASES, myCase] });
 * ```
 */
export function runStrategyConformance(strategy: unknown, options: RunConformanceOptions): void {
  const { describe, it, expect, cases } = options;
  const name =
    typeof strategy === 'object' && strategy !== null && typeof (strategy as { name?: unknown }).name === 'string'
      ? (strategy as { name: string }).name
      : '(unnamed)';
  let report: ConformanceReport | undefined;
  const run = (): ConformanceReport => (report ??= checkStrategyConformance(strategy, cases));
  describe(`strategy conformance: ${name}`, () => {
    for (const check of CONFORMANCE_CHECKS) {
      it(`${check.name}: ${check.description}`, () => {
        const result = run().checks.find((c) => c.name === check.name)!;
        const lines = formatConformanceFailures(result.failures);
        if (expect) expect(lines).toEqual('');
        else if (!result.passed) throw new Error(`strategy "${name}" fails ${check.name}:\n${lines}`);
      });
    }
  });
}
