import { Hono } from 'hono'
import type { ActRequest, Engine, ListFilter, StartRequest } from '../../engine/index.js'
import { CURSOR_RULE, cursorOrder, EngineError, INSTANCE_STATUSES, INSTANT_RULE, isCursor, isListOrder, LIST_ORDERS, listInstant, orderRule } from '../../engine/index.js'
import { requireRole } from '../auth.js'
import { readBody } from '../body.js'
import type { AppEnv } from '../env.js'
import type { Metrics } from '../metrics.js'
import { receiptFor } from '../idempotency.js'
import { checkAttachmentTotal, REQUEST_LIMITS } from '../request-limits.js'

const STATUSES: readonly string[] = INSTANCE_STATUSES

/** `/v1/instances`: start, list, read, act on, advance, terminate, retry, and read the history of instances. */
export function instanceRoutes(engine: Engine, metrics?: Metrics): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.post('/', requireRole('admin', 'system'), async (c) => {
    const view = await engine.start(readBody<StartRequest>(c, 'StartRequest'), c.get('principal'), { receipt: receiptFor(c, 201) })
    return c.json(view, 201, { Location: `/v1/instances/${encodeURIComponent(view.id)}` })
  })

  app.get('/', async (c) => {
    const q = c.req.query()
    const allowed = new Set(['process', 'status', 'step', 'waiting', 'party', 'orderId', 'startedFrom', 'startedTo', 'order', 'limit', 'cursor'])
    const unknown = Object.keys(q).filter((k) => !allowed.has(k))
    const fields = unknown.map((k) => ({ pointer: `/query/${k}`, rule: 'additionalProperties', message: `is not a filter; filters are ${[...allowed].join(', ')}` }))
    for (const [k, value] of Object.entries(q)) {
      if (allowed.has(k) && value.length > REQUEST_LIMITS.queryValue) fields.push({ pointer: `/query/${k}`, rule: 'maxLength', message: `must be at most ${REQUEST_LIMITS.queryValue} characters` })
    }
    if (q['status'] !== undefined && !STATUSES.includes(q['status'])) fields.push({ pointer: '/query/status', rule: 'enum', message: `must be one of ${STATUSES.join(', ')}` })
    if (q['waiting'] !== undefined && !['me', 'true'].includes(q['waiting'])) fields.push({ pointer: '/query/waiting', rule: 'enum', message: 'must be "me"' })
    const limit = q['limit'] === undefined ? undefined : Number(q['limit'])
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 500)) fields.push({ pointer: '/query/limit', rule: 'maximum', message: 'must be an integer from 1 to 500' })
    const party = q['party']?.split(':')
    if (party !== undefined && (party.length !== 2 || !party[0] || !party[1])) fields.push({ pointer: '/query/party', rule: 'pattern', message: 'must be ROLE:SUBJECT, e.g. customer:c-1' })
    for (const bound of ['startedFrom', 'startedTo']) {
      const value = q[bound]
      if (value && listInstant(value) === undefined) fields.push({ pointer: `/query/${bound}`, rule: 'format', message: INSTANT_RULE })
    }
    const order = q['order'] || 'oldest'
    if (!isListOrder(order)) fields.push({ pointer: '/query/order', rule: 'enum', message: `must be one of ${LIST_ORDERS.join(', ')}` })
    // An empty cursor is the first page, as when there is none.
    if (q['cursor'] && !isCursor(q['cursor'])) fields.push({ pointer: '/query/cursor', rule: 'format', message: CURSOR_RULE })
    const cursorIn = q['cursor'] ? cursorOrder(q['cursor']) : undefined
    if (cursorIn && isListOrder(order) && cursorIn !== order) fields.push({ pointer: '/query/cursor', rule: 'format', message: orderRule(cursorIn) })
    if (fields.length > 0) throw new EngineError('request.invalid', `Invalid query: ${fields.map((f) => `${f.pointer} ${f.message}`).join('; ')}.`, { fields })
    const filter: ListFilter = {
      ...(q['process'] ? { process: q['process'] } : {}),
      ...(q['status'] ? { status: q['status'] } : {}),
      ...(q['step'] ? { step: q['step'] } : {}),
      ...(q['waiting'] ? { waitingOnMe: true } : {}),
      ...(party ? { party: { role: party[0] as string, subject: party[1] as string } } : {}),
      ...(q['orderId'] ? { orderId: q['orderId'] } : {}),
      ...(q['startedFrom'] ? { startedFrom: q['startedFrom'] } : {}),
      ...(q['startedTo'] ? { startedTo: q['startedTo'] } : {}),
      ...(isListOrder(order) ? { order } : {}),
      ...(limit ? { limit } : {}),
      ...(q['cursor'] ? { cursor: q['cursor'] } : {}),
    }
    return c.json(await engine.list(filter, c.get('principal')))
  })

  app.get('/:id', async (c) => c.json(await engine.get(c.req.param('id'), c.get('principal'))))

  app.get('/:id/history', async (c) => c.json({ items: await engine.history(c.req.param('id'), c.get('principal')) }))

  app.post('/:id/act', async (c) => {
    const request = readBody<ActRequest>(c, 'ActRequest')
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
    const { reason, expectedRevision } = readBody<{ reason: string; expectedRevision?: number }>(c, 'TerminateRequest')
    return c.json(await engine.terminate(c.req.param('id'), reason, c.get('principal'), expectedRevision, { receipt: receiptFor(c, 200) }))
  })

  app.post('/:id/retry', requireRole('admin'), async (c) => {
    const { expectedRevision } = readBody<{ expectedRevision?: number }>(c, 'RetryRequest')
    return c.json(await engine.retry(c.req.param('id'), c.get('principal'), expectedRevision, { receipt: receiptFor(c, 200) }))
  })

  return app
}
