// Waiting for work that runs on its own schedule (event listeners, jobs, real peers, a sender's
// retry loop): poll a condition instead of sleeping a guessed time, so a slow, loaded machine
// only makes a test slower, never wrong. A condition that never comes fails with what was
// awaited instead of hanging.

/**
 * Polls fn until it returns a value other than undefined, null or false, and returns it; fails
 * naming `what` after timeoutMs.
 */
export async function eventually<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 60_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Waits until check() is true; fails naming `what` after timeoutMs. */
export async function until(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  await eventually(what, async () => (await check()) || undefined, timeoutMs);
}
