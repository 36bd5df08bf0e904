import type { Context } from 'hono'
import { streamSSE } from 'hono/streaming'
import type { SSEStreamingApi } from 'hono/streaming'
import type { Engine, FeedPosition, Principal } from '../engine/index.js'
import type { AppEnv } from './env.js'
import type { EventHub, FeedEvent, StreamFilter } from './event-hub.js'
import { isAfter } from './event-hub.js'

/** How a stream is kept and ended. */
export interface StreamOptions {
  /** Milliseconds between heartbeat comments, each after checking the caller is still let in. */
  readonly heartbeatMs: number
  /** Whether the caller's token or session still lets it in (not revoked, not expired). */
  stillAllowed(): Promise<boolean>
  /** Whether each message is named by its event's type (`event:`); else all are `message` events, as a page's EventSource hears most simply. Default true. */
  readonly named?: boolean
}

/** Events a stream may hold unsent before it is ended (its client reconnects and catches up from the feed). */
const BACKLOG = 10_000
/** Events read per query while catching up. */
const PAGE = 500

/**
 * Answers with `text/event-stream`: the events of the feed `by` may see that pass `filter`, after
 * the cursor `after` (else from now), each as one SSE message whose `id` is its cursor, `event`
 * its type and `data` its JSON; a comment every `heartbeatMs` keeps proxies from closing it. It
 * catches up from the feed first, then follows the server's {@link EventHub}; it ends when the
 * client goes, when the hub closes (the server stops), when the caller is no longer let in, or
 * when the client falls {@link BACKLOG} events behind.
 */
export async function streamEvents(c: Context<AppEnv>, deps: { readonly engine: Engine; readonly hub: EventHub }, by: Principal, filter: StreamFilter, after: string | undefined, options: StreamOptions): Promise<Response> {
  const queue: Array<{ readonly event: FeedEvent; readonly position: FeedPosition }> = []
  let ended = false
  let notify: (() => void) | undefined
  const end = (): void => {
    ended = true
    notify?.()
  }
  const cursors = await deps.engine.events.cursors()
  const unsubscribe = deps.hub.subscribe({
    by, filter, end,
    offer: (events) => {
      // An ended stream holds nothing more: its client is gone, or will catch up from the feed.
      if (ended || events.length === 0) return
      queue.push(...events)
      if (queue.length > BACKLOG) end()
      notify?.()
    },
  })
  let last: FeedPosition
  try {
    await deps.hub.ready()
    // The hub offers every event after where it stood then; a stream from now starts at the
    // feed's end as it is now (at or after that: what the hub has not read yet is older). Fixed
    // before the answer starts, so a client that looks at the state once the stream is open
    // misses nothing in between.
    last = cursors.decode(after ?? await deps.engine.events.end())
  } catch (error) {
    unsubscribe()
    throw error
  }
  return streamSSE(c, async (stream) => {
    stream.onAbort(end)
    try {
      const send = async (event: FeedEvent, position: FeedPosition): Promise<void> => {
        await stream.writeSSE({ id: event.cursor, ...(options.named === false ? {} : { event: event.type }), data: JSON.stringify(event) })
        last = position
      }
      // Catching up: the feed itself, until a page holds every event there is yet; the hub has offered the rest since.
      if (after !== undefined) {
        for (let cursor = after; !ended;) {
          const page = await deps.engine.events.list({ ...filter, after: cursor, limit: PAGE }, by)
          for (const event of page.items) await send(event, cursors.decode(event.cursor))
          cursor = page.next
          if (!page.more) break
        }
      }
      await stream.write(': connected\n\n')
      let beat = performance.now() + options.heartbeatMs
      while (!ended) {
        for (const { event, position } of queue.splice(0)) if (!ended && isAfter(position, last)) await send(event, position)
        if (queue.length === 0 && !ended) await wait(options.heartbeatMs, (wake) => { notify = wake })
        notify = undefined
        if (!ended && performance.now() >= beat) {
          if (!await options.stillAllowed()) break
          await heartbeat(stream)
          beat = performance.now() + options.heartbeatMs
        }
      }
    } finally {
      unsubscribe()
    }
  })
}

async function heartbeat(stream: SSEStreamingApi): Promise<void> {
  await stream.write(': heartbeat\n\n')
}

/** Resolves after `ms`, or sooner when the function given to `register` is called. */
function wait(ms: number, register: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    register(() => {
      clearTimeout(timer)
      resolve()
    })
  })
}
