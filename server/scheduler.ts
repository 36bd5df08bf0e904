import type { Logger } from 'pino'
import type { Engine } from '../engine/index.js'

/** Fires due deadlines every `intervalMs`; one round at a time, never overlapping. */
export class Scheduler {
  readonly #engine: Engine
  readonly #logger: Logger
  readonly #intervalMs: number
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined

  constructor(engine: Engine, logger: Logger, intervalMs: number) {
    this.#engine = engine
    this.#logger = logger
    this.#intervalMs = intervalMs
  }

  start(): void {
    this.#timer = setInterval(() => { void this.tick() }, this.#intervalMs)
    this.#timer.unref()
    void this.tick()
  }

  /** Runs one round now, unless one is already running. */
  async tick(): Promise<void> {
    if (this.#running) return this.#running
    this.#running = this.#engine.advance().then(
      ({ fired, instances }) => { if (fired > 0) this.#logger.info({ fired, instances }, 'deadlines fired') },
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
