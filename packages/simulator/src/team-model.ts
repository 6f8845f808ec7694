import { SimulatorError } from './errors';

/**
 * One member of a simulated team: how long its own work takes, how often it is good, how many tool calls
 * its task needs and whose output it needs. Missing fields take the model's `defaults`.
 */
export interface MemberModel {
  id: string;
  role?: string;
  /** Median seconds of the member's own work (log-normal), not counting tool calls or coordination. */
  workSeconds?: number;
  /** Shape of the log-normal: standard deviation of ln(work seconds). 0.35 gives a P95 about 1.8 x the median. */
  workSigma?: number;
  /** Probability that the member's work is good when it has all its inputs and enough tool calls. */
  successRate?: number;
  /** Mean number of tool calls the member's task really needs. */
  toolCalls?: number;
  /** Run-to-run spread of that need, as a coefficient of variation. */
  toolCallsCv?: number;
  /** Ids of the members whose output this member needs. Running without it lowers its success probability. */
  dependsOn?: string[];
  /** Names of the tools it calls, most used first (reported in `toolsUsed`). */
  tools?: string[];
  /**
   * The team's result needs this member's part: a run without it (disabled, or left out by `member_count`)
   * succeeds with probability scaled by `dependencies.missingInputSuccessFactor`. Default false.
   */
  required?: boolean;
}

/** Values for member fields a member leaves out, and for members the simulator has to synthesise. */
export interface MemberDefaults {
  role: string;
  workSeconds: number;
  workSigma: number;
  successRate: number;
  toolCalls: number;
  toolCallsCv: number;
  tools: string[];
}

/** Cost of talking to peers: each member spends `secondsPerPeer x factor(formation) x (peers)` coordinating. */
export interface CoordinationModel {
  secondsPerPeer: number;
  /** Relative coordination cost per formation (the original's table: sequential 0.3 ... consensus 0.8). */
  formationFactors: Record<string, number>;
}

/** Merging parallel outputs: `seconds + secondsPerMember x units` after the last unit ends. */
export interface MergeModel {
  seconds: number;
  secondsPerMember: number;
}

/** Pipeline stages: each stage starts once the previous has done `1 - overlap` of its work. */
export interface PipelineModel {
  overlap: number;
}

/** The coordinator a hierarchical team adds: it plans before the workers and integrates after them. */
export interface CoordinatorModel {
  id: string;
  planSeconds: number;
  integrateSeconds: number;
  integrateSecondsPerUnit: number;
  sigma: number;
  successRate: number;
  toolCalls: number;
}

/**
 * Consensus rounds after the members' proposals, which run in parallel. In a round the members speak in turn,
 * each revising its answer in `turnFraction` of its own work time, so a round grows with the team; the round
 * then agrees with probability `agreement - agreementLossPerMember x (members - 2)` (at least 0.05), so larger
 * teams also need more rounds. No agreement after `maxRounds` fails the run.
 */
export interface ConsensusModel {
  /** Fixed seconds per round (the vote), besides the turns. */
  roundSeconds: number;
  turnFraction: number;
  agreement: number;
  agreementLossPerMember: number;
  maxRounds: number;
  sigma: number;
}

/**
 * Tool calls against the budget. A member's share of the budget is `budget / members x toolBudgetMultiplier`.
 * Members with headroom explore: they make `exploration x headroom` extra calls, where the headroom is capped at
 * `maxOveruse x need`. A member whose need exceeds its share stops at the share and then fails
 * (`onExhaustion: 'fail'`) or succeeds with probability scaled by `degradedSuccessFactor` (`'degrade'`).
 */
export interface ToolModel {
  callSeconds: number;
  exploration: number;
  maxOveruse: number;
  onExhaustion: 'fail' | 'degrade';
  degradedSuccessFactor: number;
}

/** What running without an input costs: success probability is multiplied by this per missing input (or missing required member). */
export interface DependencyModel {
  missingInputSuccessFactor: number;
}

/** Tokens and prices, so records carry tokens and cost. Tokens accrue per active second and per tool call. */
export interface TokenModel {
  inputPerSecond: number;
  outputPerSecond: number;
  inputPerToolCall: number;
  usdPerMillionInput: number;
  usdPerMillionOutput: number;
  usdPerToolCall: number;
}

/**
 * The true behaviour of a simulated team. Only `members` is required (it may even be empty: every member is
 * then synthesised from `defaults`); every other section falls back to `DEFAULT_MODEL_PARAMETERS`.
 */
