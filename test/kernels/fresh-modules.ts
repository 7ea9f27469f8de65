/**
 * A fresh copy of a module (its own module-level state, evaluated now), for tests of what a
 * module sets up when it loads: the library's copy loaded long before, with the state the
 * tests have changed since. Its imports stay the library's.
 */
let copies = 0;

export async function freshCopy<T>(url: URL): Promise<T> {
  return (await import(/* @vite-ignore */ `${url.pathname}?fresh=${++copies}`)) as T;
}
