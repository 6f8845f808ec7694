import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { TeamConfig } from '@autotune/strategies';
import { isMap, isScalar, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import { CoreError } from '../errors';
import { ConfigIssue, describeValue, formatFieldPath, parseTeamObject } from '@autotune/strategies';
import type { FieldPath } from '@autotune/strategies';
import { checkJson, lineColumn } from './json-check';
import { isPlainObject } from './team-config';

/** A workflow file as loaded: its exact text, which team it holds, and that team's config. */
export interface WorkflowFile {
  /** The path it was loaded from, as given. */
  path: string;
  format: 'yaml' | 'json';
  /** The file's exact contents, so a rollback or backup can restore them byte for byte. */
  text: string;
  /** The team this file was loaded for. */
  teamId: string;
  /** Every team id the file holds (a flat file without `team_id` holds none by name). */
  teamIds: string[];
  /**
   * `flat`: the whole file is one team. `workflow-node`: a `type: team` node of `workflows.<name>.nodes`, or of
   * `<name>.nodes` at the top level (older files: `workflow.nodes`), which the original reads the same way.
   */
  kind: 'flat' | 'workflow-node';
  config: TeamConfig;
  /**
   * Where the team sits in the document: `[]` for a flat file, `['workflows', name, 'nodes', i]` for a node
   * (`['workflow', 'nodes', i]` in an older file), so that a write goes back into the same shape.
   */
  nodePath: (string | number)[];
}

/** A parsed workflow document: its data, and a way to find the line of a field for error messages. */
export interface ParsedDocument {
  value: unknown;
  /** For YAML files: the document, whose Document API edits keep comments and key order. */
  yaml?: Document;
  /** 1-based line of the field at `path` (or of its nearest existing parent), when known. */
  lineOf(path: FieldPath): number | undefined;
}

const BOM = '\uFEFF';
/** Alias uses a YAML workflow may expand; beyond this yaml stops, as a nested-alias bomb would exhaust memory. */
const MAX_YAML_ALIASES = 1000;

/** `.json` is JSON, `.yaml`/`.yml` YAML; anything else is JSON if it starts like JSON, else YAML. */
export function detectFormat(filePath: string, text: string): 'yaml' | 'json' {
  const ext = path.extname(filePath).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  const first = text.replace(BOM, '').trimStart()[0];
  return first === '{' || first === '[' ? 'json' : 'yaml';
}

function yamlLineOf(doc: Document, text: string, fieldPath: FieldPath): number | undefined {
  for (let n = fieldPath.length; n >= 0; n--) {
    const at = fieldPath.slice(0, n);
    let node: unknown;
    if (n > 0 && typeof at[n - 1] === 'string') {
      const parent = n > 1 ? doc.getIn(at.slice(0, -1), true) : doc.contents;
      if (isMap(parent)) {
        const pair = parent.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === at[n - 1]);
        node = pair?.key ?? pair?.value;
      }
    } else {
      node = n === 0 ? doc.contents : doc.getIn(at, true);
    }
    const range = (node as YamlNode | undefined)?.range;
    if (range) return lineColumn(text, range[0]).line;
  }
  return undefined;
}

/**
 * Parses workflow text. Syntax errors become CoreError `CORE_WORKFLOW_PARSE` naming the file and line.
 */
