import { EngineError, InvalidDefinitionError } from './errors.js'
import { EVENT_CURSOR_KEY, EventCursors, newEventCursorKey } from './event-cursors.js'
import { pageSize } from './list-filters.js'
import { optional } from './optional.js'
import { may } from './runtime/authorize.js'
import type { ProcessCatalog } from './process-catalog.js'
import { PUBLIC_EVENT_TYPES, rebuildPublicEvents } from './runtime/public-events.js'
import type { PublicEvent, Replayed } from './runtime/public-events.js'
import type { Principal } from './runtime/state.js'
import type { EventFeedRepository, FeedRow } from './store/event-feed.js'
import type { HistoryRange, InstanceRepository } from './store/instance-repository.js'
import type { KeyRepository } from './store/key-repository.js'

/**
 * How much of the deliveries' replays {@link Events.render} keeps, counted as the JSON their
 * states were replayed from (more than a state holds): most deliveries' states are a kilobyte or
 * two, but one holds every input its parties sent.
 */
const REPLAY_BYTES = 16 * 1024 * 1024
/** The largest replay kept: a delivery with more history is replayed from its start each time. */
const REPLAY_BYTES_EACH = 1024 * 1024
/** Places kept per delivery: readers at different places in one delivery (two endpoints, an old cursor) each go on from theirs. */
const REPLAY_POINTS = 4

/** About how much JSON a page of the feed holds at most: it ends at the event that passes it. */
export const PAGE_BYTES = 4 * 1024 * 1024
/** Events rendered at a time while a page is filled (a page of the default size, or of 100, at once). */
const RENDER_SLICE = 100
/**
 * What an event's JSON holds besides its inputs and its delivery's context and values (ids,
 * titles, times, parties, a reason: each bounded), counted high.
 */
const EVENT_BYTES = 4 * 1024

/**
 * The size of a value's JSON, each object measured once: the events of one delivery share its
 * context and values, and only they and an act's inputs can be large.
 */
function jsonSizes(): (value: unknown) => number {
  const sizes = new WeakMap<object, number>()
  return (value) => {
    if (typeof value !== 'object' || value === null) return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value))
    let size = sizes.get(value)
    if (size === undefined) {
      size = Buffer.byteLength(JSON.stringify(value))
      sizes.set(value, size)
    }
    return size
  }
}

/** Filters of {@link Events.list}. */
export interface EventFilter {
  /** The `next` cursor of a previous page (or the `id` of an event of the live stream). */
  readonly after?: string
  /** Only events of these types (see PUBLIC_EVENT_TYPES). */
  readonly types?: readonly string[]
  readonly process?: string
  readonly instance?: string
  readonly limit?: number
}

/** A page of the feed: its events in feed order, and the cursor of the next page (always given: the feed grows). */
export interface EventPage {
  readonly items: ReadonlyArray<PublicEvent & { readonly cursor: string }>
  readonly next: string
  /** Whether the page was ended by its limit or its size, so that more events may follow at once. */
  readonly more: boolean
}

/**
 * The feed of public events across deliveries, in commit order (see OutboxOrder), authorised as
 * the deliveries are: a party sees the events of its own deliveries; those who see all see every
 * event, those of webhook endpoints included.
 */
export class Events {
  readonly #feed: EventFeedRepository
  readonly #instances: Pick<InstanceRepository, 'histories'>
  readonly #processes: Pick<ProcessCatalog, 'get'>
  /**
   * Places in the histories of the deliveries read last (where a replay stopped, and right before
   * the first event it was for), by delivery, least recently used first; each place in the order
   * of its history, with the bytes it was replayed from.
   */
  readonly #replays = new Map<string, Array<{ replayed: Replayed; bytes: number }>>()
  #replayBytes = 0
  readonly #keys: Pick<KeyRepository, 'get'>
  #cursors: Promise<EventCursors> | undefined

  constructor(feed: EventFeedRepository, instances: Pick<InstanceRepository, 'histories'>, processes: Pick<ProcessCatalog, 'get'>, keys: Pick<KeyRepository, 'get'>) {
    this.#feed = feed
    this.#instances = instances
    this.#processes = processes
    this.#keys = keys
  }

