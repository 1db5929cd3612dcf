/** Reconnect delays for the event stream: 0.5 s doubling up to 10 s, with jitter. */

export interface BackoffOptions {
  /** Delay before the first retry, ms. */
  initialMs: number;
  /** Upper bound of any delay, ms. */
  maxMs: number;
  /** Growth per failed attempt. */
  factor: number;
  /**
   * Fraction of the delay that is randomised, 0..1. The delay is drawn from
   * [base × (1 − jitter), base], so it never exceeds maxMs and many clients
   * restarted by the same outage do not reconnect in lockstep.
   */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  initialMs: 500,
  maxMs: 10_000,
  factor: 2,
  jitter: 0.3,
};

/** The delay without jitter for a 0-based attempt number. */
export function baseDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const n = Math.max(0, Math.floor(attempt));
  return Math.min(options.maxMs, options.initialMs * options.factor ** n);
}

/** The delay to wait before reconnect attempt number `attempt` (0 = first retry). */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const base = baseDelay(attempt, options);
  const r = Math.min(1, Math.max(0, random()));
  const jitter = Math.min(1, Math.max(0, options.jitter));
  return Math.round(base * (1 - jitter * r));
}
