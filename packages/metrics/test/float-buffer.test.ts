import { FloatBuffer } from '../src/internal/float-buffer';

describe('FloatBuffer', () => {
  it('holds every value pushed, one at a time and in lists, in order', () => {
    const b = new FloatBuffer(1);
    const expected: number[] = [];
    for (let k = 0; k < 100; k++) {
      b.push(k);
      expected.push(k);
      if (k % 7 === 0) {
        const list = Float64Array.from({ length: k % 5 }, (_, j) => 1000 * k + j);
        b.pushAll(list);
        expected.push(...list);
      }
    }
    expect([...b.copy()]).toEqual(expected);
    expect(b.length).toBe(expected.length);
    expect([...b.sortedCopy()]).toEqual([...expected].sort((x, y) => x - y));
  });

  it('takes the first list over when empty, and grows past it without writing into it', () => {
    const first = Float64Array.from([3, 1, 2]);
    const b = new FloatBuffer();
    b.pushAll(new Float64Array(0));
    b.pushAll(first);
    b.push(0);
    b.pushAll(Float64Array.from([5, 4]));
    expect([...b.copy()]).toEqual([3, 1, 2, 0, 5, 4]);
    expect([...first]).toEqual([3, 1, 2]);
    expect([...b.sortedCopy()]).toEqual([0, 1, 2, 3, 4, 5]);
    // An empty list taken first leaves the buffer able to grow.
    const c = new FloatBuffer();
    c.pushAll(new Float64Array(0));
    for (let k = 0; k < 40; k++) c.push(k);
    expect(c.length).toBe(40);
    expect(c.copy()[39]).toBe(39);
  });
});

describe('FloatBuffer: sorted lists merged, not sorted again', () => {
  // Values with repeats, zeros of both signs and negatives: the merge must give exactly what a sort gives.
  const list = (rand: () => number, n: number) =>
    Float64Array.from({ length: n }, () => {
      const r = rand();
      return r < 0.1 ? 0 : r < 0.2 ? -0 : r < 0.3 ? Math.floor(r * 40) : (r - 0.5) * 1000;
    }).sort();
  let seed = 11;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const same = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((x, k) => Object.is(x, b[k]));

  it.each([1, 2, 3, 5, 8])('%i sorted lists (and an empty one) give what sorting them together gives, -0 before 0', (lists) => {
    const b = new FloatBuffer();
    const all: number[] = [];
    for (let k = 0; k < lists; k++) {
      const l = list(rand, 1 + Math.floor(rand() * 300));
      all.push(...l);
      b.pushAll(l, true);
      if (k === 1) b.pushAll(new Float64Array(0), true);
    }
    const expected = Float64Array.from(all).sort();
    expect(same(b.sortedCopy(), expected)).toBe(true);
    // Again (now one sorted list), and after more values of either kind.
    expect(same(b.sortedCopy(), expected)).toBe(true);
    b.pushAll(list(rand, 50), true);
    b.push(-0);
    b.push(0.5);
    const more = Float64Array.from(b.copy()).sort();
    expect(same(b.sortedCopy(), more)).toBe(true);
  });

  it('sorts whatever was pushed unsorted, after or between sorted lists', () => {
    const b = new FloatBuffer();
    b.pushAll(list(rand, 100), true);
    const unsorted = Float64Array.from([5, -1, 0, -0, 3]);
    b.pushAll(unsorted);
    b.pushAll(list(rand, 100), true);
    expect(same(b.sortedCopy(), Float64Array.from(b.copy()).sort())).toBe(true);
    expect(b.length).toBe(205);
  });
});
