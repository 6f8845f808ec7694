import { inTwoLists } from '../src/internal/otlp-range';

describe('inTwoLists (the check that no trace was assembled in two ranges)', () => {
  const ids = (n: number, from = 0) => Array.from({ length: n }, (_, k) => (from + k).toString(16).padStart(32, '0')).sort();

  it.each([
    ['disjoint ranges', [ids(100), ids(100, 100), ids(50, 200)], false],
    ['an id in the first and last of three', [ids(100), ids(100, 100), [...ids(50, 200), ids(1, 7)[0]!].sort()], true],
    ['an id in two neighbours', [ids(100), ids(100, 99)], true],
    ['an id twice within one range only', [[...ids(10), ids(1, 3)[0]!].sort(), ids(10, 10)], false],
    ['empty lists', [[], [], ids(3)], false],
    ['one range', [ids(5)], false],
  ])('%s', (_name, lists, expected) => {
    expect(inTwoLists(lists)).toBe(expected);
  });

  it('checks lists that are not in order (an id with a newline, split in two) through a map', () => {
    // Split, "a\nz" leaves "z" before "b": a walk along the lists would pass "b" by.
    const first = 'a\nz\nb'.split('\n');
    expect(inTwoLists([first, ['b']])).toBe(true);
    expect(inTwoLists([first, ['y']])).toBe(false);
  });
});
