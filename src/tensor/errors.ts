/**
 * The one error class the library throws for rejected input.
 *
 * Every message starts with the operation, then names the argument and the shapes:
 *   `matmul: inner sizes differ, [2,3] @ [4,5]`
 * `code` is stable and meant for programs; the message is meant for people.
 */
import { setKernelError } from '../kernels/errors.js';

/** Stable machine-readable reasons for a {@link RecurrentError}. */
export type ErrorCode =
  | 'shape' // sizes or ranks that do not fit together
  | 'argument' // a value of the wrong type or out of range
  | 'value' // non-finite or otherwise invalid numbers
  | 'state' // an operation not allowed in the current state (freed graph, no grad, ...)
  | 'format' // a malformed file or state dict
  | 'numeric' // NaN or Inf met where finite numbers are required
  | 'memory'; // more memory than the engine can give (the WASM backend's heap)

/** Error thrown for every input the library rejects; names the operation and the shapes. */
export class RecurrentError extends Error {
  /** The operation that rejected its input, e.g. `matmul`. */
  readonly op: string;
  /** A stable reason code. */
  readonly code: ErrorCode;
  constructor(op: string, message: string, code: ErrorCode = 'argument') {
    // Safe for any value: a base class called directly may pass a symbol as its op's name.
    const name = typeof op === 'string' ? op : show(op);
    super(`${name}: ${typeof message === 'string' ? message : show(message)}`);
    this.name = 'RecurrentError';
    this.op = name;
    this.code = code;
  }
}

/** Formats a shape the way error messages print it: `[2,3]`. */
export function fmt(shape: readonly number[]): string {
  // Numbers as they are; anything else (a BigInt, a cycle in a forged shape) described safely.
  return `[${Array.from(shape, (d) => (typeof d === 'number' ? String(d) : show(d, 1))).join(',')}]`;
}

/**
 * Any value as error-message text, safely: symbols, bigints, functions and objects are
 * described instead of converted (a template literal would throw on a symbol).
 */
export function show(value: unknown, depth = 0): string {
  switch (typeof value) {
    case 'number':
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
    case 'bigint':
      return `${value}n`;
    case 'symbol':
      return value.toString();
    case 'function':
      return 'a function';
    default:
      if (value === null) return 'null';
      // Two levels deep at most, so a cyclic or deeply nested array is described, not followed.
      if (Array.isArray(value)) return value.length > 8 || depth > 1 ? `an array of length ${value.length}` : `[${value.map((v) => show(v, depth + 1)).join(',')}]`;
      if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
      return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
  }
}

setKernelError((op, message) => new RecurrentError(op, message, 'memory'));
