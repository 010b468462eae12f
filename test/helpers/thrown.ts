// The error a call throws, for tests that read its class, name or message (no library import:
// the package tests use it on dist/ and minified builds, whose error classes are their own).

/** The error `fn` throws; fails the test when it returns. */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}