  /** The feed's cursors, under the database's key (read, or made, once; asked again after a failure). */
  cursors(): Promise<EventCursors> {
    this.#cursors ??= this.#keys.get(EVENT_CURSOR_KEY, newEventCursorKey).then((key) => new EventCursors(key), (error: unknown) => {
      this.#cursors = undefined
      throw error
    })
    return this.#cursors
  }

  /**
   * The events after `filter.after` that `by` may see.
   * @throws {EngineError} `request.invalid` at `/after` or `/types` for a cursor or type that is not one.
   */
  async list(filter: EventFilter, by: Principal): Promise<EventPage> {
    const cursors = await this.cursors()
    const after = filter.after === undefined ? undefined : cursors.decode(filter.after)
    const unknown = (filter.types ?? []).filter((type) => !(PUBLIC_EVENT_TYPES as readonly string[]).includes(type))
    if (unknown.length > 0) {
      throw new EngineError('request.invalid', `There is no event type ${unknown.map((t) => `"${t}"`).join(', ')}.`, {
        fields: [{ pointer: '/types', rule: 'enum', message: `must list event types among ${PUBLIC_EVENT_TYPES.join(', ')}` }],
      })
    }
    const limit = pageSize(filter.limit)
    const rows = await this.#feed.page({
      limit, after,
      ...optional('types', filter.types), ...optional('processId', filter.process), ...optional('instanceId', filter.instance),
      ...optional('party', may(by, 'see-all') ? undefined : { role: by.role, subject: by.subject }),
    })
    const items: Array<PublicEvent & { cursor: string }> = []
    const size = jsonSizes()
    let bytes = 0
    // Rendered a slice at a time, and ended once it holds about PAGE_BYTES of JSON (with one
    // event at least): deliveries whose events carry large inputs or contexts make shorter pages,
    // not huge ones.
    for (let from = 0; from < rows.length && bytes < PAGE_BYTES; from += RENDER_SLICE) {
      const slice = rows.slice(from, from + RENDER_SLICE)
      const events = await this.render(slice)
      const sliceCursors = cursors.encodeAll(slice.map((row) => row.position))
      for (const [i, event] of events.entries()) {
        if (items.length > 0 && bytes >= PAGE_BYTES) break
        const { inputs } = event.data as { inputs?: unknown }
        bytes += EVENT_BYTES + size(inputs) + size(event.data.delivery?.context) + size(event.data.delivery?.values)
        items.push({ ...event, cursor: sliceCursors[i] as string })
      }
    }
    return { items, next: items.at(-1)?.cursor ?? filter.after ?? cursors.encode({ tx: 0, position: 0 }), more: items.length === limit || items.length < rows.length }
  }

  /**
   * The events of rows of the feed, in their order: those stored whole as they are, and each
   * delivery's rebuilt from its history (read once for all its events among the rows) with the
   * process version it runs on. Where a delivery's replays stopped and started are kept (for the
   * deliveries read last, up to {@link REPLAY_BYTES}): its later events, which the webhook
   * dispatcher reads one at a time, and those a reader asks for again, are rebuilt from the
   * nearest place before them rather than from its first event.
   */
  async render(rows: readonly FeedRow[]): Promise<PublicEvent[]> {
    const wanted = new Map<string, Map<number, number>>()
    for (const { instanceId, source } of rows) {
      if ('event' in source || instanceId === null) continue
      const seqs = wanted.get(instanceId) ?? new Map<number, number>()
      wanted.set(instanceId, seqs)
      seqs.set(source.seq, source.revision)
    }
    const rebuilt = await this.#rebuild(wanted)
    return rows.map(({ id, instanceId, source }) => {
      const event = 'event' in source ? source.event : rebuilt.get(instanceId ?? '')?.get(source.seq)
      if (!event) throw new Error(`Public event "${id}" cannot be rebuilt: its delivery's history lacks it.`)
      return event
    })
  }

  /** For each delivery, its events `wanted` (numbers, with the revision after each), rebuilt. */
  async #rebuild(wanted: ReadonlyMap<string, ReadonlyMap<number, number>>): Promise<Map<string, Map<number, PublicEvent>>> {
    const rebuilt = new Map<string, Map<number, PublicEvent>>()
    const starts = new Map<string, { replayed: Replayed; bytes: number } | undefined>()
    const ranges = new Map<string, HistoryRange>()
    for (const [id, seqs] of wanted) {
      const earliest = Math.min(...seqs.keys())
      const start = this.#replays.get(id)?.findLast((place) => place.replayed.seq < earliest)
      starts.set(id, start)
      ranges.set(id, { after: start?.replayed.seq ?? 0, through: Math.max(...seqs.keys()) })
    }
    const histories = await this.#instances.histories(ranges)
    for (const [id, seqs] of wanted) {
      const start = starts.get(id)
      const history = histories.get(id) ?? { events: [], bytes: 0 }
      const first = history.events[0]
      const head = start?.replayed.state ?? (first?.type === 'instance-started' ? first : undefined)
      if (!head) continue
      // A stored definition that no longer compiles must not stop the feed, the streams and the webhooks: its events leave out what only it knows.
      const process = await this.#processes.get(head.processId, head.processVersion).catch((error: unknown) => {
        if (error instanceof InvalidDefinitionError || (error instanceof EngineError && error.code === 'process.not-found')) return undefined
        throw error
      })
      const { events, replayed, before } = rebuildPublicEvents(process, history.events, seqs, start?.replayed)
      rebuilt.set(id, events)
      const bytes = (start?.bytes ?? 0) + history.bytes
      this.#keep(id, [before, replayed].flatMap((place) => place ? [{ replayed: place, bytes }] : []))
    }
    return rebuilt
  }

  /**
   * Keeps `places` of a delivery's history with those kept before, as the delivery used last:
   * at most {@link REPLAY_POINTS} (the earliest forgotten first), none replayed from more than
   * {@link REPLAY_BYTES_EACH}; the deliveries used least recently forgotten beyond {@link REPLAY_BYTES}.
   */
  #keep(id: string, places: ReadonlyArray<{ replayed: Replayed; bytes: number }>): void {
    const kept = new Map((this.#replays.get(id) ?? []).map((place) => [place.replayed.seq, place]))
    for (const place of places) if (place.bytes <= REPLAY_BYTES_EACH) kept.set(place.replayed.seq, place)
    const ordered = [...kept.values()].sort((a, b) => a.replayed.seq - b.replayed.seq).slice(-REPLAY_POINTS)
    this.#forget(id)
    if (ordered.length === 0) return
    this.#replays.set(id, ordered)
    this.#replayBytes += ordered.reduce((sum, place) => sum + place.bytes, 0)
    while (this.#replayBytes > REPLAY_BYTES) this.#forget(this.#replays.keys().next().value as string)
  }

  #forget(id: string): void {
    this.#replayBytes -= (this.#replays.get(id) ?? []).reduce((sum, place) => sum + place.bytes, 0)
    this.#replays.delete(id)
  }

  /** The cursor of the feed's end as it stands: a page after it shows only events that commit from now on. */
  async end(): Promise<string> {
    const [cursors, end] = await Promise.all([this.cursors(), this.#feed.end()])
    return cursors.encode(end)
  }
}
