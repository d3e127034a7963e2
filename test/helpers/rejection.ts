/** The error a promise rejects with, as an SDK error's fields; fails the test if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<{ code: string; status?: number; message: string; details?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; status?: number; message: string; details?: Record<string, unknown> };
  }
  throw new Error('expected a rejection');
}
