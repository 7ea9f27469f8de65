/**
 * How the kernels report a request they cannot serve: a heap that cannot grow to the bytes
 * asked for, or a size that is not a whole number of bytes. src/kernels imports nothing, so
 * the library installs its RecurrentError here when src/tensor/errors.ts loads (every entry
 * loads it); until then the error is a plain Error with the same message.
 */

let make = (op: string, message: string): Error => new Error(`${op}: ${message}`);

/** The error for operation `op` (e.g. `wasm heap`) with `message`. */
export function kernelError(op: string, message: string): Error {
  return make(op, message);
}

/** Installs the library's error class for kernel failures. */
export function setKernelError(factory: (op: string, message: string) => Error): void {
  make = factory;
}
