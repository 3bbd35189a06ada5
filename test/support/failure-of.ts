/** Runs a call that must fail (by throwing or by rejecting) and returns what it failed with; fails the test if it succeeds. */
export async function failureOf(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('The call succeeded, but the test expected it to fail');
}
