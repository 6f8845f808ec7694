/**
 * A small seeded PRNG for the simulator. `Math.random()` is never used: every draw follows from a seed, so a
 * run can be replayed exactly and two configs can be compared on the same random numbers.
 */

/** A stream of seeded random numbers. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** Log-normal with the given median and shape (standard deviation of the logarithm). */
  logNormal(median: number, sigma: number): number;
}

/** 32-bit FNV-1a hash of a string, used to give every member its own stream. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mixes a seed with further parts (numbers or strings) into a new 32-bit seed (murmur3 finaliser). */
export function deriveSeed(seed: number, ...parts: Array<number | string>): number {
  let h = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
  for (const part of parts) {
    const v = typeof part === 'number' ? Math.trunc(part) >>> 0 : hashString(part);
    h = Math.imul(h ^ v, 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** A mulberry32 stream: fast, 32-bit state, good enough for simulation (not for cryptography). */
export function createRng(seed: number): Rng {
  let state = deriveSeed(seed) >>> 0;
  let spare: number | undefined;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    // 1 - next() is in (0, 1], so the logarithm is finite.
    const u = 1 - next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  return {
    next,
    normal,
    logNormal: (median, sigma) => median * Math.exp(sigma * normal()),
  };
}
