import { DataError } from '../core/data/errors';

/** The error a promise rejects with (undefined when it resolves): for asserting on async failures. */
export async function rejectionOf(p: Promise<unknown>): Promise<Error | undefined> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  return undefined;
}

/** The DataError `fn` throws (fails the test when it throws anything else or nothing). */
export function dataError(fn: () => unknown): DataError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DataError) return e;
    throw new Error(`expected a DataError, got ${(e as Error)?.stack ?? String(e)}`);
  }
  throw new Error('expected a DataError, nothing was thrown');
}
