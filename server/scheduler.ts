import type { Logger } from 'pino'
import type { Engine, Store } from '../engine/index.js'
import { iso, realClock } from '../engine/index.js'
import type { Metrics } from './metrics.js'

/** How long expired console links and sessions are kept before they are deleted. */
const CONSOLE_KEPT = { hours: 24 } as const

/**
 * Fires due deadlines every `intervalMs` and forgets expired idempotency keys and the console's
 * links and sessions expired more than a day ago; one round at a time, never overlapping.
 */
export class Scheduler {
  readonly #engine: Engine
  readonly #store: Store
  readonly #logger: Logger
  readonly #intervalMs: number
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined
  readonly #metrics: Metrics | undefined

  constructor(engine: Engine, store: Store, logger: Logger, intervalMs: number, metrics?: Metrics) {
    this.#engine = engine
    this.#store = store
    this.#logger = logger
    this.#intervalMs = intervalMs
    this.#metrics = metrics
  }

  start(): void {
    this.#timer = setInterval(() => { void this.tick() }, this.#intervalMs)
    this.#timer.unref()
    void this.tick()
  }

  /** Runs one round now, unless one is already running. */
  async tick(): Promise<void> {
    if (this.#running) return this.#running
    const started = performance.now()
    // Each round also forgets expired idempotency keys, and console links and sessions (which
    // expire in real time, whatever a sandbox clock says) a day after they expired.
    const housekeeping = Promise.all([
      this.#store.idempotency.purge(iso(this.#engine.clock.now())),
      this.#store.console.sweep(iso(realClock.now().subtract(CONSOLE_KEPT))),
    ])
    this.#running = housekeeping.then(() => this.#engine.deadlines.advance()).then(
      ({ fired, instances, failed }) => {
        this.#metrics?.fired('scheduler', { fired, failed })
        this.#metrics?.round((performance.now() - started) / 1000)
        if (fired > 0) this.#logger.info({ fired, instances }, 'deadlines fired')
        if (failed.length > 0) this.#logger.error({ failed }, 'deadlines that could not be fired')
      },
      (error: unknown) => { this.#logger.error({ err: error }, 'deadline round failed') },
    ).finally(() => { this.#running = undefined })
    return this.#running
  }

  /** Stops scheduling and waits for a running round to finish. */
  async stop(): Promise<void> {
    clearInterval(this.#timer)
    await this.#running
  }
}