export function parseWorkflowText(text: string, format: 'yaml' | 'json', file: string): ParsedDocument {
  const body = text.startsWith(BOM) ? text.slice(1) : text;
  if (format === 'json') {
    const problem = checkJson(body);
    if (problem) {
      const { line, column } = lineColumn(body, problem.offset);
      throw new CoreError('CORE_WORKFLOW_PARSE', `invalid JSON at column ${column}: ${problem.message}`, { location: { file, line } });
    }
    const value: unknown = JSON.parse(body);
    // JSON is YAML too; yaml's parser gives the node positions that JSON.parse does not.
    let positions: Document | undefined;
    const lineOf = (p: FieldPath) => {
      positions ??= parseDocument(body, { uniqueKeys: false });
      return yamlLineOf(positions, body, p);
    };
    return { value, lineOf };
  }
  const doc = parseDocument(body, { prettyErrors: true, keepSourceTokens: false });
  const err = doc.errors[0];
  if (err !== undefined) {
    const line = err.linePos?.[0]?.line;
    const message = (err.message.split('\n', 1)[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw new CoreError('CORE_WORKFLOW_PARSE', `invalid YAML: ${message}`, { location: { file, line }, cause: err });
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    // yaml refuses a document whose aliases expand exponentially ("billion laughs"): bad input, not a bug.
    const message = err instanceof Error ? err.message : String(err);
    const why = /alias/i.test(message) ? `aliases expand to too much data (more than ${MAX_YAML_ALIASES} alias uses); a workflow file needs none of that` : message;
    throw new CoreError('CORE_WORKFLOW_PARSE', `invalid YAML: ${why}`, { location: { file }, cause: err });
  }
  return { value, yaml: doc, lineOf: (p) => yamlLineOf(doc, body, p) };
}

interface TeamLocation {
  kind: 'flat' | 'workflow-node';
  nodePath: (string | number)[];
  teamId: string;
  teamIds: string[];
}

function invalid(file: string, parsed: ParsedDocument, at: FieldPath, message: string): CoreError {
  return new CoreError('CORE_WORKFLOW_INVALID', message, { location: { file, line: parsed.lineOf(at), field: at.length > 0 ? formatFieldPath(at) : undefined } });
}

const TEAM_FORMATION_KEYS = ['formation', 'team_formation'];

/** True when a value is a workflow as the original reads one: a map with a `nodes` list. */
function hasNodes(u: unknown): boolean {
  return isPlainObject(u) && Array.isArray(u.nodes);
}

/**
 * Where the document keeps its workflows, read as the original reads them (`data.get("workflows", data)`):
 * under `workflows:`, or, in files without that key (older versions wrote `workflow:` singular), at the top
 * level, where every map with a `nodes` list is a workflow named by its key. Undefined for a flat team file.
 */
function workflowsOf(root: Record<string, unknown>): { prefix: FieldPath; workflows: unknown } | undefined {
  if (TEAM_FORMATION_KEYS.some((k) => root[k] !== undefined)) return undefined;
  if (root.workflows !== undefined) return { prefix: ['workflows'], workflows: root.workflows };
  if (Object.values(root).some(hasNodes)) {
    return { prefix: [], workflows: Object.fromEntries(Object.entries(root).filter(([, v]) => hasNodes(v))) };
  }
  return undefined;
}

/**
 * A file with neither a team nor a workflow the original would read: when it has a `workflow` key (the older
 * singular spelling) say what that key must hold, rather than that the formation is missing.
 */
function explainOldFormat(file: string, parsed: ParsedDocument, root: Record<string, unknown>): CoreError | undefined {
  if (root.workflow === undefined || TEAM_FORMATION_KEYS.some((k) => root[k] !== undefined)) return undefined;
  const wf = root.workflow;
  const keys = isPlainObject(wf) ? Object.keys(wf) : [];
  const got = isPlainObject(wf)
    ? wf.nodes === undefined
      ? `a map without "nodes"${keys.length > 0 ? ` (its keys: ${keys.join(', ')})` : ''}`
      : `"nodes" as ${describeValue(wf.nodes)}`
    : describeValue(wf);
  return invalid(
    file,
    parsed,
    isPlainObject(wf) && wf.nodes !== undefined ? ['workflow', 'nodes'] : ['workflow'],
    `expected "workflow" (the older singular spelling of "workflows") to hold a "nodes" list in which the team is a node with ` +
      `"id" and "type: team" (as in workflow.nodes[0].team_formation), got ${got}; autotune reads a team from "workflow.nodes", ` +
      '"workflows.<name>.nodes", or a flat team file with "formation" and "member_count"',
  );
}

/** Finds the team in the document: the file itself, or the one `type: team` node with that id. */
export function locateTeam(parsed: ParsedDocument, file: string, teamId?: string): TeamLocation {
  const root = parsed.value;
  if (!isPlainObject(root)) {
    throw invalid(file, parsed, [], `expected a team config (formation, member_count, ...) or a workflow (workflows.<name>.nodes), got ${describeValue(root)}`);
  }
  const found = workflowsOf(root);
  if (!found) {
    const oldFormat = explainOldFormat(file, parsed, root);
    if (oldFormat) throw oldFormat;
    const own = root.team_id;
    if (own !== undefined && typeof own !== 'string') throw invalid(file, parsed, ['team_id'], `expected team_id to be a string, got ${describeValue(own)}`);
    const teamIds = own === undefined ? [] : [own];
    if (teamId !== undefined && own !== undefined && own !== teamId) {
      throw new CoreError('CORE_UNKNOWN_TEAM', `team "${teamId}" is not in this file; known team ids: ${own}`, { location: { file }, details: { teamId, knownTeamIds: teamIds } });
    }
    // A flat file without team_id is the config of whichever team it is loaded for; alone, it is named after the file.
    const resolved = teamId ?? own ?? path.basename(file, path.extname(file));
    return { kind: 'flat', nodePath: [], teamId: resolved, teamIds };
  }

  const { prefix, workflows } = found;
  if (!isPlainObject(workflows)) throw invalid(file, parsed, ['workflows'], `expected "workflows" to be a map of workflow names, got ${describeValue(workflows)}`);
  const where = prefix.length > 0 ? 'workflows.<name>.nodes' : Object.keys(workflows).map((n) => `${formatFieldPath([n])}.nodes`).join(', ');
  const teams: Array<{ id: string; at: (string | number)[] }> = [];
  for (const [name, wf] of Object.entries(workflows)) {
    if (!isPlainObject(wf)) throw invalid(file, parsed, [...prefix, name], `expected workflow "${name}" to be a map with "nodes", got ${describeValue(wf)}`);
    if (wf.nodes === undefined) continue;
    if (!Array.isArray(wf.nodes)) throw invalid(file, parsed, [...prefix, name, 'nodes'], `expected a list of nodes, got ${describeValue(wf.nodes)}`);
    wf.nodes.forEach((node, i) => {
      const at = [...prefix, name, 'nodes', i];
      if (!isPlainObject(node) || node.type !== 'team') return;
      if (typeof node.id !== 'string' || node.id === '') throw invalid(file, parsed, [...at, 'id'], `expected a team node to have a string "id", got ${describeValue(node.id)}`);
      teams.push({ id: node.id, at });
    });
  }
  const teamIds = [...new Set(teams.map((t) => t.id))];
  const known = teamIds.length > 0 ? teamIds.join(', ') : '(none: no node has "type: team")';
  if (teamId === undefined) {
    const [only, ...others] = teams;
    if (only !== undefined && others.length === 0) return { kind: 'workflow-node', nodePath: only.at, teamId: only.id, teamIds };
    if (teams.length === 0) throw invalid(file, parsed, prefix.length > 0 ? prefix : Object.keys(workflows).slice(0, 1), `expected at least one node with "type: team" in ${where}`);
    throw new CoreError('CORE_UNKNOWN_TEAM', `the file holds several teams; pass a team id: ${known}`, { location: { file }, details: { knownTeamIds: teamIds } });
  }
  const matches = teams.filter((t) => t.id === teamId);
  const [match, second] = matches;
  if (match === undefined) {
    throw new CoreError('CORE_UNKNOWN_TEAM', `team "${teamId}" is not in this file; known team ids: ${known}`, { location: { file }, details: { teamId, knownTeamIds: teamIds } });
  }
  if (second !== undefined) {
    const places = matches.map((t) => `${formatFieldPath(t.at)} (line ${parsed.lineOf(t.at) ?? '?'})`).join(' and ');
    throw invalid(file, parsed, second.at, `team id "${teamId}" is ambiguous: it names ${places}; give the nodes distinct ids`);
  }
  return { kind: 'workflow-node', nodePath: match.at, teamId, teamIds };
}

/** The value at `at` inside `root`. */
export function valueAt(root: unknown, at: FieldPath): unknown {
  let cur = root;
  for (const key of at) cur = (cur as Record<string | number, unknown> | undefined)?.[key];
  return cur;
}

/** Reads the team config at a location, turning field problems into `CORE_WORKFLOW_INVALID` with a line. */
export function teamAt(parsed: ParsedDocument, file: string, loc: { kind: 'flat' | 'workflow-node'; nodePath: FieldPath }): TeamConfig {
  try {
    return parseTeamObject(valueAt(parsed.value, loc.nodePath), loc.kind, loc.nodePath);
  } catch (e) {
    if (e instanceof ConfigIssue) {
      throw new CoreError('CORE_WORKFLOW_INVALID', e.message, { location: { file, line: parsed.lineOf(e.path), field: e.path.length > 0 ? formatFieldPath(e.path) : undefined }, cause: e });
    }
    throw e;
  }
}

/**
 * Builds a {@link WorkflowFile} from text already in memory (the file's exact contents).
 *
 * @param teamId picks the team node of a workflow file; required when the file holds several teams.
 * @throws CoreError `CORE_WORKFLOW_PARSE`, `CORE_WORKFLOW_INVALID` (file, line, field, what was expected),
 *   `CORE_UNKNOWN_TEAM` (lists the known team ids).
 */
export function workflowFromText(filePath: string, text: string, teamId?: string, format?: 'yaml' | 'json'): WorkflowFile {
  const fmt = format ?? detectFormat(filePath, text);
  const parsed = parseWorkflowText(text, fmt, filePath);
  const loc = locateTeam(parsed, filePath, teamId);
  const config = teamAt(parsed, filePath, loc);
  return { path: filePath, format: fmt, text, teamId: loc.teamId, teamIds: loc.teamIds, kind: loc.kind, config, nodePath: loc.nodePath };
}

/**
 * Loads a workflow file (YAML or JSON), either a flat team config or a workflow whose team node is picked
 * by `teamId`.
 *
 * @throws CoreError `CORE_IO` when the file cannot be read (or is not UTF-8), and the errors of {@link workflowFromText}.
 */
export async function loadWorkflowFile(filePath: string, teamId?: string): Promise<WorkflowFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(filePath);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : String((e as Error).message);
    throw new CoreError('CORE_IO', `cannot read the workflow file: ${why}`, { location: { file: filePath }, cause: e });
  }
  const text = bytes.toString('utf8');
  // A file that is not UTF-8 could not be restored byte for byte from its text.
  if (!Buffer.from(text, 'utf8').equals(bytes)) {
    throw new CoreError('CORE_WORKFLOW_PARSE', 'the file is not valid UTF-8 text', { location: { file: filePath } });
  }
  return workflowFromText(filePath, text, teamId);
}
