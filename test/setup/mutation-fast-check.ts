/**
 * Setup file of mutation runs (vitest.mutate.config.ts): a property that fails stops there,
 * without shrinking its counterexample. A mutant is killed by the first failure; the shrinking
 * that makes a failure readable to a person would only add seconds to every killed mutant's run.
 */
import fc from 'fast-check';

fc.configureGlobal({ endOnFailure: true });
