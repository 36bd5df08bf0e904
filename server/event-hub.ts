import type { Logger } from 'pino'
import type { Engine, FeedPosition, Principal, PublicEvent } from '../engine/index.js'
import { EngineError, maySeeEvent } from '../engine/index.js'

/** An event of the feed with its cursor, as `engine.events.list` returns it. */
export type FeedEvent = PublicEvent & { readonly cursor: string }

/** What a stream shows: the feed's filters, all optional. */
export interface StreamFilter {
  readonly types?: readonly string[]
  readonly process?: string
  readonly instance?: string
}

/** One open stream, as the hub sees it. */
export interface Subscriber {
  readonly by: Principal
  readonly filter: StreamFilter
  /** Takes the events of a batch this stream may see and asked for, in feed order, with their places. */
  offer(events: ReadonlyArray<{ readonly event: FeedEvent; readonly position: FeedPosition }>): void
  /** Ends the stream (the server is stopping). */
  end(): void
}

/** Whether `a` comes after `b` in the feed's (tx, position) order. */
export function isAfter(a: FeedPosition, b: FeedPosition): boolean {
  return a.tx > b.tx || (a.tx === b.tx && a.position > b.position)
}

/** Whether `event` passes `filter` and `by` may see it (the feed's own rules, applied to one event). */
export function shows(event: PublicEvent, filter: StreamFilter, by: Principal): boolean {
  const delivery = event.data.delivery
  if (filter.types && filter.types.length > 0 && !filter.types.includes(event.type)) return false
  if (filter.process !== undefined && delivery?.process.id !== filter.process) return false
  if (filter.instance !== undefined && delivery?.id !== filter.instance) return false
  return maySeeEvent(delivery, by)
}

/** The principal the hub reads the whole feed as: it decides per stream what each may see. */
const READER: Principal = { role: 'system', subject: 'event-stream' }
/**
 * Streams one token holder may have open on a server at once: enough for a console in several
 * tabs and an integrator's few followers; each open stream holds a connection and, while its
 * client is slow, up to its backlog of events.
 */
export const STREAMS_PER_PRINCIPAL = 20
/** Events read per query. */
const PAGE = 500

/**
 * The one reader of the event feed for every live stream of this server process: while a stream
 * is open it reads the feed after where it last ended, once per `intervalMs` or at once when
 * woken (after a local commit), and hands each batch to every open stream, which keeps what it
 * may see and asked for. Many streams cost one query per tick, not one each.
 */
export class EventHub {
  readonly #engine: Engine
  readonly #intervalMs: number
  readonly #logger: Logger | undefined
  readonly #subscribers = new Set<Subscriber>()
  /** Open streams by principal (`role:subject`). */
  readonly #open = new Map<string, number>()
  #head: string | undefined
  #starting: Promise<string> | undefined
  #timer: NodeJS.Timeout | undefined
  #reading: Promise<void> | undefined
  #again = false
  #closed = false

  constructor(engine: Engine, options: { readonly intervalMs?: number; readonly logger?: Logger } = {}) {
    this.#engine = engine
    this.#intervalMs = options.intervalMs ?? 1000
    this.#logger = options.logger
  }

  /** How many streams are open. */
  get size(): number {
    return this.#subscribers.size
  }

  /**
   * Adds a stream; returns the function that removes it. Every batch read from now on is offered
   * to it; {@link ready} says from where.
   * @throws {EngineError} `stream.busy` when its principal has {@link STREAMS_PER_PRINCIPAL} streams open.
   */
  subscribe(subscriber: Subscriber): () => void {
    if (this.#closed) {
      subscriber.end()
      return () => undefined
    }
    const key = `${subscriber.by.role}:${subscriber.by.subject}`
    const open = this.#open.get(key) ?? 0
    if (open >= STREAMS_PER_PRINCIPAL) throw new EngineError('stream.busy', `You have ${open} event streams open on this server; close one before opening another.`)
    this.#open.set(key, open + 1)
    this.#subscribers.add(subscriber)
    this.#schedule()
    let removed = false
    return () => {
      if (removed) return
      removed = true
      const left = (this.#open.get(key) ?? 1) - 1
      if (left === 0) this.#open.delete(key)
      else this.#open.set(key, left)
      this.#subscribers.delete(subscriber)
      if (this.#subscribers.size === 0) this.#idle()
    }
  }

  /**
   * The cursor after which every batch is offered to the streams subscribed before this call
   * resolved: a stream that has read the feed itself up to here (or later) misses nothing.
   */
  async ready(): Promise<string> {
    if (this.#head !== undefined) return this.#head
    this.#starting ??= this.#engine.events.end().then((end) => {
      this.#head ??= end
      this.#starting = undefined
      return this.#head
    }, (error: unknown) => {
      this.#starting = undefined
      throw error
    })
    return this.#starting
  }

  /** Reads the feed now rather than at the next tick (something was just committed here). */
  wake(): void {
    if (this.#subscribers.size === 0 || this.#closed) return
    clearTimeout(this.#timer)
    this.#timer = undefined
    void this.#read()
  }

  /** Ends every stream and reads no more: the server is stopping. */
  close(): void {
    this.#closed = true
    for (const subscriber of [...this.#subscribers]) subscriber.end()
    this.#subscribers.clear()
    this.#idle()
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#closed || this.#subscribers.size === 0) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      void this.#read()
    }, this.#intervalMs)
    this.#timer.unref()
  }

  /** No stream is open: stop reading, and start again from the feed's end when one opens. */
  #idle(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#head = undefined
  }

  #read(): Promise<void> {
    if (this.#reading) {
      this.#again = true
      return this.#reading
    }
    this.#reading = (async () => {
      try {
        do {
          this.#again = false
          await this.#readAll()
        } while (this.#again && this.#subscribers.size > 0)
      } catch (error) {
        this.#logger?.error({ err: error }, 'reading the event feed for the live streams failed; trying again at the next tick')
      } finally {
        this.#reading = undefined
        this.#schedule()
      }
    })()
    return this.#reading
  }

  async #readAll(): Promise<void> {
    for (;;) {
      if (this.#subscribers.size === 0) return
      const after = await this.ready()
      const cursors = await this.#engine.events.cursors()
      const page = await this.#engine.events.list({ after, limit: PAGE }, READER)
      // The streams may all have gone, and the hub started again from another end, meanwhile.
      if (this.#head !== after) return
      this.#head = page.next
      if (page.items.length > 0) {
        const batch = page.items.map((event) => ({ event, position: cursors.decode(event.cursor) }))
        for (const subscriber of this.#subscribers) subscriber.offer(batch.filter(({ event }) => shows(event, subscriber.filter, subscriber.by)))
      }
      if (!page.more) return
    }
  }
}