export interface TeamModel {
  name?: string;
  members: MemberModel[];
  defaults?: Partial<MemberDefaults>;
  coordination?: Partial<CoordinationModel>;
  merge?: Partial<MergeModel>;
  pipeline?: Partial<PipelineModel>;
  coordinator?: Partial<CoordinatorModel>;
  consensus?: Partial<ConsensusModel>;
  tools?: Partial<ToolModel>;
  dependencies?: Partial<DependencyModel>;
  tokens?: Partial<TokenModel>;
}

/** A model with every default filled in. */
export interface ResolvedTeamModel {
  name?: string;
  members: Array<Required<Omit<MemberModel, 'role'>> & { role: string }>;
  defaults: MemberDefaults;
  coordination: CoordinationModel;
  merge: MergeModel;
  pipeline: PipelineModel;
  coordinator: CoordinatorModel;
  consensus: ConsensusModel;
  tools: ToolModel;
  dependencies: DependencyModel;
  tokens: TokenModel;
}

/** The parameters a model leaves out. Chosen so a default team behaves like the reference measurements. */
export const DEFAULT_MODEL_PARAMETERS: Omit<ResolvedTeamModel, 'members' | 'name'> = Object.freeze({
  defaults: {
    role: 'member',
    workSeconds: 20,
    workSigma: 0.35,
    successRate: 0.97,
    toolCalls: 4,
    toolCallsCv: 0.3,
    tools: ['read_file', 'grep', 'search'],
  },
  coordination: {
    secondsPerPeer: 1.5,
    formationFactors: { sequential: 0.3, parallel: 0.5, pipeline: 0.4, hierarchical: 0.6, consensus: 0.8 },
  },
  merge: { seconds: 2, secondsPerMember: 1.5 },
  pipeline: { overlap: 0.4 },
  coordinator: {
    id: 'coordinator',
    planSeconds: 6,
    integrateSeconds: 4,
    integrateSecondsPerUnit: 1.5,
    sigma: 0.3,
    successRate: 0.99,
    toolCalls: 1,
  },
  consensus: {
    roundSeconds: 2,
    turnFraction: 0.8,
    agreement: 0.6,
    agreementLossPerMember: 0.05,
    maxRounds: 6,
    sigma: 0.25,
  },
  tools: { callSeconds: 1.5, exploration: 0.3, maxOveruse: 2, onExhaustion: 'degrade', degradedSuccessFactor: 0.5 },
  dependencies: { missingInputSuccessFactor: 0.35 },
  tokens: {
    inputPerSecond: 120,
    outputPerSecond: 25,
    inputPerToolCall: 600,
    usdPerMillionInput: 3,
    usdPerMillionOutput: 15,
    usdPerToolCall: 0.002,
  },
});

/**
 * Fills every default in. Done afresh for every run (it is cheap next to a run), so a model object changed
 * between runs is always read as it is now.
 */
export function resolveTeamModel(model: TeamModel): ResolvedTeamModel {
  const d = DEFAULT_MODEL_PARAMETERS;
  const defaults: MemberDefaults = { ...d.defaults, ...definedOnly(model.defaults) };
  const resolved: ResolvedTeamModel = {
    ...(model.name !== undefined && { name: model.name }),
    members: model.members.map((m) => ({
      id: m.id,
      role: m.role ?? defaults.role,
      workSeconds: m.workSeconds ?? defaults.workSeconds,
      workSigma: m.workSigma ?? defaults.workSigma,
      successRate: m.successRate ?? defaults.successRate,
      toolCalls: m.toolCalls ?? defaults.toolCalls,
      toolCallsCv: m.toolCallsCv ?? defaults.toolCallsCv,
      dependsOn: m.dependsOn ?? [],
      tools: m.tools ?? defaults.tools,
      required: m.required ?? false,
    })),
    defaults,
    coordination: {
      secondsPerPeer: model.coordination?.secondsPerPeer ?? d.coordination.secondsPerPeer,
      formationFactors: { ...d.coordination.formationFactors, ...(definedOnly(model.coordination?.formationFactors) as Record<string, number>) },
    },
    merge: { ...d.merge, ...definedOnly(model.merge) },
    pipeline: { ...d.pipeline, ...definedOnly(model.pipeline) },
    coordinator: { ...d.coordinator, ...definedOnly(model.coordinator) },
    consensus: { ...d.consensus, ...definedOnly(model.consensus) },
    tools: { ...d.tools, ...definedOnly(model.tools) },
    dependencies: { ...d.dependencies, ...definedOnly(model.dependencies) },
    tokens: { ...d.tokens, ...definedOnly(model.tokens) },
  };
  return resolved;
}

