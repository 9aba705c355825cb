/**
 * Polls `condition` until it returns a truthy value (which is returned) or `timeoutMs` passes
 * (then rejects, naming `what`). Prefer awaiting an event; use this where no event exists.
 */
export async function waitFor<T>(condition: () => T | Promise<T>, timeoutMs = 5000, what = 'condition', intervalMs = 10): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (performance.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
