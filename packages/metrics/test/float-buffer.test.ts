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
