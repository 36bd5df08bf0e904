import { Hono } from 'hono'
import type { WebhookEndpoints } from '../../engine/index.js'
import { requirePermission } from '../auth.js'
import { readBody } from '../body.js'
import type { AppEnv } from '../env.js'
import { fromQuery, readQuery } from '../query.js'

/**
 * `/v1/webhook-endpoints`: administrators and the system manage where signed webhooks are sent
 * (see docs/webhooks.md). A secret is in the answer of a create and a rotation only, and never
 * stored: a retry with the same Idempotency-Key is answered the endpoint without it, and creates
 * or rotates nothing again.
 */

/** An answer with a secret as a retry is given it: the endpoint alone (the `WebhookEndpoint` shape). */
function withoutSecret(answer: { readonly secret: string }): string {
  const { secret: _secret, ...endpoint } = answer
  return JSON.stringify(endpoint)
}
export function webhookEndpointRoutes(endpoints: WebhookEndpoints): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.use('*', requirePermission('manage-webhooks'))

  app.post('/', async (c) => {
    const created = await endpoints.create(readBody(c, 'WebhookEndpointCreateRequest'), c.get('principal'))
    c.set('answerWithoutSecret', withoutSecret(created))
    c.header('Location', `/v1/webhook-endpoints/${created.id}`)
    return c.json(created, 201)
  })

  app.get('/', async (c) => {
    readQuery(c, 'NoQuery')
    return c.json({ items: await endpoints.list(c.get('principal')) })
  })

  app.get('/:id', async (c) => c.json(await endpoints.get(c.req.param('id'), c.get('principal'))))

  app.patch('/:id', async (c) => c.json(await endpoints.update(c.req.param('id'), readBody(c, 'WebhookEndpointUpdateRequest'), c.get('principal'))))

  app.delete('/:id', async (c) => c.json(await endpoints.delete(c.req.param('id'), c.get('principal'))))

  app.post('/:id/disable', async (c) => c.json(await endpoints.disable(c.req.param('id'), c.get('principal'))))

  app.post('/:id/enable', async (c) => c.json(await endpoints.enable(c.req.param('id'), c.get('principal'))))

  app.post('/:id/rotate-secret', async (c) => {
    const { overlapSeconds } = readBody(c, 'WebhookSecretRotateRequest')
    const rotated = await endpoints.rotateSecret(c.req.param('id'), overlapSeconds, c.get('principal'))
    c.set('answerWithoutSecret', withoutSecret(rotated))
    return c.json(rotated)
  })

  app.get('/:id/attempts', async (c) => c.json(await fromQuery(endpoints.attempts(c.req.param('id'), readQuery(c, 'WebhookAttemptQuery'), c.get('principal')))))

  app.post('/:id/resend', async (c) => {
    const { eventId, since } = readBody(c, 'WebhookResendRequest')
    const request = eventId !== undefined ? { eventId } : { since: since ?? '' }
    return c.json(await endpoints.resend(c.req.param('id'), request, c.get('principal')), 202)
  })

  return app
}
