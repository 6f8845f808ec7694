// Third-party strategy packages named in `autotune.config.*`. A package may export, as its default export
// (or `module.exports`) or as a named `strategies` export:
//   - one strategy object (`apiVersion`, `name`, `suggest`, `apply`),
//   - an array of strategies,
//   - a factory function `(options) => strategy | strategy[]` (may be async), called with
//     `strategyOptions[<package name>]` from the config file.
// Each strategy is checked against the contract version this CLI was built with, by field, not
// `instanceof`, since a plugin may bring its own copy of @autotune/strategies.
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

function looksLikeStrategy(u: unknown): boolean {
  return typeof u === 'object' && u !== null && !Array.isArray(u) && ('suggest' in u || 'apiVersion' in u);
}

/** The export that holds the strategies, by the rules above. */
function pickExport(mod: Record<string, unknown>): unknown {
  const inner = mod.default;
  const candidates = [
    mod.strategies,
    inner && typeof inner === 'object' && !looksLikeStrategy(inner) && !Array.isArray(inner) ? (inner as Record<string, unknown>).strategies : undefined,
    inner && typeof inner === 'object' && !looksLikeStrategy(inner) && !Array.isArray(inner) ? (inner as Record<string, unknown>).default : undefined,
    inner,
    mod.strategy,
  ];
  for (const candidate of candidates) {
    if (typeof candidate === 'function' || Array.isArray(candidate) || looksLikeStrategy(candidate)) return candidate;
  }
  return looksLikeStrategy(mod) ? mod : undefined;
}

/**
 * Resolves `spec` (a package name, or a path relative to `fromDir`) from `fromDir`, loads it, and returns
 * its strategies after checking each against the strategy contract.
 *
 * @throws CliError `CLI_PLUGIN` when the package cannot be found or loaded, exports no strategy, or a
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
  let value = pickExport(mod);
  if (typeof value === 'function') {
    try {
      value = await (value as (o?: Record<string, unknown>) => unknown)(options ?? {});
    } catch (err) {
      throw new CliError('CLI_PLUGIN', `${where}: its factory threw: ${(err as Error).message}`, { cause: err });
    }
  }
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  if (list.length === 0) {
    throw new CliError('CLI_PLUGIN', `${where} exports no strategy; expected a strategy, an array of strategies or a factory as its default export or as "strategies"`);
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
