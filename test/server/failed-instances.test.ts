import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import apiSchema from '../../schemas/api.schema.json' with { type: 'json' }
import { Engine, INSTANCE_STATUSES, ManualClock, Store } from '../../engine/index.js'
import { createToken } from '../../server/auth.js'
import { resolveConfig } from '../../server/config.js'
import { freshDatabase, snapshot } from '../support/database.js'
import type { TestDatabase } from '../support/database.js'
import { ADMIN, CUSTOMER, DEMAND, ISV, T0 } from '../support/engine.js'
import { fireFailures, FRAGILE, FRAGILE_PARTIES, markFailed } from '../support/fragile.js'
import { openApi } from '../support/http.js'
import type { Api } from '../support/http.js'
import { startServer } from '../support/server-process.js'
import type { ServerProcess } from '../support/server-process.js'

type Json = Record<string, unknown>

describe('failed instances over HTTP', () => {
  let api: Api
  beforeEach(async () => { api = await openApi() })
  afterEach(async () => { await api.close() })

  const json = async (response: Response): Promise<Json> => await response.json() as Json
  const start = async (parameters?: Json): Promise<string> => {
    const response = await api.call('POST', '/v1/instances', { who: 'admin', json: { process: 'fragile', parties: FRAGILE_PARTIES, ...(parameters ? { parameters } : {}) } })
    expect(response.status).toBe(201)
    return (await json(response))['id'] as string
  }

  it('are listed by status, show admins why, refuse acts, and can be retried or terminated by an admin', async () => {
    const put = await api.call('PUT', '/v1/processes/fragile', { who: 'admin', body: FRAGILE, headers: { 'Content-Type': 'application/yaml' } })
    expect(put.status).toBe(201)
    const bad = await start({ amount: 'x' })
    const good = await start()
    for (let round = 1; round <= 3; round++) {
      const advanced = await json(await api.call('POST', '/v1/advance', { who: 'admin', json: { by: round === 1 ? 'P1D' : 'PT1M' } }))
      expect(advanced).toMatchObject({ fired: round === 1 ? 1 : 0, failed: [bad] })
      if (round === 1) {
        // Fired by hand, the answer is the failure (and it is not counted).
        expect(await json(await api.call('POST', `/v1/instances/${bad}/advance`, { who: 'admin' }))).toMatchObject({ status: 422, code: 'expression.failed' })
      }
    }
    expect(await json(await api.call('POST', '/v1/advance', { who: 'admin', json: { by: 'PT1M' } }))).toMatchObject({ fired: 0, failed: [] })

    const listed = await json(await api.call('GET', '/v1/instances?status=failed', { who: 'admin' }))
    expect(listed['items']).toEqual([expect.objectContaining({ id: bad, status: 'failed', failure: expect.objectContaining({ attempts: 3 }) })])
    const asParty = await json(await api.call('GET', '/v1/instances?status=failed', { who: 'customer' }))
    expect(asParty['items']).toEqual([expect.not.objectContaining({ failure: expect.anything() })])
    const wrongStatus = await api.call('GET', '/v1/instances?status=broken', { who: 'admin' })
    expect(wrongStatus.status).toBe(422)
    expect(await json(wrongStatus)).toMatchObject({ code: 'request.invalid', errors: [{ pointer: '/query/status', message: expect.stringContaining('failed') }] })

    const view = await json(await api.call('GET', `/v1/instances/${bad}`, { who: 'admin' }))
    expect(view).toMatchObject({
      status: 'failed', step: { id: 'confirm' }, deadline: { due: '2026-01-02T00:00:00.000Z' }, actions: [],
      failure: { code: 'expression.failed', message: expect.any(String), at: '2026-01-02T00:02:00.000Z', attempts: 3 },
    })
    const history = await json(await api.call('GET', `/v1/instances/${bad}/history`, { who: 'customer' }))
    expect((history['items'] as Json[]).at(-1)).toMatchObject({ event: { type: 'instance-failed', attempts: 3 } })

    const acted = await api.call('POST', `/v1/instances/${bad}/act`, { who: 'customer', json: { action: 'accept' } })
    expect(acted.status).toBe(409)
    expect(await json(acted)).toMatchObject({ code: 'instance.failed' })
    expect((await api.call('POST', `/v1/instances/${bad}/retry`, { who: 'customer' })).status).toBe(403)
    expect(await json(await api.call('POST', `/v1/instances/${good}/retry`, { who: 'admin' }))).toMatchObject({ status: 409, code: 'instance.not-failed' })
    expect(await json(await api.call('POST', `/v1/instances/${bad}/retry`, { who: 'admin', json: { expectedRevision: 1 } }))).toMatchObject({ status: 409, code: 'conflict.stale' })

    // Firing still fails: the retry is refused as the firing is, and nothing changes.
    const before = await snapshot(api.database)
    const retried = await api.call('POST', `/v1/instances/${bad}/retry`, { who: 'admin' })
    expect(retried.status).toBe(422)
    expect(await json(retried)).toMatchObject({ code: 'expression.failed' })
    expect(await snapshot(api.database)).toEqual(before)

    const terminated = await api.call('POST', `/v1/instances/${bad}/terminate`, { who: 'admin', json: { reason: 'Fixed in version 2' } })
    expect(terminated.status).toBe(200)
    expect(await json(terminated)).toMatchObject({ status: 'terminated', outcome: 'terminated' })
  })

  it('retries an instance whose due deadline now fires: active again, the deadline fired, the retry in its history', async () => {
    const { id } = await api.engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: FRAGILE_PARTIES }, ADMIN)
    await api.engine.instances.act(id, { action: 'submit', inputs: DEMAND }, CUSTOMER)
    await api.engine.instances.act(id, { action: 'finish' }, ISV)
    api.clock.set('2026-01-15T00:00:00Z')
    await markFailed(api.engine, api.store, id)
    const retried = await api.call('POST', `/v1/instances/${id}/retry`, { who: 'admin', headers: { 'Idempotency-Key': 'retry-1' } })
    expect(retried.status).toBe(200)
    expect(await json(retried)).toMatchObject({ status: 'completed', outcome: 'completed' })
    const history = await json(await api.call('GET', `/v1/instances/${id}/history`, { who: 'admin' }))
    expect((history['items'] as Array<{ event: Json }>).slice(-3).map((r) => r.event['type'])).toEqual(['instance-retried', 'action-performed', 'instance-completed'])
    const replayed = await api.call('POST', `/v1/instances/${id}/retry`, { who: 'admin', headers: { 'Idempotency-Key': 'retry-1' } })
    expect(replayed.headers.get('idempotent-replayed')).toBe('true')
  })
})

