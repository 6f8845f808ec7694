import { isScalar } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import { formatFieldPath } from '@autotune/strategies';
import type { FieldPath } from '@autotune/strategies';
import type { EditOp } from './edit-ops';
import { isPlainObject } from './team-config';

/**
 * A trailing comment on a value autotune changed (`timeout_seconds: 1200  # 20 minutes for research`). When the
 * comment repeats the old value in a unit it recognises, autotune rewrote the number (`updated`); otherwise the
 * comment is kept as it was, and may now be stale: output says so, with the line.
 */
export interface CommentNote {
  /** 1-based line of the comment in the new text. */
  line: number;
  /** The changed key inside the team, as the file spells it: `timeout_seconds`, `members[analyst].enabled`. */
  key: string;
  before: unknown;
  after: unknown;
  /** The comment as it was, from `#` to the end of the line. */
  comment: string;
  /** The comment as written now, when autotune updated the number it repeats. */
  updated?: string;
}

/** A number in a comment, with the unit written after it (if any). */
interface NumberToken {
  start: number;
  end: number;
  value: number;
  decimals: number;
  unit?: string;
}

/** Seconds per unit, for the spellings a comment may use. */
const UNIT_SECONDS: ReadonlyArray<[RegExp, number]> = [
  [/^(ms|msecs?|millis|milliseconds?)$/i, 0.001],
  [/^(s|secs?|seconds?)$/i, 1],
  [/^(m|mins?|minutes?)$/i, 60],
  [/^(h|hrs?|hours?)$/i, 3600],
  [/^(d|days?)$/i, 86400],
];

/** Seconds in one of `unit`, or undefined when it is not a time unit. */
function unitSeconds(unit: string | undefined): number | undefined {
  if (unit === undefined) return undefined;
  return UNIT_SECONDS.find(([re]) => re.test(unit))?.[1];
}

/** The unit a key's value is in: seconds for `timeout_seconds`, none for counts and budgets. */
function keyUnitSeconds(key: string | number | undefined): number | undefined {
  if (typeof key !== 'string') return undefined;
  if (/(^|_)(ms|millis|milliseconds)$/i.test(key)) return 0.001;
  if (/(^|_)(s|secs?|seconds)$/i.test(key)) return 1;
  if (/(^|_)(mins?|minutes)$/i.test(key)) return 60;
  if (/(^|_)(hours?)$/i.test(key)) return 3600;
  return undefined;
}

/** Numbers in a comment, each with the word that follows it when that word is a time unit. */
function numbersIn(comment: string): NumberToken[] {
  const out: NumberToken[] = [];
  const re = /(?<![\w.])(\d+(?:\.\d+)?)(?:(\s?)([A-Za-z]+))?/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(comment)) !== null) {
    const digits = m[1] ?? '';
    const word = m[3];
    const unit = word !== undefined && unitSeconds(word) !== undefined ? word : undefined;
    const end = m.index + digits.length + (unit !== undefined ? (m[2] ?? '').length + unit.length : 0);
    out.push({ start: m.index, end, value: Number(digits), decimals: digits.includes('.') ? (digits.split('.')[1] ?? '').length : 0, ...(unit !== undefined ? { unit } : {}) });
  }
  return out;
}

/** `value` written with at most `maxDecimals` decimals, or undefined when it needs more (not unambiguous). */
function cleanNumber(value: number, maxDecimals: number): string | undefined {
  for (let d = 0; d <= maxDecimals; d++) {
    const f = 10 ** d;
    if (Math.abs(Math.round(value * f) - value * f) < 1e-9) return (Math.round(value * f) / f).toFixed(d);
  }
  return undefined;
}

/** `minutes` for 5, `minute` for 1: the unit word agrees with the new number when it is a whole word. */
function agree(unit: string, value: number): string {
  if (unit.length <= 3) return unit; // s, min, h, hrs: abbreviations stay as written
  const plural = unit.endsWith('s');
  if (value === 1 && plural) return unit.slice(0, -1);
  if (value !== 1 && !plural) return `${unit}s`;
  return unit;
}

/**
 * The comment with the old value replaced by the new one, in the same unit style, or undefined when that is not
 * unambiguous: exactly one number in the comment must equal the old value (a bare number, or one with a time unit
 * for a key in time units), and the new value must be clean in that unit.
 */
