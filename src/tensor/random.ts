/**
 * Seeded random numbers that are the same on every JavaScript engine.
 *
 * The core is xoshiro128** (Blackman & Vigna): 128 bits of state, 32-bit integer arithmetic
 * only (Math.imul, shifts), so V8, JavaScriptCore and QuickJS produce the same stream.
 *   uniform  u = next() / 2^32                     in [0, 1)
 *   normal   z = sqrt(-2 ln u1) * cos(2 pi u2)     (Box-Muller; the sine half is kept for the next call)
 * The seed is spread over the state with splitmix32 so nearby seeds give unrelated streams.
 * Math.log and Math.cos may differ in the last bit between engines; integers and uniforms do not.
 */
import { RecurrentError, show } from './errors.js';
import { isBranded } from './brand.js';

/** A serialisable snapshot of a {@link Generator}, for checkpoints. */
export interface GeneratorState {
  /** The four 32-bit words of xoshiro128** state. */
  s: [number, number, number, number];
  /** The cached second normal of the last Box-Muller pair, or null. */
  spareNormal: number | null;
}

function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A seeded random number generator; the same seed gives the same numbers everywhere. */
export class Generator {
  /**
   * True only for objects this class's constructor built: a forged object whose prototype is
   * Generator's (`Object.create(Generator.prototype)`) is not one, so no check of the library can be
   * passed by an object without the fields the library then reads.
   * (See isBranded for the one exception.)
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    return isBranded(this, value, (v) => #brand in v);
  }
  readonly #brand = true;
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;

  /** @param seed any safe integer (default 0). */
  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /** Resets the stream to the one this seed starts. */
  manualSeed(seed: number): this {
    if (!Number.isSafeInteger(seed)) throw new RecurrentError('Generator', `seed must be a safe integer, got ${show(seed)}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 2 ** 32) >>> 0;
    this.s0 = splitmix32(lo);
    this.s1 = splitmix32(this.s0 ^ hi);
    this.s2 = splitmix32(this.s1 + 1);
    this.s3 = splitmix32(this.s2 ^ 0x5bd1e995);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s3 = 1;
    this.spare = null;
    return this;
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform number in [0, 1). */
  random(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform number in [low, high). */
  uniform(low = 0, high = 1): number {
    if (typeof low !== 'number' || typeof high !== 'number' || !Number.isFinite(low) || !Number.isFinite(high)) {
      throw new RecurrentError('Generator.uniform', `low and high must be finite numbers, got ${show(low)}, ${show(high)}`);
    }
    return low + (high - low) * this.random();
  }

  /** A standard normal number (mean 0, standard deviation 1). */
  normal(): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return z;
    }
    let u1 = this.random();
    while (u1 === 0) u1 = this.random();
    const u2 = this.random();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** A uniform integer in [low, high), without modulo bias. */
  randint(low: number, high: number): number {
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || high <= low || high - low > 2 ** 32) {
      throw new RecurrentError('Generator.randint', `needs integers low < high with high - low <= 2^32, got [${show(low)}, ${show(high)})`);
    }
    const range = high - low;
    const limit = 4294967296 - (4294967296 % range);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return low + (x % range);
  }

  /** A snapshot of the state, to restore later with {@link Generator.setState}. */
  getState(): GeneratorState {
    // The words are kept as int32 by the xor/shift arithmetic; the snapshot holds them unsigned.
    return { s: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0], spareNormal: this.spare };
  }

  /** Restores a snapshot taken with {@link Generator.getState}. */
  setState(state: GeneratorState): this {
    const checked = checkGeneratorState('Generator.setState', state);
    [this.s0, this.s1, this.s2, this.s3] = checked.s;
    this.spare = checked.spareNormal;
    return this;
  }
}

/**
 * A copy of `state` once it is a valid generator state (what {@link Generator.setState} and a
 * checkpoint restore accept), read once so a getter cannot change it after the check.
 */
export function checkGeneratorState(op: string, state: unknown): GeneratorState {
  const s: unknown = typeof state === 'object' && state !== null ? (state as GeneratorState).s : undefined;
  const words = Array.isArray(s) && s.length === 4 ? [...(s as unknown[])] : [];
  if (words.length !== 4 || !words.every((w) => typeof w === 'number' && Number.isInteger(w) && w >= 0 && w < 2 ** 32) || words.every((w) => w === 0)) {
    throw new RecurrentError(op, 'state.s must be four 32-bit unsigned integers, not all zero', 'format');
  }
  const spare: unknown = (state as GeneratorState).spareNormal;
  if (spare !== null && !(typeof spare === 'number' && Number.isFinite(spare))) {
    throw new RecurrentError(op, 'state.spareNormal must be a finite number or null', 'format');
  }
  return { s: words as GeneratorState['s'], spareNormal: spare as number | null };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The generator used when a function is given none. */
export const defaultGenerator = new Generator(0);

/** Reseeds the default generator, like `torch.manual_seed`. */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}