function definedOnly<T extends object>(o: T | undefined): Partial<T> {
  if (!o) return {};
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** How a validation error says where a field sits. */
export interface FieldLocator {
  file?: string;
  /** Prefix of every field path, e.g. `model`. */
  prefix?: string;
  /** Line of a field (path in the data's own key spelling), when the data came from a file. */
  lineOf?: (path: Array<string | number>) => number | undefined;
  /** Spell keys as the data did: `snake` for YAML scenario files, `camel` for objects built in code. */
  keyStyle?: 'snake' | 'camel';
}

type Check = 'boolean' | 'positive' | 'nonNegative' | 'rate' | 'fraction' | 'integerAtLeast1' | 'string' | 'stringList' | 'exhaustion';

const MEMBER_FIELDS: Record<string, Check> = {
  id: 'string',
  role: 'string',
  workSeconds: 'positive',
  workSigma: 'nonNegative',
  successRate: 'rate',
  toolCalls: 'nonNegative',
  toolCallsCv: 'nonNegative',
  dependsOn: 'stringList',
  tools: 'stringList',
  required: 'boolean',
};

const SECTION_FIELDS = {
  defaults: Object.fromEntries(Object.entries(MEMBER_FIELDS).filter(([k]) => !['id', 'dependsOn', 'required'].includes(k))),
  coordination: { secondsPerPeer: 'nonNegative' },
  merge: { seconds: 'nonNegative', secondsPerMember: 'nonNegative' },
  pipeline: { overlap: 'fraction' },
  coordinator: {
    id: 'string',
    planSeconds: 'nonNegative',
    integrateSeconds: 'nonNegative',
    integrateSecondsPerUnit: 'nonNegative',
    sigma: 'nonNegative',
    successRate: 'rate',
    toolCalls: 'nonNegative',
  },
  consensus: {
    roundSeconds: 'nonNegative',
    turnFraction: 'nonNegative',
    agreement: 'rate',
    agreementLossPerMember: 'rate',
    maxRounds: 'integerAtLeast1',
    sigma: 'nonNegative',
  },
  tools: {
    callSeconds: 'nonNegative',
    exploration: 'rate',
    maxOveruse: 'nonNegative',
    onExhaustion: 'exhaustion',
    degradedSuccessFactor: 'rate',
  },
  dependencies: { missingInputSuccessFactor: 'rate' },
  tokens: {
    inputPerSecond: 'nonNegative',
    outputPerSecond: 'nonNegative',
    inputPerToolCall: 'nonNegative',
    usdPerMillionInput: 'nonNegative',
    usdPerMillionOutput: 'nonNegative',
    usdPerToolCall: 'nonNegative',
  },
} satisfies Record<string, Record<string, Check>>;

type SectionKey = keyof typeof SECTION_FIELDS;

function isSectionKey(key: string): key is SectionKey {
  return Object.hasOwn(SECTION_FIELDS, key);
}

const EXPECTED: Record<Check, string> = {
  boolean: 'true or false',
  positive: 'a number greater than 0',
  nonNegative: 'a number >= 0',
  rate: 'a number from 0 to 1',
  fraction: 'a number from 0 up to (not including) 1',
  integerAtLeast1: 'a whole number >= 1',
  string: 'a non-empty string',
  stringList: 'a list of strings',
  exhaustion: '"fail" or "degrade"',
};

function passes(check: Check, v: unknown): boolean {
  const num = typeof v === 'number' && Number.isFinite(v);
  switch (check) {
    case 'boolean':
      return typeof v === 'boolean';
    case 'positive':
      return num && (v) > 0;
    case 'nonNegative':
      return num && (v) >= 0;
    case 'rate':
      return num && (v) >= 0 && (v) <= 1;
    case 'fraction':
      return num && (v) >= 0 && (v) < 1;
    case 'integerAtLeast1':
      return num && Number.isInteger(v) && (v) >= 1;
    case 'string':
      return typeof v === 'string' && v.length > 0;
    case 'stringList':
      return Array.isArray(v) && v.every((x) => typeof x === 'string' && x.length > 0);
    case 'exhaustion':
      return v === 'fail' || v === 'degrade';
  }
}

/** `workSeconds` -> `work_seconds`. */
export function camelToSnake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** `work_seconds` -> `workSeconds`. */
export function snakeToCamel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** `model`, [`members`, 2, `id`] -> `model.members[2].id`. */
export function formatFieldPath(prefix: string | undefined, path: ReadonlyArray<string | number>): string {
  let out = prefix ?? '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part;
  return out;
}

function isPlainObject(u: unknown): u is Record<string, unknown> {
  return typeof u === 'object' && u !== null && !Array.isArray(u);
}

/**
 * Checks a model given as data (a scenario file's `model`, snake_case or camelCase keys) and returns it as a
 * `TeamModel`. Unknown keys are errors, so a typo never silently falls back to a default. Throws
 * `SimulatorError` (`SIMULATOR_INVALID_MODEL`) naming the file, line and field and what was expected.
 */
export function parseTeamModel(data: unknown, where: FieldLocator = {}): TeamModel {
  const style = where.keyStyle ?? 'snake';
  const spell = (k: string): string => (style === 'snake' ? camelToSnake(k) : k);
  const fail = (path: Array<string | number>, message: string): never => {
    const field = formatFieldPath(where.prefix, path);
    throw new SimulatorError('SIMULATOR_INVALID_MODEL', message, { location: { file: where.file, line: where.lineOf?.(path), field } });
  };
  // Converts keys to camelCase, checking each against `fields`; returns the converted object.
  const readSection = (obj: unknown, fields: Record<string, Check>, path: Array<string | number>): Record<string, unknown> => {
    if (!isPlainObject(obj)) return fail(path, 'expected a mapping');
    const out: Record<string, unknown> = {};
    for (const [rawKey, value] of Object.entries(obj)) {
      const key = snakeToCamel(rawKey);
      const check = fields[key];
      if (check === undefined) {
        return fail([...path, rawKey], `unknown field; expected one of: ${Object.keys(fields).map(spell).join(', ')}`);
      }
      if (value === null || value === undefined) continue;
      if (!passes(check, value)) fail([...path, rawKey], `expected ${EXPECTED[check]}, got ${JSON.stringify(value)}`);
      out[key] = value;
    }
    return out;
  };

  if (!isPlainObject(data)) return fail([], 'expected a mapping with a `members` list');
  const model: TeamModel = { members: [] };
  for (const [rawKey, value] of Object.entries(data)) {
    const key = snakeToCamel(rawKey);
    if (key === 'name') {
      if (typeof value !== 'string') fail([rawKey], 'expected a string');
      model.name = value as string;
    } else if (key === 'members') {
      if (!Array.isArray(value)) fail([rawKey], 'expected a list of members');
      model.members = (value as unknown[]).map((m, i) => {
        const member = readSection(m, MEMBER_FIELDS, [rawKey, i]);
        if (member.id === undefined) fail([rawKey, i], `expected an \`id\``);
        return member as unknown as MemberModel;
      });
    } else if (key === 'coordination') {
      if (!isPlainObject(value)) fail([rawKey], 'expected a mapping');
      const { formation_factors: ff1, formationFactors: ff2, ...rest } = value as Record<string, unknown>;
      const section = readSection(rest, SECTION_FIELDS.coordination, [rawKey]);
      const factors = ff1 ?? ff2;
      if (factors !== undefined) {
        const factorKey = style === 'snake' ? 'formation_factors' : 'formationFactors';
        if (!isPlainObject(factors)) fail([rawKey, factorKey], 'expected a mapping of formation to factor');
        for (const [f, v] of Object.entries(factors as Record<string, unknown>)) {
          if (!passes('nonNegative', v)) fail([rawKey, factorKey, f], `expected ${EXPECTED.nonNegative}, got ${JSON.stringify(v)}`);
        }
        section.formationFactors = factors;
      }
      model.coordination = section;
    } else if (isSectionKey(key)) {
      (model as unknown as Record<string, unknown>)[key] = readSection(value, SECTION_FIELDS[key], [rawKey]);
    } else {
      fail([rawKey], `unknown field; expected one of: ${['name', 'members', ...Object.keys(SECTION_FIELDS)].map(spell).join(', ')}`);
    }
  }
  // Cross-field checks: ids unique, dependencies name members of the model, no member depends on itself.
  const ids = new Set<string>();
  model.members.forEach((m, i) => {
    if (ids.has(m.id)) fail([spell('members'), i, 'id'], `duplicate member id "${m.id}"`);
    ids.add(m.id);
  });
  model.members.forEach((m, i) => {
    (m.dependsOn ?? []).forEach((dep, j) => {
      if (dep === m.id) fail([spell('members'), i, spell('dependsOn'), j], `member "${m.id}" cannot depend on itself`);
      if (!ids.has(dep)) {
        fail([spell('members'), i, spell('dependsOn'), j], `unknown member "${dep}"; expected one of: ${[...ids].join(', ')}`);
      }
    });
  });
  return model;
}

/** Checks a model built in code (camelCase); throws `SimulatorError` when a field is out of range. */
export function validateTeamModel(model: TeamModel): TeamModel {
  return parseTeamModel(model, { keyStyle: 'camel', prefix: 'model' });
}
