/** The error a promise rejects with (undefined when it resolves): for asserting on async failures. */
export async function rejectionOf(p: Promise<unknown>): Promise<Error | undefined> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  return undefined;
}
