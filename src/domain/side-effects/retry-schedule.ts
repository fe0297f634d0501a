export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Delay before the second attempt, before jitter. */
  baseDelayMs: number;
  /** No delay grows beyond this. */
  maxDelayMs: number;
}

/**
 * When the attempt after `attempt` (1-based) is due, or null when none is left: exponential
 * back-off (base × 2^(attempt−1), capped) with "equal jitter" (half fixed, half random), so
 * replicas retrying many deliveries at once do not hit an endpoint in lockstep.
 * `random` is in [0, 1) and comes from the caller, keeping this pure.
 */
export function nextAttemptAt(attempt: number, failedAt: Date, policy: RetryPolicy, random: number): Date | null {
  if (attempt >= policy.maxAttempts) return null;
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const delay = exponential / 2 + (exponential / 2) * random;
  return new Date(failedAt.getTime() + Math.round(delay));
}
