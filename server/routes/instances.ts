import { Hono } from 'hono'
import type { Engine, ListFilter } from '../../engine/index.js'
import { CURSOR_RULE, cursorOrder, EngineError, listInstant, optional, orderRule, parsePrincipal } from '../../engine/index.js'
import { requirePermission } from '../auth.js'
import { readBody } from '../body.js'
import type { AppEnv } from '../env.js'
import type { Metrics } from '../metrics.js'
import { answerView, receiptFor } from '../idempotency.js'
import { fromQuery, queryProblem, readQuery } from '../query.js'
import { checkAttachmentTotal } from '../request-limits.js'

/** `/v1/instances`: start, list, read, act on, advance, terminate, retry, check the validity of, and read the history of instances. */
export function instanceRoutes(engine: Engine, metrics?: Metrics): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  // Who may start is the process's to say (its `startedBy`): the engine decides, in authorize.ts.
  app.post('/', async (c) => {
    const view = await engine.instances.start(readBody(c, 'StartRequest'), c.get('principal'), { receipt: receiptFor(c, 201) })
    return answerView(c, view, 201, { Location: `/v1/instances/${encodeURIComponent(view.id)}` })
  })

  app.get('/', async (c) => {
    const q = readQuery(c, 'InstanceListQuery', { emptyIsAbsent: true })
    const order = q.order ?? 'oldest'
    // What the schema cannot say: a cursor is one this API made, for a list in this order.
    const cursorIn = q.cursor === undefined ? undefined : cursorOrder(q.cursor)
    if (q.cursor !== undefined && cursorIn !== order) {
      throw queryProblem([{ pointer: '/query/cursor', rule: 'format', message: cursorIn ? orderRule(cursorIn) : CURSOR_RULE }])
    }
    const party = q.party === undefined ? undefined : parsePrincipal(q.party)
    const filter: ListFilter = {
      ...(q.process ? { process: q.process } : {}),
      ...(q.status ? { status: q.status } : {}),
      ...(q.step ? { step: q.step } : {}),
      ...(q.waiting ? { waitingOnMe: true } : {}),
      ...optional('party', party),
      ...(q.orderId ? { orderId: q.orderId } : {}),
      ...(q.startedFrom ? { startedFrom: q.startedFrom } : {}),
      ...(q.startedTo ? { startedTo: q.startedTo } : {}),
      order,
      ...(q.limit ? { limit: q.limit } : {}),
      ...(q.cursor ? { cursor: q.cursor } : {}),
    }
    return c.json(await fromQuery(engine.instances.list(filter, c.get('principal'))))
  })

  app.get('/:id', async (c) => c.json(await engine.instances.get(c.req.param('id'), c.get('principal'))))

  app.get('/:id/validity', async (c) => {
    const { at } = readQuery(c, 'ValidityQuery', { emptyIsAbsent: true })
    // The schema checked the form; the engine reads instants in its stored form.
    return c.json(await engine.instances.validity(c.req.param('id'), c.get('principal'), at === undefined ? undefined : listInstant(at)))
  })

  app.get('/:id/history', async (c) => c.json({ items: await engine.instances.history(c.req.param('id'), c.get('principal')) }))

  app.post('/:id/act', async (c) => {
    const request = readBody(c, 'ActRequest')
    checkAttachmentTotal(request.attachments)
    const view = await engine.instances.act(c.req.param('id'), request, c.get('principal'), { receipt: receiptFor(c, 200) })
    metrics?.act(view.process.id, request.action)
    return answerView(c, view)
  })

  app.post('/:id/advance', requirePermission('fire-deadlines'), async (c) => {
    // Fires what is due now: the sandbox clock is moved for every delivery at once, by POST /v1/advance.
    const moved = Object.keys(readBody(c, 'AdvanceRequest'))[0]
    if (moved !== undefined) {
      throw new EngineError('request.invalid', 'A delivery\'s advance fires what is due now; the sandbox clock moves for every delivery, with POST /v1/advance.', {
        fields: [{ pointer: `/${moved}`, rule: 'not', message: 'is not accepted here: move the clock with POST /v1/advance, then advance the delivery' }],
      })
    }
    await engine.deadlines.advanceInstance(c.req.param('id'), c.get('principal'))
    return c.json(await engine.instances.get(c.req.param('id'), c.get('principal')))
  })

  app.post('/:id/terminate', requirePermission('terminate'), async (c) => {
    return answerView(c, await engine.instances.terminate(c.req.param('id'), readBody(c, 'TerminateRequest'), c.get('principal'), { receipt: receiptFor(c, 200) }))
  })

  app.post('/:id/retry', requirePermission('retry'), async (c) => {
    return answerView(c, await engine.instances.retry(c.req.param('id'), readBody(c, 'RetryRequest'), c.get('principal'), { receipt: receiptFor(c, 200) }))
  })

  return app
}
