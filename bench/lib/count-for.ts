/** Completions per second of `once`, run one after another for `seconds`. */
export async function countFor(seconds: number, once: () => Promise<unknown> | unknown): Promise<number> {
  const started = performance.now()
  const until = started + seconds * 1000
  let count = 0
  while (performance.now() < until) {
    await once()
    count++
  }
  return count / ((performance.now() - started) / 1000)
}
