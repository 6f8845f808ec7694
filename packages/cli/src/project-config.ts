// `autotune.config.*`: the project's settings, found upward from the working directory, so that a team's
// baselines, runner and strategy packages live in the repository instead of in every command line.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { CliError } from './errors';
import { MIN_RUNS_PER_ARM_FLAG } from './flag-checks';
import { importModule } from './internal/import-module';
import { COUNT_LIMITS, MAX_DURATION_MS } from './limits';

/**
 * File names searched for, in this order, in each folder from the working directory up to the repository
 * root (the first folder holding `.git`) or the home folder, whichever comes first.
 */
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
  /**
   * Default `--db`: the SQLite database file of history, experiments and records, or a PostgreSQL URL
   * (`postgres://user@host/db`; keep the password in `AUTOTUNE_DB` or `PGPASSWORD`, not in this file).
   */
  db?: string;
  /** `queue`: send A/B trials to `autotune worker` processes through the PostgreSQL database (as `--queue`). */
  trials?: 'local' | 'queue';
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
  /** How OpenTelemetry traces become runs (see docs/otel-attributes.md): `runSpans`, `graceSeconds`, `teams`. */
  otlp?: Record<string, unknown>;
  /**
   * Where `autotune tune` may search: `formations`, `memberCount`/`toolBudget`/`timeoutSeconds` bounds
   * (`{ min, max, levels }`), `frozen` settings and `keepMembers` (see @autotune/core `TuneSearchSpace`).
   */
  searchSpace?: Record<string, unknown>;
  /**
   * Formations besides the five built-in ones (`sequential`, `parallel`, `pipeline`, `hierarchical`,
   * `consensus`) that metrics records may name, e.g. the legacy `reflection`, `adaptive`, `hybrid`. A record
   * with a formation neither built in nor listed here is an error.
   */
  formations?: string[];
}

/** A config file as found: where it is and what it says. */
export interface LoadedProjectConfig {
  /** Absolute path of the file, or undefined when none was found. */
  path?: string;
  /** Folder that relative paths in the file are resolved against. */
  dir: string;
  config: ProjectConfig;
}

/** Where the upward search for a config file stops. */
export interface ConfigSearchOptions {
  /** The user's home folder: searched, but never above. Default `os.homedir()`. */
  home?: string;
}

/**
 * The nearest config file, walking up from `startDir`; undefined when there is none. The walk stops at the
 * repository root (the first folder holding `.git`) or at the home folder, after searching it: a config file in
 * `/tmp` or in another user's folder above the project is never picked up by accident.
 */
export function findProjectConfig(startDir: string, options: ConfigSearchOptions = {}): string | undefined {
  const home = resolve(options.home ?? homedir());
  let dir = resolve(startDir);
  for (;;) {
    const found = CONFIG_FILE_NAMES.filter((name) => existsSync(join(dir, name)));
    if (found.length > 1) {
      throw new CliError('CLI_CONFIG', `${dir} holds ${found.length} autotune config files (${found.join(', ')}); keep only one`);
    }
    const [only] = found;
    if (only !== undefined) return join(dir, only); // exactly one: more was refused above
    const parent = dirname(dir);
    if (parent === dir || dir === home || existsSync(join(dir, '.git'))) return undefined;
    dir = parent;
  }
}

/** Whether a config file is a script that loading it would run. */
function isScriptConfig(path: string): boolean {
  return /\.(c|m)?js$/.test(path);
}

/**
 * Refuses a script config that someone other than the current user could have written: one owned by another
 * user, or writable by its group or by others. Loading it runs its code as this user (git's
 * `safe.directory` check guards repositories the same way).
 */
