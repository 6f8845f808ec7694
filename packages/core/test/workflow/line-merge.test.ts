import { matchLines, mergeThreeWay } from '../../src/workflow/line-merge';

const lines = (s: string) => s.split('\n');

describe('matchLines', () => {
  it.each([
    ['a b c', 'a b c', [[0, 0], [1, 1], [2, 2]]],
    ['a b c', 'a c', [[0, 0], [2, 1]]],
    ['a c', 'x a b c y', [[0, 1], [1, 3]]],
    ['a b', 'c d', []],
    ['', 'a', []],
  ])('pairs equal lines of %j and %j', (a, b, pairs) => {
    const split = (s: string) => (s === '' ? [] : s.split(' '));
    expect(matchLines(split(a), split(b))).toEqual(pairs);
  });
});

describe('mergeThreeWay (base = re-rendered, ours = original, theirs = edited)', () => {
  it.each([
    ['only formatting changed: the original wins', 'a: 1\nb: 2', 'a:   1\nb: 2', 'a: 1\nb: 2', 'a:   1\nb: 2'],
    ['only content changed: the edit wins', 'a: 1\nb: 2', 'a: 1\nb: 2', 'a: 1\nb: 3', 'a: 1\nb: 3'],
    ['both, on different lines', 'a: 1\nx: 0\nb: 2', 'a:   1 # c\nx: 0\nb: 2', 'a: 1\nx: 0\nb: 3', 'a:   1 # c\nx: 0\nb: 3'],
    ['both, on one line: the original’s spacing around the new value', 'a: 1 # c', 'a:    1   # c', 'a: 7 # c', 'a:    7   # c'],
    ['both, next to each other', 'a: 1 # c\nb: 2', 'a:  1  # c\nb: 2', 'a: 1 # c\nb: 3', 'a:  1  # c\nb: 3'],
    ['a line the original split in two', 'k: # note\nv: 1', 'k:\n  # note\nv: 1', 'k: # note\nv: 2', 'k:\n  # note\nv: 2'],
    ['an inserted line', 'a: 1\nb: 2', 'a:  1\nb: 2', 'a: 1\nn: 0\nb: 2', 'a:  1\nn: 0\nb: 2'],
    ['a deleted line', 'a: 1\nb: 2\nc: 3', 'a: 1\nb:   2\nc: 3', 'a: 1\nc: 3', 'a: 1\nc: 3'],
  ])('%s', (_label, base, ours, theirs, expected) => {
    expect(mergeThreeWay(lines(base), lines(ours), lines(theirs))?.join('\n')).toBe(expected);
  });
});
