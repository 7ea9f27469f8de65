/**
 * Integer arguments of the losses (class targets, sequence lengths), read from the forms
 * PyTorch users pass: a Tensor holding integer values (float32 storage), an array or typed
 * array (a 1-D list), or a single number (a scalar).
 */
import { RecurrentError, fmt } from '../../tensor/errors.js';
import { Tensor } from '../../tensor/tensor.js';

/** Integers given as a Tensor of integer values, an array (1-D) or a number (a scalar). */
export type IndexInput = Tensor | ArrayLike<number> | number;

/** The values and shape of an {@link IndexInput}, after checking that every value is an integer. */
export function readIndices(op: string, arg: string, input: IndexInput): { values: ArrayLike<number>; shape: readonly number[] } {
  let values: ArrayLike<number>;
  let shape: readonly number[];
  if (input instanceof Tensor) {
    values = input.data;
    shape = input.shape;
  } else if (typeof input === 'number') {
    values = [input];
    shape = [];
  } else if (Array.isArray(input) || ArrayBuffer.isView(input)) {
    values = input;
    shape = [input.length];
  } else {
    throw new RecurrentError(op, `${arg} must be a Tensor, an array or a number, got ${input === null ? 'null' : typeof input}`);
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
      throw new RecurrentError(op, `${arg} must hold integers, got ${v} at flat index ${i} (shape ${fmt(shape)})`);
    }
  }
  return { values, shape };
}