export function checkScriptConfigTrusted(path: string, uid: number | undefined = process.getuid?.()): void {
  if (uid === undefined) return; // No owners to compare on this platform (Windows).
  const st = statSync(path);
  const fix = 'it is a script, and loading it would run its code as you';
  if (st.uid !== uid) {
    throw new CliError('CLI_CONFIG', `${path}: refusing to load a config script owned by another user (uid ${st.uid}, you are uid ${uid}); ${fix}. If you trust it, take ownership (chown) or use a JSON or YAML config`);
  }
  if ((st.mode & 0o022) !== 0) {
    const who = (st.mode & 0o002) !== 0 ? 'any user' : 'its group';
    throw new CliError('CLI_CONFIG', `${path}: refusing to load a config script writable by ${who} (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}); ${fix}. Remove the write permission: chmod go-w ${path}`);
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
  if (value && typeof value === 'object' && 'default' in value && Object.keys(value).length === 1) value = (value).default;
  if (typeof value === 'function') {
    try {
      value = await (value as () => unknown)();
    } catch (err) {
      // The user's function failed: bad input (exit 2) naming the file, not an autotune bug.
      throw new CliError('CLI_CONFIG', `${path}: the exported config function threw: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`, { cause: err });
    }
  }
  return value;
}

type FieldKind = 'string' | 'number' | 'boolean' | 'object' | 'string[]' | 'runner' | 'duration' | 'trials';
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
  trials: 'trials',
  taskType: 'string',
  strategies: 'string[]',
  builtinStrategies: 'boolean',
  strategyOptions: 'object',
  otlp: 'object',
  searchSpace: 'object',
  formations: 'string[]',
};

/** Whole-number fields and their bounds; like the count flags, a count too large to run is refused up front. */
const COUNT_FIELDS: Partial<Record<keyof ProjectConfig, [number, number]>> = {
  // At least what an A/B test needs, so a too-small value is named here, before any work, not by the autotuner.
  runsPerArm: [MIN_RUNS_PER_ARM_FLAG, COUNT_LIMITS.runsPerArm],
  concurrency: [1, COUNT_LIMITS.concurrency],
  minRuns: [1, COUNT_LIMITS.simulatedRuns],
  seed: [0, COUNT_LIMITS.seed],
};

/** Every field `autotune.config.*` may hold (what `autotune help config` documents). */
export const PROJECT_CONFIG_FIELDS = Object.keys(FIELDS) as ReadonlyArray<keyof ProjectConfig>;

const EXPECTED: Record<FieldKind, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object (a map of keys to values)',
  'string[]': 'a list of strings',
  runner: 'a command line string, a list of argv strings, or { command, cwd?, env? }',
  duration: 'a duration such as "10m" or a number of milliseconds',
  trials: '"local" (run trials here) or "queue" (send them to workers through the PostgreSQL database)',
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
        (isStrings(value) && (value).length > 0) ||
        (isObject(value) && (typeof (value as { command?: unknown }).command === 'string' || isStrings((value as { command?: unknown }).command)))
      );
    case 'duration':
      return typeof value === 'string' || (typeof value === 'number' && value > 0);
    case 'trials':
      return value === 'local' || value === 'queue';
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
    const bounds = COUNT_FIELDS[key as keyof ProjectConfig];
    if (bounds && !(Number.isInteger(field) && (field as number) >= bounds[0] && (field as number) <= bounds[1])) {
      throw new CliError('CLI_CONFIG', `${at(key)}: field "${key}" must be a whole number from ${bounds[0]} to ${bounds[1]}, got ${JSON.stringify(field)}`);
    }
    if (kind === 'duration' && typeof field === 'number' && field > MAX_DURATION_MS) {
      throw new CliError('CLI_CONFIG', `${at(key)}: field "${key}" must be at most ${MAX_DURATION_MS} ms (24 days), got ${field}`);
    }
    out[key] = kind === 'string[]' && typeof field === 'string' ? [field] : field;
  }
  return out;
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

/**
 * Finds and loads the nearest `autotune.config.*` above `startDir` (see {@link findProjectConfig}); an empty
 * config when there is none. A script config must pass {@link checkScriptConfigTrusted} before it runs.
 */
export async function loadProjectConfig(startDir: string, options: ConfigSearchOptions = {}): Promise<LoadedProjectConfig> {
  const path = findProjectConfig(startDir, options);
  if (!path) return { dir: resolve(startDir), config: {} };
  if (isScriptConfig(path)) checkScriptConfigTrusted(path);
  const config = validateProjectConfig(await readConfigValue(path), path, topLevelKeyLines(path));
  return { path, dir: dirname(path), config };
}
