// Third-party strategy packages named in `autotune.config.*`. What a package may export is spelled out in
// ACCEPTED_EXPORTS below (and in docs/strategies/authoring.md, which shows the named-factory form). A factory
// is called with `strategyOptions[<package name>]` from the config file. Each strategy is checked against the
// contract version this CLI was built with, by field, not `instanceof`, since a plugin may bring its own copy
// of @autotune/strategies.
import type { OptimizationStrategy } from '@autotune/strategies';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { CliError } from './errors';
import { importModule } from './internal/import-module';

/** A loaded strategy and the package it came from. */
export interface LoadedStrategy {
  strategy: OptimizationStrategy;
  source: string;
}

/**
 * What a strategy package may export, in the order the loader looks; the first that holds something wins.
 * Printed in the error when a package exports none of them.
 */
export const ACCEPTED_EXPORTS =
  'a default export (or module.exports) or a named export "strategies" or "strategy", holding a strategy, ' +
  'an array of strategies or a factory function; else every named export whose name ends in "Strategy" ' +
  '(e.g. "export function costCapStrategy(options)"), each a strategy or a factory';

function looksLikeStrategy(u: unknown): boolean {
  return typeof u === 'object' && u !== null && !Array.isArray(u) && ('suggest' in u || 'apiVersion' in u);
}

function holdsStrategies(u: unknown): boolean {
  return typeof u === 'function' || Array.isArray(u) || looksLikeStrategy(u);
}

/**
 * The exports that hold the strategies, by {@link ACCEPTED_EXPORTS}. A CommonJS package loaded through
 * `import()` shows its `module.exports` as `default` and, where Node can detect them, as named exports too.
 */
function pickExports(mod: Record<string, unknown>): unknown[] {
  const inner = mod.default;
  const innerObject = inner && typeof inner === 'object' && !looksLikeStrategy(inner) && !Array.isArray(inner) ? (inner as Record<string, unknown>) : undefined;
  const candidates = [mod.strategies, innerObject?.strategies, innerObject?.default, inner, mod.strategy, innerObject?.strategy];
  for (const candidate of candidates) {
    if (holdsStrategies(candidate)) return [candidate];
  }
  if (looksLikeStrategy(mod)) return [mod];
  // The authoring guide's form: named factories such as `export function retryBudgetStrategy(options)`.
  // Only names ending in "Strategy", so that helpers the package also exports are never called.
  const named = new Map<string, unknown>();
  for (const source of [mod, innerObject ?? {}]) {
    for (const [name, value] of Object.entries(source)) {
      if (/Strategy$/.test(name) && holdsStrategies(value) && !named.has(name)) named.set(name, value);
    }
  }
  return [...named.values()];
}

/**
 * Resolves `spec` (a package name, or a path relative to `fromDir`) from `fromDir`, loads it, and returns
 * its strategies after checking each against the strategy contract.
 *
 * @throws CliError `CLI_PLUGIN` when the package cannot be found or loaded, exports none of
 * {@link ACCEPTED_EXPORTS}, or a
 * strategy is invalid or written for another major version of the contract.
 */
export async function loadStrategyPackage(spec: string, fromDir: string, options: Record<string, unknown> | undefined, configPath: string): Promise<LoadedStrategy[]> {
  const where = `strategy package "${spec}" (listed in ${configPath})`;
  let resolved: string;
  try {
    resolved = createRequire(join(fromDir, 'autotune.config.js')).resolve(spec);
  } catch (err) {
    const hint = spec.startsWith('.') || spec.startsWith('/') ? 'check the path' : `install it: npm install ${spec}`;
    throw new CliError('CLI_PLUGIN', `${where} was not found from ${fromDir}; ${hint}`, { cause: err });
  }
  let mod: Record<string, unknown>;
  try {
    mod = await importModule(resolved);
  } catch (err) {
    throw new CliError('CLI_PLUGIN', `${where} failed to load: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  const list: unknown[] = [];
  for (const exported of pickExports(mod)) {
    let value = exported;
    if (typeof value === 'function') {
      const name = (value as { name?: string }).name || 'its factory';
      try {
        value = await (value as (o?: Record<string, unknown>) => unknown)(options ?? {});
      } catch (err) {
        throw new CliError('CLI_PLUGIN', `${where}: factory ${name}() threw: ${(err as Error).message}`, { cause: err });
      }
    }
    if (Array.isArray(value)) list.push(...(value as unknown[]));
    else if (value !== undefined) list.push(value);
  }
  if (list.length === 0) {
    throw new CliError('CLI_PLUGIN', `${where} exports no strategy; expected ${ACCEPTED_EXPORTS}`);
  }
  const { isCompatibleStrategy } = require('@autotune/strategies') as typeof import('@autotune/strategies');
  return list.map((candidate, i) => {
    const check = isCompatibleStrategy(candidate);
    if (!check.ok) {
      throw new CliError('CLI_PLUGIN', `${where}${list.length > 1 ? `, strategy #${i + 1}` : ''}: ${check.reason}`);
    }
    return { strategy: check.strategy, source: spec };
  });
}
