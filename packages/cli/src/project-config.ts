// `autotune.config.*`: the project's settings, found upward from the working directory, so that a team's
// baselines, runner and strategy packages live in the repository instead of in every command line.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { CliError } from './errors';
import { importModule } from './internal/import-module';

/** File names searched for, in this order, in each folder from the working directory up to the root. */
export const CONFIG_FILE_NAMES = [
  'autotune.config.json',
  'autotune.config.yaml',
  'autotune.config.yml',
  'autotune.config.js',
  'autotune.config.cjs',
  'autotune.config.mjs',
] as const;

/** How to run one trial of a team: a command line (split on spaces, quotes respected) or argv. */
export type RunnerSetting = string | string[] | { command: string | string[]; cwd?: string; env?: Record<string, string> };

/**
 * What `autotune.config.*` may hold. Every field is optional; command-line flags win over it. Paths are
 * relative to the config file's folder.
 */
export interface ProjectConfig {
  /** Default `--team-id`. */
  teamId?: string;
  /** Default `--config` (the workflow file). */
  workflow?: string;
  /** Default `--metrics` files. */
  metrics?: string[];
  /** Default `--db`: the SQLite database of history, experiments and records. */
  db?: string;
  /** Default `--runner`. */
  runner?: RunnerSetting;
  /** Analyzer baselines: `durationSeconds`, `p95Seconds`, `successRate`, `toolCalls`, `formationSeconds`. */
  baselines?: Record<string, unknown>;
  /** Analyzer detection thresholds (see @autotune/analyzer `AnalyzerOptions.thresholds`). */
  thresholds?: Record<string, unknown>;
  /** Fewest runs before the analyzer reports an insight. */
  minRuns?: number;
  /** Default `--threshold`: minimum improvement, percent, for a change to pass its A/B test. */
  abTestThreshold?: number;
  /** Default `--runs`: runs per arm of each A/B test. */
  runsPerArm?: number;
  /** Significance level of A/B tests. */
  alpha?: number;
  /** Revert changes that regress (default true). */
  autoRollback?: boolean;
  /** Stop A/B tests at an interim look once the answer is clear (needs runsPerArm >= 20). */
  earlyStopping?: boolean;
  /** Suggestions below this confidence are dropped (default 0.6). */
  minConfidence?: number;
  /** Seed of the A/B tests' randomisation, for reproducible runs. */
  seed?: number;
  /** Parallel trials in an A/B test (default 1). */
  concurrency?: number;
  /** Per-trial timeout, e.g. `10m` or milliseconds. */
  trialTimeout?: string | number;
  /** Task-type hint for the tool-budget strategy. */
  taskType?: string;
  /** Third-party strategy packages (names, or paths relative to the config file), added to the built-ins. */
  strategies?: string[];
  /** Set false to use only the strategies of `strategies`. Default true. */
  builtinStrategies?: boolean;
  /** Options per strategy name (handed to strategies) or per package name (handed to a package's factory). */
  strategyOptions?: Record<string, Record<string, unknown>>;
  /**
   * Where `autotune tune` may search: `formations`, `memberCount`/`toolBudget`/`timeoutSeconds` bounds
   * (`{ min, max, levels }`), `frozen` settings and `keepMembers` (see @autotune/core `TuneSearchSpace`).
   */
  searchSpace?: Record<string, unknown>;
}

/** A config file as found: where it is and what it says. */
export interface LoadedProjectConfig {
  /** Absolute path of the file, or undefined when none was found. */
  path?: string;
  /** Folder that relative paths in the file are resolved against. */
  dir: string;
  config: ProjectConfig;
}

