/** How big a benchmark runs: `full` for the figures in docs/performance.md, `tiny` for the smoke test. */
export type Scale = 'full' | 'tiny'

/** What every benchmark receives from the runner. */
export interface BenchOptions {
  readonly scale: Scale
  /** Measured runs after the warm-up (at least 5 at full scale). */
  readonly runs: number
  /** A directory the benchmark may fill; the runner removes it afterwards. */
  readonly dir: string
  /**
   * A directory shared by the benchmarks of one `npm run bench`, for expensive fixtures one
   * benchmark leaves for a later one (the 1M-instance database of `growth`, reused by `memory`).
   */
  readonly sharedDir: string | undefined
  /** Extra `--key=value` arguments, for one benchmark's own switches. */
  readonly params: Readonly<Record<string, string>>
}

/**
 * How long a request of a tiny run (the smoke tests of `npm test`) may stay unanswered, in
 * seconds: a tiny run checks correctness, not speed, and a loaded machine may be very slow.
 */
export const TINY_REQUEST_TIMEOUT = 300

/** `full` when the scale is `full`, else `tiny`: the one place counts are chosen per scale. */
export function byScale<T>(options: Pick<BenchOptions, 'scale'>, full: T, tiny: T): T {
  return options.scale === 'full' ? full : tiny
}
