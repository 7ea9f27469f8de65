/**
 * `instanceof` for the library's branded classes (Tensor, Generator, Module, Optimizer): an
 * object counts as an instance when `cls.prototype` is on its prototype chain and it holds the
 * class's private brand, which only the constructor sets; so a forged object whose prototype
 * is the class's, with fields of its own (`Object.create(Tensor.prototype)` given data and a
 * shape), passes no check of the library.
 *
 * One exception: an object with no own property at all also counts. That is what an instance
 * under construction looks like where a transpiler lowers classes to functions (Babel, and so
 * React Native's Metro for older Hermes): it checks `this instanceof C` before any field
 * exists, and refusing it would make every constructor throw there. So a forged object with no
 * field at all is not told apart, and an op given one fails with a plain TypeError on the
 * first field it reads: the one hostile input that does not get a RecurrentError.
 */
export function isBranded(cls: { prototype: object }, value: unknown, hasBrand: (v: object) => boolean): boolean {
  if (typeof value !== 'object' || value === null || !cls.prototype.isPrototypeOf(value)) return false;
  return hasBrand(value) || Reflect.ownKeys(value).length === 0;
}
