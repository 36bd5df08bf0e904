// When a webhook delivery that failed is tried again: after each failed attempt, the next waits
// the delay of its place in RETRY_DELAYS, give or take JITTER (so endpoints that fail together
// are not retried together). After the last delay's attempt fails the delivery is given up.
// An endpoint none of whose attempts has succeeded for DISABLE_AFTER while attempts fail is
// disabled.

/** Seconds to wait after the 1st, 2nd, ... failed attempt: 5 s, 1 min, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, then 24 h three times (13 attempts over about 5 days 4 hours). */
export const RETRY_DELAYS: readonly number[] = [5, 60, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 86_400, 86_400, 86_400]

/** The share of a delay by which it is made longer or shorter at random. */
export const JITTER = 0.2

/** Seconds without a successful attempt, while attempts fail, after which an endpoint is disabled: 5 days. */
export const DISABLE_AFTER = 5 * 86_400

/**
 * Milliseconds to wait after the `failed`-th failed attempt of a delivery (1 for the first), with
 * `random` in [0, 1) choosing the jitter; undefined once every retry is spent.
 */
export function retryDelayMs(failed: number, random: number): number | undefined {
  const delay = RETRY_DELAYS[failed - 1]
  if (delay === undefined) return undefined
  return Math.round(delay * 1000 * (1 - JITTER + 2 * JITTER * random))
}

/** Seconds for which settled deliveries and attempts are kept in the log: 30 days. */
export const WEBHOOK_LOG_RETENTION = 30 * 86_400