/** The folder holding the nearest config file, walking up from `startDir`; undefined when there is none. */
export function findProjectConfig(startDir: string): string | undefined {
  let dir = resolve(startDir);
  for (;;) {
    const found = CONFIG_FILE_NAMES.filter((name) => existsSync(join(dir, name)));
    if (found.length > 1) {
      throw new CliError('CLI_CONFIG', `${dir} holds ${found.length} autotune config files (${found.join(', ')}); keep only one`);
    }
    if (found.length === 1) return join(dir, found[0]);
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

async function readConfigValue(path: string): Promise<unknown> {
  const ext = extname(path);
  if (ext === '.json' || ext === '.yaml' || ext === '.yml') {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new CliError('CLI_CONFIG', `${path}: cannot read the file (${(err as Error).message})`, { cause: err });
    }
    if (ext === '.json') {
      try {
        return JSON.parse(text);
      } catch (err) {
        // Only on the error path: core's JSON scanner names the line and column JSON.parse does not.
        const { locateJsonError } = require('@autotune/core') as typeof import('@autotune/core');
        const found = locateJsonError(text);
        const where = found ? `, line ${found.line}, column ${found.column}: not valid JSON: ${found.message}` : `: not valid JSON`;
        throw new CliError('CLI_CONFIG', `${path}${where}`, { cause: err });
      }
    }
    const YAML = require('yaml') as typeof import('yaml');
    try {
      return YAML.parse(text);
    } catch (err) {
      throw new CliError('CLI_CONFIG', `${path}: not valid YAML (${(err as Error).message.split('\n')[0]})`, { cause: err });
    }
  }
  let mod: Record<string, unknown>;
  try {
    mod = await importModule(path);
  } catch (err) {
    throw new CliError('CLI_CONFIG', `${path}: loading it failed: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  let value: unknown = 'default' in mod ? mod.default : mod;
  // A CommonJS file loaded through import() may itself hold `{ default: ... }` (transpiled ESM).
  if (value && typeof value === 'object' && 'default' in value && Object.keys(value).length === 1) value = (value as { default: unknown }).default;
  if (typeof value === 'function') value = await (value as () => unknown)();
  return value;
}

type FieldKind = 'string' | 'number' | 'boolean' | 'object' | 'string[]' | 'runner' | 'duration';
const FIELDS: Record<keyof ProjectConfig, FieldKind> = {
  teamId: 'string',
  workflow: 'string',
  metrics: 'string[]',
  db: 'string',
  runner: 'runner',
  baselines: 'object',
  thresholds: 'object',
  minRuns: 'number',
  abTestThreshold: 'number',
  runsPerArm: 'number',
  alpha: 'number',
  autoRollback: 'boolean',
  earlyStopping: 'boolean',
  minConfidence: 'number',
  seed: 'number',
  concurrency: 'number',
  trialTimeout: 'duration',
  taskType: 'string',
  strategies: 'string[]',
  builtinStrategies: 'boolean',
  strategyOptions: 'object',
  searchSpace: 'object',
};

const EXPECTED: Record<FieldKind, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object (a map of keys to values)',
  'string[]': 'a list of strings',
  runner: 'a command line string, a list of argv strings, or { command, cwd?, env? }',
  duration: 'a duration such as "10m" or a number of milliseconds',
};

function fits(kind: FieldKind, value: unknown): boolean {
  const isObject = (u: unknown) => typeof u === 'object' && u !== null && !Array.isArray(u);
  const isStrings = (u: unknown) => Array.isArray(u) && u.every((s) => typeof s === 'string');
  switch (kind) {
    case 'string':
      return typeof value === 'string' && value.length > 0;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return isObject(value);
    case 'string[]':
      return isStrings(value) || (typeof value === 'string' && value.length > 0);
    case 'runner':
      return (
        (typeof value === 'string' && value.trim().length > 0) ||
        (isStrings(value) && (value as string[]).length > 0) ||
        (isObject(value) && (typeof (value as { command?: unknown }).command === 'string' || isStrings((value as { command?: unknown }).command)))
      );
    case 'duration':
      return typeof value === 'string' || (typeof value === 'number' && value > 0);
  }
}

/**
 * Checks a config file's content field by field. Unknown fields are refused (with the known ones listed),
 * because a misspelt `abTestTreshold` silently ignored is worse than an error.
 */
export function validateProjectConfig(value: unknown, path: string, lineOf: (key: string) => number | undefined = () => undefined): ProjectConfig {
  const at = (key: string) => {
    const line = lineOf(key);
    return line === undefined ? path : `${path}, line ${line}`;
  };
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new CliError('CLI_CONFIG', `${path}: expected an object of settings at the top level`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    const kind = FIELDS[key as keyof ProjectConfig];
    if (!kind) {
      throw new CliError('CLI_CONFIG', `${at(key)}: unknown field "${key}"; known fields: ${Object.keys(FIELDS).join(', ')}`);
    }
    if (!fits(kind, field)) {
      throw new CliError('CLI_CONFIG', `${at(key)}: field "${key}" must be ${EXPECTED[kind]}, got ${JSON.stringify(field)}`);
    }
    out[key] = kind === 'string[]' && typeof field === 'string' ? [field] : field;
  }
  return out as ProjectConfig;
}

/**
 * The line of each top-level key of a JSON or YAML config file (JSON is YAML too), so a bad field's error names
 * its line. Script configs have no lines to name.
 */
function topLevelKeyLines(path: string): (key: string) => number | undefined {
  if (!/\.(json|ya?ml)$/.test(path)) return () => undefined;
  const YAML = require('yaml') as typeof import('yaml');
  const lineCounter = new YAML.LineCounter();
  const doc = YAML.parseDocument(readFileSync(path, 'utf8'), { lineCounter });
  const lines = new Map<string, number>();
  if (YAML.isMap(doc.contents)) {
    for (const pair of doc.contents.items) {
      if (YAML.isScalar(pair.key) && pair.key.range) lines.set(String(pair.key.value), lineCounter.linePos(pair.key.range[0]).line);
    }
  }
  return (key) => lines.get(key);
}

/** Finds and loads the nearest `autotune.config.*` above `startDir`; an empty config when there is none. */
export async function loadProjectConfig(startDir: string): Promise<LoadedProjectConfig> {
  const path = findProjectConfig(startDir);
  if (!path) return { dir: resolve(startDir), config: {} };
  const config = validateProjectConfig(await readConfigValue(path), path, topLevelKeyLines(path));
  return { path, dir: dirname(path), config };
}
