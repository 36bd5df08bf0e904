/** Summary statistics of repeated measurements, as reported in every table and JSON file. */
export interface Summary {
  readonly median: number
  readonly min: number
  readonly max: number
}

/** The median, min and max of `samples`. @throws {RangeError} when there are none. */
export function summarise(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new RangeError('Nothing was measured.')
  const sorted = [...samples].sort((a, b) => a - b)
  return { median: quantile(sorted, 0.5), min: sorted[0] as number, max: sorted.at(-1) as number }
}

/**
 * The `q`-quantile (0..1) of already sorted values, by linear interpolation between the closest
 * ranks (so the median of an even count is the mean of the middle two).
 */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('No values.')
  const position = (sorted.length - 1) * q
  const below = Math.floor(position)
  const low = sorted[below] as number
  const high = sorted[Math.min(below + 1, sorted.length - 1)] as number
  return low + (high - low) * (position - below)
}

/** p50 and p99 of latencies, in the unit they were given. */
export function percentiles(values: readonly number[]): { p50: number; p99: number } {
  const sorted = [...values].sort((a, b) => a - b)
  return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) }
}
