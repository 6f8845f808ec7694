import { canonicalJson } from '@autotune/metrics';
import type { MemberConfig, TeamConfig } from '@autotune/strategies';
import { isAlias, isCollection, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node as YamlNode, ToStringOptions } from 'yaml';
import { CoreError } from '../errors';
import { applyOpsToValue, diffValues } from './edit-ops';
import type { EditOp } from './edit-ops';
import { ConfigIssue, formatFieldPath, parseTeamObject, teamToUser } from '@autotune/strategies';
import type { FieldPath } from '@autotune/strategies';
import { mergeThreeWay } from './line-merge';
import { reviewTrailingComments } from './stale-comments';
import type { CommentNote } from './stale-comments';
import { parseWorkflowText, teamAt, valueAt } from './workflow-file';
import type { WorkflowFile } from './workflow-file';

const BOM = '\uFEFF';

interface TextStyle {
  bom: boolean;
  eol: '\n' | '\r\n';
  /** The file's lines without line ends (and without the BOM). */
  lines: string[];
}

function textStyle(text: string): TextStyle {
  const bom = text.startsWith(BOM);
  const body = bom ? text.slice(1) : text;
  const eol = body.includes('\r\n') ? '\r\n' : '\n';
  return { bom, eol, lines: body.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)) };
}

function joinLines(lines: readonly string[], style: TextStyle): string {
  return (style.bom ? BOM : '') + lines.join(style.eol);
}

function contentLines(lines: readonly string[]): string[] {
  return lines.filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
}

