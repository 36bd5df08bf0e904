import type { Context } from 'hono'
import type { Principal } from '../engine/index.js'
import { EngineError } from '../engine/index.js'
import type { AppEnv } from './env.js'

/** How many checks run at once on a server, and how many one principal may have waiting besides its running one. */
export interface CheckQueueLimits {
  readonly running: number
  readonly waitingPerPrincipal: number
}

/** Two at once: the machines this serves on have two cores, and a server has two check threads (CHECK_THREAD_LIMITS). */
export const CHECK_QUEUE_LIMITS: CheckQueueLimits = { running: 2, waitingPerPrincipal: 4 }

/**
 * The checks of definitions with their scenarios (`POST /v1/processes/validate`, the studio's
 * check, a proposal's submission and amendment), each compiled on a check thread: run a few at a
 * time, one at a time for each principal, in the order they came. Without it, one token sending
 * checks by the hundred would hold the check threads, and every other caller's check would wait
 * its turn behind each. A principal with its running check and `waitingPerPrincipal` more waiting
 * is refused (`check.busy`, 429) until one ends: a studio's checks, sent as its author types,
 * wait instead.
 */
export class CheckQueue {
  readonly #limits: CheckQueueLimits
  #running = 0
  /** Checks waiting their turn, in order, each with its principal's key. */
  readonly #waiting: Array<{ key: string; start: () => void }> = []
  /** Checks running or waiting, by principal. */
  readonly #held = new Map<string, { running: boolean; count: number }>()

  constructor(limits: CheckQueueLimits = CHECK_QUEUE_LIMITS) {
    this.#limits = limits
  }

  /**
   * Runs `check` for `principal` when its turn comes.
   * @throws {EngineError} `check.busy` when `principal` has as many checks running and waiting as it may.
   */
  async run<T>(principal: Principal, check: () => Promise<T>): Promise<T> {
    const key = `${principal.role}:${principal.subject}`
    const held = this.#held.get(key) ?? { running: false, count: 0 }
    if (held.count >= 1 + this.#limits.waitingPerPrincipal) {
      throw new EngineError('check.busy', `You have ${held.count} checks running or waiting; send the next when one has answered.`)
    }
    held.count++
    this.#held.set(key, held)
    await new Promise<void>((resolve) => {
      this.#waiting.push({ key, start: resolve })
      this.#next()
    })
    try {
      return await check()
    } finally {
      this.#running--
      held.running = false
      if (--held.count === 0) this.#held.delete(key)
      this.#next()
    }
  }

  /** Starts the first waiting checks whose principal has none running, while there is room. */
  #next(): void {
    for (let i = 0; i < this.#waiting.length && this.#running < this.#limits.running;) {
      const waiting = this.#waiting[i] as { key: string; start: () => void }
      const held = this.#held.get(waiting.key)
      if (held?.running) {
        i++
        continue
      }
      this.#waiting.splice(i, 1)
      if (held) held.running = true
      this.#running++
      waiting.start()
    }
  }
}

/** Runs `check` in `queue` for the request's principal; a refusal (`check.busy`) answers with `Retry-After: 1`. */
export async function queuedCheck<T>(c: Context<AppEnv>, queue: CheckQueue, check: () => Promise<T>): Promise<T> {
  try {
    return await queue.run(c.get('principal'), check)
  } catch (error) {
    if (error instanceof EngineError && error.code === 'check.busy') c.header('Retry-After', '1')
    throw error
  }
}