export function updateComment(comment: string, key: string | number | undefined, before: unknown, after: unknown): string | undefined {
  if (typeof before !== 'number' || typeof after !== 'number') return undefined;
  const keyUnit = keyUnitSeconds(key);
  const matches = numbersIn(comment).filter((t) => {
    if (t.unit === undefined) return Math.abs(t.value - before) < 1e-9;
    const seconds = unitSeconds(t.unit);
    return keyUnit !== undefined && seconds !== undefined && Math.abs((t.value * seconds) / keyUnit - before) < 1e-9;
  });
  const [t, ...others] = matches;
  if (t === undefined || others.length > 0) return undefined; // exactly one number must match
  const factor = t.unit === undefined || keyUnit === undefined ? 1 : (unitSeconds(t.unit) ?? 1) / keyUnit;
  const value = after / factor;
  const written = cleanNumber(value, Math.max(1, t.decimals));
  if (written === undefined) return undefined;
  const old = comment.slice(t.start, t.end);
  const space = /^\d+(?:\.\d+)?(\s?)/.exec(old)?.[1] ?? '';
  const replacement = t.unit === undefined ? written : `${written}${space}${agree(t.unit, Number(written))}`;
  return comment.slice(0, t.start) + replacement + comment.slice(t.end);
}

/** The trailing comment after a scalar node on its own line (`#` and the rest), with where it starts. */
function trailingComment(text: string, node: YamlNode): { at: number; comment: string } | undefined {
  const range = node.range;
  if (!range) return undefined;
  const lineEnd = text.indexOf('\n', range[1]);
  const rest = text.slice(range[1], lineEnd < 0 ? text.length : lineEnd).replace(/\r$/, '');
  const m = /^([ \t]+)(#.*)$/.exec(rest);
  if (!m) return undefined;
  return { at: range[1] + (m[1] ?? '').length, comment: m[2] ?? '' };
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** A key path inside the team with members named by id (as output names them), from the user-shaped team. */
function spellPath(path: FieldPath, team: unknown): string {
  let out = '';
  let cur: unknown = team;
  let prev: string | number | undefined;
  for (const part of path) {
    const item: unknown = Array.isArray(cur) && typeof part === 'number' ? (cur as readonly unknown[])[part] : isPlainObject(cur) ? cur[String(part)] : undefined;
    if (typeof part === 'number' && prev === 'members') {
      const id = typeof item === 'string' ? item : isPlainObject(item) && typeof item.id === 'string' ? item.id : undefined;
      out += id !== undefined ? `[${/^[A-Za-z_][\w-]*$/.test(id) ? id : JSON.stringify(id)}]` : `[${part}]`;
    } else out += typeof part === 'number' ? `[${part}]` : formatFieldPath([part]).replace(/^(?=[A-Za-z_])/, out === '' ? '' : '.');
    cur = item;
    prev = part;
  }
  return out;
}

/**
 * Looks at every scalar the edit changed that carries a trailing comment in the original YAML text: updates the
 * number the comment repeats where that is unambiguous, and reports every such comment, updated or not.
 *
 * @param original the file's text (without BOM) and its document; `edited` the new text and a parse of it.
 * @param base the team's path in the document; `ops` the edit, with paths inside the team; `beforeUser` the team as
 *   written before, for naming members by id.
 * @returns the new text (with updated comments) and the notes.
 */
export function reviewTrailingComments(
  original: { text: string; doc: Document },
  edited: { text: string; doc: Document },
  base: FieldPath,
  ops: readonly EditOp[],
  beforeUser: unknown,
): { text: string; notes: CommentNote[] } {
  const notes: CommentNote[] = [];
  const replacements: Array<{ at: number; length: number; text: string }> = [];
  for (const op of ops) {
    if (op.op !== 'set' || (op.value !== null && typeof op.value === 'object')) continue;
    const full = [...base, ...op.path];
    const oldNode = original.doc.getIn(full, true) as YamlNode | undefined;
    if (!isScalar(oldNode)) continue;
    const found = trailingComment(original.text, oldNode);
    if (!found) continue;
    const newNode = edited.doc.getIn(full, true) as YamlNode | undefined;
    if (!isScalar(newNode)) continue;
    const now = trailingComment(edited.text, newNode);
    // The edit kept the line's comment (it always should): only then is there a comment to speak of.
    if (!now || now.comment !== found.comment) continue;
    const updated = updateComment(found.comment, op.path[op.path.length - 1], oldNode.value, op.value);
    notes.push({
      line: lineOf(edited.text, now.at),
      key: spellPath(op.path, beforeUser),
      before: oldNode.value,
      after: op.value,
      comment: found.comment,
      ...(updated !== undefined ? { updated } : {}),
    });
    if (updated !== undefined) replacements.push({ at: now.at, length: now.comment.length, text: updated });
  }
  let text = edited.text;
  for (const r of replacements.sort((a, b) => b.at - a.at)) text = text.slice(0, r.at) + r.text + text.slice(r.at + r.length);
  return { text, notes: notes.sort((a, b) => a.line - b.line) };
}
