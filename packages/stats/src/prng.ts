// Math's functions are bound once: a global `Math` lookup in a hot loop is ~10x slower inside Jest's VM sandbox.
const { imul, floor, sqrt, log, sin, cos, PI } = Math;

/** A seeded source of uniform numbers in [0, 1); the same seed gives the same sequence on every platform. */
export interface Rng {
  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal deviate (Box-Muller; both halves are used). */
  normal(): number;
  /** A 32-bit seed derived from this stream, for child streams (one per trial). */
  fork(): number;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * xoshiro128** seeded through splitmix32 (its authors' recommended seeding). Small, fast, and statistically
 * far better than a linear congruential generator, which matters when thousands of bootstrap resamples
 * are drawn. Seeds are safe integers; both 32-bit halves of the seed are mixed in.
 */
export function createRng(seed: number): Rng {
  const hi = floor(seed / 0x100000000);
  const mix = splitmix32((seed >>> 0) ^ imul(hi >>> 0, 0x27d4eb2f));
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix();
  if ((a | b | c | d) === 0) a = 1;
  let spare: number | undefined;
  const nextU32 = (): number => {
    const result = imul(rotl(imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    return result;
  };
  const next = (): number => nextU32() / 0x100000000;
  return {
    next,
    int: (n) => floor(next() * n),
    normal: () => {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      let u = next();
      while (u === 0) u = next();
      const v = next();
      const r = sqrt(-2 * log(u));
      spare = r * sin(2 * PI * v);
      return r * cos(2 * PI * v);
    },
    fork: nextU32,
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