describe('serve, on a database with an instance whose due deadline always fails', () => {
  let database: TestDatabase | undefined
  let server: ServerProcess | undefined
  let store: Store | undefined
  afterEach(async () => {
    if (server) {
      server.child.kill('SIGKILL')
      await server.exited
      server = undefined
    }
    await store?.close()
    store = undefined
    await database?.drop()
    database = undefined
  })

  it('keeps serving across restarts, each start counting one more failed attempt, until the instance is failed and left alone', { timeout: 180_000 }, async () => {
    database = await freshDatabase('dc-failing-')
    store = await Store.open(database.location)
    const engine = new Engine({ store, clock: new ManualClock(T0) })
    await engine.processes.registerBuiltIns()
    await engine.processes.register(FRAGILE, 'fragile.yaml')
    const bad = (await engine.instances.start({ process: 'fragile', parties: FRAGILE_PARTIES, parameters: { amount: 'x' } }, ADMIN)).id
    const good = (await engine.instances.start({ process: 'fragile', parties: FRAGILE_PARTIES }, ADMIN)).id
    const admin = await createToken(store, ADMIN, T0)
    const customer = await createToken(store, { role: 'customer', subject: 'c-1' }, T0)

    // On the real clock both deadlines (2026-01-02) are long due. The scheduler runs a round as
    // the server starts, then not for an hour: each start is one attempt.
    for (let start = 1; start <= 3; start++) {
      server = await startServer(database, '--scheduler-interval', '3600')
      const running = server
      const call = async (token: string, method: string, path: string, body?: Json): Promise<Response> => fetch(`${running.url}${path}`, {
        method, headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}),
      })
      await until(async () => {
        if (!store) return false
        return start < 3 ? await fireFailures(store, bad) === start : (await store.instances.find(bad))?.state.status === 'failed'
      }, start < 3 ? `${start} failed attempts counted` : 'the instance marked failed')
      expect((await fetch(`${running.url}/healthz`)).status).toBe(200)
      expect(await (await call(customer, 'GET', `/v1/instances/${good}`)).json()).toMatchObject({ status: 'completed', outcome: 'expired' })
      const started = await call(admin, 'POST', '/v1/instances', { process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: FRAGILE_PARTIES })
      expect(started.status).toBe(201)
      const view = await (await call(admin, 'GET', `/v1/instances/${bad}`)).json() as Json
      expect(view['status']).toBe(start < 3 ? 'active' : 'failed')
      if (start === 3) {
        expect(view['failure']).toMatchObject({ code: 'expression.failed', attempts: 3 })
        // Nothing left to fire: no round claims it again.
        expect(await (await call(admin, 'POST', '/v1/advance')).json()).toMatchObject({ fired: 0, failed: [] })
        expect(await (await call(admin, 'GET', '/v1/instances?status=failed')).json()).toMatchObject({ items: [{ id: bad }] })
      }
      running.child.kill('SIGKILL')
      await running.exited
      server = undefined
    }
  })
})

describe('instance statuses', () => {
  it('are the same list in the engine, the list filter and the API schema', async () => {
    expect(apiSchema.$defs.InstanceStatus.enum).toEqual([...INSTANCE_STATUSES])
    expect(INSTANCE_STATUSES).toContain('failed')
    const api = await openApi()
    try {
      for (const status of INSTANCE_STATUSES) expect((await api.call('GET', `/v1/instances?status=${status}`, { who: 'admin' })).status, status).toBe(200)
    } finally {
      await api.close()
    }
  })
})

describe('serve configuration', () => {
  it('takes the attempts before an instance is failed from --fire-attempts, else DC_FIRE_ATTEMPTS, else 3', () => {
    expect(resolveConfig({}, {}).fireAttempts).toBe(3)
    expect(resolveConfig({}, { DC_FIRE_ATTEMPTS: '5' }).fireAttempts).toBe(5)
    expect(resolveConfig({ fireAttempts: '1' }, { DC_FIRE_ATTEMPTS: '5' }).fireAttempts).toBe(1)
    expect(() => resolveConfig({ fireAttempts: '0' }, {})).toThrow(/--fire-attempts/)
    expect(() => resolveConfig({ fireAttempts: '2.5' }, {})).toThrow(/whole number/)
  })
})

/** Polls `condition` every 100 ms until it holds; fails after a minute, far longer than a scheduler round takes. */
async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const giveUp = Date.now() + 60_000
  while (!await condition()) {
    if (Date.now() > giveUp) throw new Error(`Still not so after a minute: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
