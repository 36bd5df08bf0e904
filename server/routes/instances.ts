import { Hono } from 'hono'
import type { Engine, ListFilter } from '../../engine/index.js'
import { CURSOR_RULE, cursorOrder, orderRule } from '../../engine/index.js'
import { requireRole } from '../auth.js'
import { readBody } from '../body.js'
import type { AppEnv } from '../env.js'
import type { Metrics } from '../metrics.js'
import { receiptFor } from '../idempotency.js'
import { queryProblem, readQuery } from '../query.js'
import { checkAttachmentTotal } from '../request-limits.js'

/** `/v1/instances`: start, list, read, act on, advance, terminate, retry, and read the history of instances. */
export function instanceRoutes(engine: Engine, metrics?: Metrics): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.post('/', requireRole('admin', 'system'), async (c) => {
    const view = await engine.start(readBody(c, 'StartRequest'), c.get('principal'), { receipt: receiptFor(c, 201) })
    return c.json(view, 201, { Location: `/v1/instances/${encodeURIComponent(view.id)}` })
  })

  app.get('/', async (c) => {
    const q = readQuery(c, 'InstanceListQuery', { emptyIsAbsent: true })
    const order = q.order ?? 'oldest'
    // What the schema cannot say: a cursor is one this API made, for a list in this order.
    const cursorIn = q.cursor === undefined ? undefined : cursorOrder(q.cursor)
    if (q.cursor !== undefined && cursorIn !== order) {
      throw queryProblem([{ pointer: '/query/cursor', rule: 'format', message: cursorIn ? orderRule(cursorIn) : CURSOR_RULE }])
    }
    const [role, subject] = q.party?.split(':') ?? []
    const filter: ListFilter = {
      ...(q.process ? { process: q.process } : {}),
      ...(q.status ? { status: q.status } : {}),
      ...(q.step ? { step: q.step } : {}),
      ...(q.waiting ? { waitingOnMe: true } : {}),
      ...(role && subject ? { party: { role, subject } } : {}),
      ...(q.orderId ? { orderId: q.orderId } : {}),
      ...(q.startedFrom ? { startedFrom: q.startedFrom } : {}),
      ...(q.startedTo ? { startedTo: q.startedTo } : {}),
      order,
      ...(q.limit ? { limit: q.limit } : {}),
      ...(q.cursor ? { cursor: q.cursor } : {}),
    }
    return c.json(await engine.list(filter, c.get('principal')))
  })

  app.get('/:id', async (c) => c.json(await engine.get(c.req.param('id'), c.get('principal'))))

  app.get('/:id/history', async (c) => c.json({ items: await engine.history(c.req.param('id'), c.get('principal')) }))

  app.post('/:id/act', async (c) => {
    const request = readBody(c, 'ActRequest')
    checkAttachmentTotal(request.attachments)
    const view = await engine.act(c.req.param('id'), request, c.get('principal'), { receipt: receiptFor(c, 200) })
    metrics?.act(view.process.id, request.action)
    return c.json(view)
  })

  app.post('/:id/advance', requireRole('admin', 'system'), async (c) => {
    readBody(c, 'AdvanceRequest')
    return c.json(await engine.advanceInstance(c.req.param('id'), c.get('principal')))
  })

  app.post('/:id/terminate', requireRole('admin'), async (c) => {
    const { reason, expectedRevision } = readBody(c, 'TerminateRequest')
    return c.json(await engine.terminate(c.req.param('id'), reason, c.get('principal'), expectedRevision, { receipt: receiptFor(c, 200) }))
  })

  app.post('/:id/retry', requireRole('admin'), async (c) => {
    const { expectedRevision } = readBody(c, 'RetryRequest')
    return c.json(await engine.retry(c.req.param('id'), c.get('principal'), expectedRevision, { receipt: receiptFor(c, 200) }))
  })

  return app
}
