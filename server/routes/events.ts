import { Hono } from 'hono'
import type { Context } from 'hono'
import type { Engine, EventFilter, Events, Store } from '../../engine/index.js'
import { CURSOR_RULE, EngineError, iso, optional, PUBLIC_EVENT_TYPES, realClock } from '../../engine/index.js'
import { hashToken } from '../auth.js'
import type { AppEnv } from '../env.js'
import type { EventHub, StreamFilter } from '../event-hub.js'
import { streamEvents } from '../event-stream.js'
import { queryProblem, readQuery } from '../query.js'

/** What the event routes need besides the engine. */
export interface EventRouteDeps {
  readonly engine: Engine
  readonly store: Store
  readonly hub: EventHub
  /** Milliseconds between a stream's heartbeats (default 15 s). */
  readonly heartbeatMs?: number | undefined
}

/** The heartbeat of a stream unless told otherwise: well under the idle timeouts of common proxies (60 s). */
export const HEARTBEAT_MS = 15_000

/** `/v1/events`: the feed of public events, a page at a time or as a live stream. */
export function eventRoutes(deps: EventRouteDeps): Hono<AppEnv> {
  const { engine, store } = deps
  const app = new Hono<AppEnv>()

  app.get('/', async (c) => c.json(await engine.events.list((await readEventQuery(c, engine.events)).filter, c.get('principal'))))

  app.get('/stream', async (c) => {
    const { filter, after } = await readEventQuery(c, engine.events)
    const token = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? ''
    return streamEvents(c, deps, c.get('principal'), filter, after, {
      heartbeatMs: deps.heartbeatMs ?? HEARTBEAT_MS,
      // Tokens expire in real time, as the authentication middleware reads them.
      stillAllowed: async () => {
        const row = await store.tokens.find(hashToken(token))
        return row !== undefined && row.revoked_at === null && (row.expires_at === null || row.expires_at > iso(realClock.now()))
      },
    })
  })

  return app
}

/**
 * The feed's query string as an EventFilter (and, apart, the cursor to resume after: the
 * `Last-Event-ID` header a reconnecting EventSource sends, else `after`).
 * @throws {EngineError} `request.invalid` at `/query/...` (or `/headers/last-event-id`).
 */
export async function readEventQuery(c: Context<AppEnv>, events: Pick<Events, 'cursors'>): Promise<{ readonly filter: EventFilter & StreamFilter; readonly after: string | undefined }> {
  const q = readQuery(c, 'EventListQuery', { emptyIsAbsent: true })
  const types = q.types === undefined ? undefined : q.types.split(',').map((type) => type.trim()).filter((type) => type !== '')
  const unknown = (types ?? []).filter((type) => !(PUBLIC_EVENT_TYPES as readonly string[]).includes(type))
  if (types !== undefined && types.length === 0) {
    throw queryProblem([{ pointer: '/query/types', rule: 'minItems', message: `must name at least one event type among ${PUBLIC_EVENT_TYPES.join(', ')}, separated by commas (or be left out for every type)` }])
  }
  if (unknown.length > 0) {
    throw queryProblem([{ pointer: '/query/types', rule: 'enum', message: `must be event types among ${PUBLIC_EVENT_TYPES.join(', ')}, separated by commas; ${unknown.map((t) => `"${t}"`).join(', ')} is not one` }])
  }
  const resumed = c.req.header('last-event-id')
  const after = resumed !== undefined && resumed !== '' ? resumed : q.after
  if (after !== undefined) {
    try {
      (await events.cursors()).decode(after)
    } catch (error) {
      if (!(error instanceof EngineError)) throw error
      const pointer = after === resumed ? '/headers/last-event-id' : '/query/after'
      throw new EngineError('request.invalid', `Invalid ${after === resumed ? 'Last-Event-ID' : 'query'}: ${pointer} ${CURSOR_RULE} (or an event's cursor).`, { fields: [{ pointer, rule: 'format', message: `${CURSOR_RULE} (or an event's cursor)` }] })
    }
  }
  return {
    filter: { ...optional('after', after), ...optional('types', types), ...optional('process', q.process), ...optional('instance', q.instance), ...optional('limit', q.limit) },
    after,
  }
}
