/** The dtype table's guard: only the exact names the format defines are dtypes. */
import { describe, expect, it } from 'vitest';
import { DTYPE_BITS, isDtype } from '../../src/io/dtypes.js';

describe('isDtype', () => {
  it('accepts every name of the table and nothing that merely converts to one', () => {
    for (const name of Object.keys(DTYPE_BITS)) expect(isDtype(name), name).toBe(true);
    // An array or object whose string form is a dtype name, inherited keys, near misses.
    for (const value of [['F32'], { toString: () => 'F32' }, 'toString', '__proto__', 'f32', 'F32 ', '', null, 32]) {
      expect(isDtype(value), String(value)).toBe(false);
    }
  });
});