/** yaml's output options that reproduce this file's own habits, so fewer lines differ from it. */
function yamlStyle(lines: readonly string[]): ToStringOptions {
  const content = contentLines(lines);
  const indents = content.map((l) => l.length - l.trimStart().length).filter((n) => n > 0);
  const indent = indents.length > 0 ? Math.max(1, Math.min(...indents)) : 2;
  let indentSeq = true;
  for (let i = 0; i + 1 < content.length; i++) {
    const line = content[i]!; // i + 1 < content.length
    if (!/^\s*[^\s#-][^#]*:\s*(#.*)?$/.test(line)) continue;
    const own = line.length - line.trimStart().length;
    const nextLine = content[i + 1]!;
    if (nextLine.trimStart().startsWith('- ') || nextLine.trim() === '-') {
      indentSeq = nextLine.length - nextLine.trimStart().length > own;
      break;
    }
  }
  const padded = lines.some((l) => /(?:: |- |^\s*)[[{] \S/.test(l));
  return { indent, indentSeq, lineWidth: 0, minContentWidth: 0, flowCollectionPadding: padded };
}

interface JsonStyle {
  /** Undefined: the file is one line. */
  indent: string | undefined;
  /** Containers the file writes on one line, by identity, so edited data keeps that layout. */
  inline: WeakSet<object>;
  itemSep: string;
  keySep: string;
}

/** How the JSON file lays itself out: its indent unit, which lists and maps sit on one line, its separators. */
function jsonStyle(text: string, lines: readonly string[], value: unknown): JsonStyle {
  const indented = lines.find((l) => /^[ \t]+\S/.test(l));
  let indent: string | undefined;
  if (indented !== undefined) indent = indented.startsWith('\t') ? '\t' : ' '.repeat(indented.length - indented.trimStart().length);
  else if (lines.filter((l) => l.trim() !== '').length > 1) indent = '';
  const inline = new WeakSet<object>();
  const samples: string[] = [];
  const mark = (node: unknown, v: unknown): void => {
    if (!isCollection(node) || typeof v !== 'object' || v === null) return;
    const range = (node as YamlNode).range;
    if (range && !text.slice(range[0], range[1]).includes('\n')) {
      inline.add(v);
      samples.push(text.slice(range[0], range[1]));
    }
    if (isMap(node)) for (const p of node.items) mark(p.value, (v as Record<string, unknown>)[String(isScalar(p.key) ? p.key.value : p.key)]);
    else node.items.forEach((item, i) => mark(item, (v as unknown[])[i]));
  };
  const positions = parseDocument(text, { uniqueKeys: false });
  if (positions.errors.length === 0) mark(positions.contents, value);
  // Separators inside one-line containers follow the first one the file writes; spaced when there is none.
  const sep = (re: RegExp, spaced: RegExp) => {
    const found = (indent === undefined ? [text] : samples).find((t) => re.test(t));
    return found === undefined ? true : spaced.test(found);
  };
  return {
    indent,
    inline,
    itemSep: sep(/,/, /,\s/) ? ', ' : ',',
    keySep: sep(/":/, /":\s/) ? ': ' : ':',
  };
}

function renderJson(value: unknown, style: JsonStyle, finalNewline: boolean): string {
  const write = (v: unknown, depth: number, inline: boolean): string => {
    if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
    const oneLine = inline || style.indent === undefined || style.inline.has(v);
    const entries: Array<[string | undefined, unknown]> = Array.isArray(v)
      ? v.map((x) => [undefined, x])
      : Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
    if (entries.length === 0) return open + close;
    const parts = entries.map(([k, x]) => (k === undefined ? '' : JSON.stringify(k) + (oneLine ? style.keySep : ': ')) + write(x, depth + 1, oneLine));
    if (oneLine) return open + parts.join(style.indent === undefined ? ',' : style.itemSep) + close;
    const pad = (style.indent ?? '').repeat(depth + 1);
    const end = (style.indent ?? '').repeat(depth);
    return `${open}\n${parts.map((p) => pad + p).join(',\n')}\n${end}${close}`;
  };
  return write(value, 0, false) + (finalNewline ? '\n' : '');
}

/** A yaml node for `value` that takes over the comments and flow style of the node it replaces. */
function makeNode(doc: Document, value: unknown, like: unknown): YamlNode {
  const node = doc.createNode(value) as YamlNode;
  if (like && typeof like === 'object' && 'range' in (like)) {
    const old = like as YamlNode;
    // The node is new, so a field the old one lacks stays absent.
    if (old.commentBefore !== undefined) node.commentBefore = old.commentBefore;
    if (old.comment !== undefined) node.comment = old.comment;
    if (old.spaceBefore !== undefined) node.spaceBefore = old.spaceBefore;
    if (isCollection(node) && isCollection(old) && old.flow) node.flow = true;
  }
  return node;
}

function applyOpsToYaml(doc: Document, base: FieldPath, ops: readonly EditOp[]): void {
  for (const op of ops) {
    const full = [...base, ...op.path];
    const key = full[full.length - 1];
    const parent = full.length > 1 ? doc.getIn(full.slice(0, -1), true) : doc.contents;
    if (op.op === 'delete') {
      doc.deleteIn(full);
      continue;
    }
    if (isSeq(parent) && typeof key === 'number') {
      if (op.op === 'insert') {
        const sibling = parent.items[Math.min(key, parent.items.length - 1)];
        const node = makeNode(doc, op.value, undefined);
        if (isCollection(node) && isCollection(sibling) && sibling.flow) node.flow = true;
        parent.items.splice(key, 0, node);
      } else {
        parent.items[key] = replaceNode(doc, parent.items[key], op.value);
      }
    } else if (isMap(parent)) {
      const existing = parent.get(key, true);
      if (existing !== undefined) {
        parent.set(key, replaceNode(doc, existing, op.value));
        continue;
      }
      const after = op.op === 'set' ? op.after : undefined;
      const at = parent.items.findIndex((p) => (isScalar(p.key) ? p.key.value : p.key) === after);
      if (at >= 0) parent.items.splice(at + 1, 0, doc.createPair(key, op.value));
      else parent.set(key, doc.createNode(op.value));
    } else {
      doc.setIn(full, op.value);
    }
  }
}

/**
 * An edit below a YAML alias (`members: *crew`) must not change the anchor's other users: the team's key
 * that holds the alias gets its own copy of the new value instead.
 */
function unalias(doc: Document, base: FieldPath, ops: readonly EditOp[], after: Record<string, unknown>): EditOp[] {
  const out: EditOp[] = [];
  const replaced = new Set<string>();
  for (const op of ops) {
    const throughAlias = op.path.slice(0, -1).some((_, k) => isAlias(doc.getIn([...base, ...op.path.slice(0, k + 1)], true)));
    if (!throughAlias) {
      out.push(op);
      continue;
    }
    const key = String(op.path[0]);
    if (replaced.has(key)) continue;
    replaced.add(key);
    out.push({ op: 'set', path: [key], value: after[key] });
  }
  return out;
}

function replaceNode(doc: Document, existing: unknown, value: unknown): unknown {
  // A scalar changing to a scalar of the same kind keeps its node: its comment, quoting and position.
  if (isScalar(existing) && typeof existing.value === typeof value && (value === null || typeof value !== 'object')) {
    existing.value = value;
    return existing;
  }
  return makeNode(doc, value, existing);
}

/** Parses rendered text and returns its data, or undefined when it does not parse. */
function reparse(text: string, format: 'yaml' | 'json', file: string): unknown {
  try {
    return parseWorkflowText(text, format, file).value;
  } catch {
    return undefined;
  }
}

function keepMemberExtras(next: readonly MemberConfig[], before: readonly MemberConfig[] | undefined): MemberConfig[] {
  const old = new Map((before ?? []).map((m) => [m.id, m]));
  return next.map((m) => {
    const prev = old.get(m.id);
    const out: MemberConfig = m.extra === undefined && prev?.extra !== undefined ? { ...m, extra: prev.extra } : m;
    return out.members ? { ...out, members: keepMemberExtras(out.members, prev?.members) } : out;
  });
}

/**
 * A config built without `extra` (a strategy that wrote a fresh object) has not decided to drop the file's
 * other keys: they stay. To remove them, a config says so with `extra: {}`.
 */
function keepUnknownKeys(next: TeamConfig, before: TeamConfig): TeamConfig {
  const out: TeamConfig = next.extra === undefined && before.extra !== undefined ? { ...next, extra: before.extra } : { ...next };
  if (out.members) out.members = keepMemberExtras(out.members, before.members);
  return out;
}

/**
 * {@link renderWorkflowUpdate}, plus what became of trailing comments on the changed values: a comment that repeats
 * the old value (`timeout_seconds: 1200  # 20 minutes`) gets the new one in the same unit style where that is
 * unambiguous (`# 5 minutes`); any other trailing comment on a changed value is kept as it is and reported, since
 * it may now be stale.
 */
export function renderWorkflowChange(file: WorkflowFile, next: TeamConfig): RenderedChange {
  const parsed = parseWorkflowText(file.text, file.format, file.path);
  const raw = valueAt(parsed.value, file.nodePath);
  const before = teamAt(parsed, file.path, file);
  const beforeUser = teamToUser(before, file.kind, raw);
  const afterUser = teamToUser(keepUnknownKeys(next, before), file.kind, raw);
  try {
    parseTeamObject(afterUser, file.kind, file.nodePath);
  } catch (e) {
    if (e instanceof ConfigIssue) {
      throw new CoreError('CORE_CONFIG_INVALID', `the new config is invalid: ${e.message}`, { location: { file: file.path, field: formatFieldPath(e.path) }, cause: e });
    }
    throw e;
  }
  const ops = diffValues(beforeUser, afterUser);
  if (ops.length === 0) return { text: file.text, comments: [] };

  const style = textStyle(file.text);
  const finalNewline = style.lines[style.lines.length - 1] === '';
  let baseText: string;
  let editedText: string;
  let expected: unknown;
  if (file.format === 'yaml') {
    const doc = parsed.yaml as Document;
    const options = yamlStyle(style.lines);
    baseText = doc.toString(options);
    const edited = doc.clone();
    applyOpsToYaml(edited, file.nodePath, unalias(doc, file.nodePath, ops, afterUser));
    editedText = edited.toString(options);
    if (!finalNewline) {
      baseText = baseText.replace(/\n$/, '');
      editedText = editedText.replace(/\n$/, '');
    }
    expected = edited.toJS({ maxAliasCount: 1000 });
  } else {
    const body = style.bom ? file.text.slice(1) : file.text;
    const json = jsonStyle(body, style.lines, parsed.value);
    baseText = renderJson(parsed.value, json, finalNewline);
    // Edited in place: containers keep their identity, and with it their one-line layout.
    applyOpsToValue(parsed.value, file.nodePath, ops);
    editedText = renderJson(parsed.value, json, finalNewline);
    expected = parsed.value;
  }

  const merged = mergeThreeWay(baseText.split('\n'), style.lines, editedText.split('\n'));
  const mergedText = merged && joinLines(merged, style);
  let text: string;
  if (mergedText !== undefined && canonicalJson(reparse(mergedText, file.format, file.path)) === canonicalJson(expected)) {
    text = mergedText;
  } else {
    // The merge could not keep the original lines safely: the plain render is still a correct edit.
    text = joinLines(editedText.split('\n'), style);
  }
  if (file.format !== 'yaml') return { text, comments: [] };
  return reviewComments(file, parsed.yaml as Document, text, ops, beforeUser, expected);
}

/** What {@link renderWorkflowChange} made: the new text, and the trailing comments on changed values. */
export interface RenderedChange {
  text: string;
  /** Trailing comments on changed values: updated where they repeated the old number, else possibly stale. */
  comments: CommentNote[];
}

/**
 * Trailing comments on changed values (YAML only: JSON has none): numbers they repeat are updated, the rest
 * reported. Comment edits never change the data; if a re-parse says otherwise they are all dropped.
 */
function reviewComments(file: WorkflowFile, doc: Document, text: string, ops: readonly EditOp[], beforeUser: unknown, expected: unknown): RenderedChange {
  const bom = text.startsWith(BOM) ? BOM : '';
  const originalBody = file.text.startsWith(BOM) ? file.text.slice(1) : file.text;
  const editedBody = text.slice(bom.length);
  const editedDoc = parseDocument(editedBody, { uniqueKeys: false });
  if (editedDoc.errors.length > 0) return { text, comments: [] };
  const reviewed = reviewTrailingComments({ text: originalBody, doc }, { text: editedBody, doc: editedDoc }, file.nodePath, ops, beforeUser);
  const updatedText = bom + reviewed.text;
  if (updatedText !== text && canonicalJson(reparse(updatedText, 'yaml', file.path)) !== canonicalJson(expected)) {
    return { text, comments: reviewed.notes.map(({ updated: _dropped, ...note }) => note) };
  }
  return { text: updatedText, comments: reviewed.notes };
}

/**
 * The workflow file's text with the team's config changed to `next`. Only changed fields are touched:
 * YAML is edited through yaml's Document API (comments and key order kept), JSON as data; then the
 * untouched lines are taken verbatim from the original text, so formatting, spacing and comments elsewhere
 * stay exactly as they were. Member list edits match members by id, so other members keep their comments.
 * Keys autotune does not know are kept when `next` (or one of its members) has no `extra` at all.
 *
 * @returns the new text; the original text when nothing changes. {@link renderWorkflowChange} also reports
 *   trailing comments on changed values.
 * @throws CoreError `CORE_CONFIG_INVALID` when `next` is not a valid team config.
 */
export function renderWorkflowUpdate(file: WorkflowFile, next: TeamConfig): string {
  return renderWorkflowChange(file, next).text;
}
