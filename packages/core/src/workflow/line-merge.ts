/**
 * Line-level three-way merge. A re-serialised document (yaml's Document API, JSON.stringify) keeps comments
 * and key order but normalises spacing everywhere; merging "original -> re-rendered" (formatting only)
 * with "re-rendered -> edited" (our change) keeps every untouched line byte for byte.
 */

/** Above this many differing lines a diff is not worth computing; callers fall back to the plain render. */
const MAX_EDIT_DISTANCE = 1000;

/**
 * Pairs of indexes of equal lines in `a` and `b` (a longest common subsequence, by Myers' algorithm), or
 * undefined when the inputs differ too much.
 */
export function matchLines(a: readonly string[], b: readonly string[]): Array<[number, number]> | undefined {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, MAX_EDIT_DISTANCE);
  const offset = max + 1;
  // v[offset + k] for k in [-d - 1, d + 1] with d <= max: every read below stays inside these 2 * max + 3 slots.
  let v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found < 0; d++) {
    trace.push(v.slice());
    const next = v.slice();
    for (let k = -d; k <= d; k += 2) {
      let x: number;
      if (k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!)) x = v[offset + k + 1]!;
      else x = v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      next[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
    v = next;
  }
  if (found < 0) return undefined;
  // Walk the trace backwards to recover the snakes (runs of equal lines).
  const pairs: Array<[number, number]> = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const vPrev = trace[d]!; // one row was traced per d up to found
    const k = x - y;
    const prevK = k === -d || (k !== d && vPrev[offset + k - 1]! < vPrev[offset + k + 1]!) ? k + 1 : k - 1;
    const prevX = vPrev[offset + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      pairs.push([x, y]);
    }
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) {
    x--;
    y--;
    pairs.push([x, y]);
  }
  return pairs.reverse();
}

function sameLines(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((line, i) => line === b[i]);
}

/**
 * Merges one line changed on both sides when `ours` only changed its spacing and `theirs` swapped words:
 * `a:   x  # c` (ours), `a: y # c` (theirs) from `a: x # c` gives `a:   y  # c`.
 */
function mergeLine(base: string, ours: string, theirs: string): string | undefined {
  const tb = base.split(/(\s+)/);
  const to = ours.split(/(\s+)/);
  const tt = theirs.split(/(\s+)/);
  if (tb.length !== to.length || tb.length !== tt.length) return undefined;
  // The three token lists have one length (checked above), so every k indexes all of them.
  for (let k = 0; k < tb.length; k++) {
    const blank = tb[k]!.trim() === '';
    if (blank !== (to[k]!.trim() === '') || blank !== (tt[k]!.trim() === '')) return undefined;
    if (!blank && tb[k] !== to[k]) return undefined;
  }
  return tt.map((tok, k) => (tok !== tb[k] ? tok : to[k]!)).join('');
}

/**
 * A stretch both sides changed. When ours reformatted it line for line, the lines theirs left alone are
 * still taken from ours, and a changed line keeps ours' spacing where it can; otherwise theirs wins.
 */
function refineConflict(base: readonly string[], ours: readonly string[], theirs: readonly string[]): string[] {
  if (ours.length !== base.length) return [...theirs];
  const matches = matchLines(base, theirs);
  if (!matches) return [...theirs];
  const out: string[] = [];
  let b0 = 0;
  let t0 = 0;
  // Matches pair indexes inside base and theirs, ours is as long as base, and b1/t1 never pass the ends.
  const gap = (b1: number, t1: number) => {
    for (let q = 0; q < t1 - t0; q++) {
      const b = b0 + q;
      const line = theirs[t0 + q]!;
      out.push(b < b1 ? (mergeLine(base[b]!, ours[b]!, line) ?? line) : line);
    }
  };
  for (const [b, t] of matches) {
    gap(b, t);
    out.push(ours[b]!);
    b0 = b + 1;
    t0 = t + 1;
  }
  gap(base.length, theirs.length);
  return out;
}

/** A stretch of `base` (`start` to `end`, possibly empty) that one side replaced with `lines`. */
interface Hunk {
  start: number;
  end: number;
  lines: string[];
}

function hunksOf(base: readonly string[], other: readonly string[], matches: ReadonlyArray<[number, number]>): Hunk[] {
  const out: Hunk[] = [];
  let b = 0;
  let o = 0;
  for (const [mb, mo] of [...matches, [base.length, other.length] as [number, number]]) {
    if (mb > b || mo > o) out.push({ start: b, end: mb, lines: other.slice(o, mo) });
    b = mb + 1;
    o = mo + 1;
  }
  return out;
}

/** Whether two changes touch the same lines of base (changes that only meet at an edge do not). */
function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  if (Math.max(a.start, b.start) < Math.min(a.end, b.end)) return true;
  if (a.start === a.end && b.start === b.end) return a.start === b.start;
  if (a.start === a.end) return b.start < a.start && a.start < b.end;
  if (b.start === b.end) return a.start < b.start && b.start < a.end;
  return false;
}

/** One side's text for base lines `start` to `end`, given its hunks inside that stretch. */
function sideText(base: readonly string[], hunks: readonly Hunk[], start: number, end: number): string[] {
  const out: string[] = [];
  let at = start;
  for (const h of hunks) {
    out.push(...base.slice(at, h.start), ...h.lines);
    at = h.end;
  }
  out.push(...base.slice(at, end));
  return out;
}

/**
 * Merges two edits of `base`: `ours` changes formatting, `theirs` changes content. Changes to different
 * lines are both kept; where both sides changed the same lines, `theirs` wins (see {@link refineConflict}).
 * Returns undefined when the inputs are too far apart to merge.
 */
export function mergeThreeWay(base: readonly string[], ours: readonly string[], theirs: readonly string[]): string[] | undefined {
  const mo = matchLines(base, ours);
  const mt = matchLines(base, theirs);
  if (!mo || !mt) return undefined;
  const all = [
    ...hunksOf(base, ours, mo).map((h) => ({ ...h, side: 'ours' as const })),
    ...hunksOf(base, theirs, mt).map((h) => ({ ...h, side: 'theirs' as const })),
  ].sort((x, y) => x.start - y.start || (x.end - x.start) - (y.end - y.start));
  const out: string[] = [];
  let at = 0;
  // i < all.length wherever all[i] is read below.
  for (let i = 0; i < all.length; ) {
    const first = all[i]!;
    const group = [first];
    const range = { start: first.start, end: first.end };
    for (i++; i < all.length; i++) {
      const next = all[i]!;
      if (!group.some((g) => overlaps(g, next))) break;
      group.push(next);
      range.end = Math.max(range.end, next.end);
    }
    out.push(...base.slice(at, range.start));
    const mine = group.filter((g) => g.side === 'ours');
    const edit = group.filter((g) => g.side === 'theirs');
    if (edit.length === 0) out.push(...sideText(base, mine, range.start, range.end));
    else if (mine.length === 0) out.push(...sideText(base, edit, range.start, range.end));
    else {
      const chunk = base.slice(range.start, range.end);
      const o = sideText(base, mine, range.start, range.end);
      const t = sideText(base, edit, range.start, range.end);
      out.push(...(sameLines(o, t) ? t : refineConflict(chunk, o, t)));
    }
    at = range.end;
  }
  out.push(...base.slice(at));
  return out;
}
