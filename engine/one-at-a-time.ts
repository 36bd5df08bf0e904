/**
 * Runs work one at a time per key, in the order it came: on one server, work that counts and then
 * writes (a proposer's submission, a party's start, each within a limit) never counts what another
 * has not written yet. Keys with nothing running are forgotten.
 */
export class OneAtATime {
  readonly #queues = new Map<string, Promise<void>>()

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const running = (this.#queues.get(key) ?? Promise.resolve()).then(work)
    const settled = running.then(() => undefined, () => undefined)
    this.#queues.set(key, settled)
    try {
      return await running
    } finally {
      // The last in the queue removes it, so the map holds only keys with work running.
      if (this.#queues.get(key) === settled) this.#queues.delete(key)
    }
  }
}
