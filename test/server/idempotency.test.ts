import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DEMAND, snapshot } from '../support/engine.js'
import { openApi } from '../support/http.js'
import type { Api } from '../support/http.js'

let api: Api
let id: string
beforeEach(async () => {
  api = await openApi()
  id = ((await (await api.call('POST', '/v1/instances', { who: 'admin', json: { process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } } })).json()) as { id: string }).id
})
afterEach(async () => { await api.close() })

const submit = (key: string, body: unknown = { action: 'submit', inputs: DEMAND }) =>
  api.call('POST', `/v1/instances/${id}/act`, { who: 'customer', json: body, headers: { 'Idempotency-Key': key } })

const actions = async () => (await api.engine.instances.history(id, { role: 'admin', subject: 'a-1' })).filter((r) => r.event.type === 'action-performed')

describe('Idempotency-Key', () => {
  it('a retried act with the same key acts once and replays the first response', async () => {
    const first = await submit('k-1')
    expect(first.status).toBe(200)
    const firstBody = await first.text()
    const before = await snapshot(api.database)
    const retry = await submit('k-1')
    expect(retry.status).toBe(200)
    expect(retry.headers.get('idempotent-replayed')).toBe('true')
    expect(await retry.text()).toBe(firstBody)
    expect(await snapshot(api.database)).toEqual(before)
    expect(await actions()).toHaveLength(1)
  })

  it('refuses the same key with a changed body, changing nothing', async () => {
    await submit('k-2')
    const before = await snapshot(api.database)
    const changed = await submit('k-2', { action: 'submit', inputs: { ...DEMAND, demands: 'Something else' } })
    expect(changed.status).toBe(422)
    expect(((await changed.json()) as { code: string }).code).toBe('idempotency.mismatch')
    expect(await snapshot(api.database)).toEqual(before)
  })

  it('replays a refusal too, rather than acting on a retry', async () => {
    const refused = await api.call('POST', `/v1/instances/${id}/act`, { who: 'isv', json: { action: 'finish' }, headers: { 'Idempotency-Key': 'k-3' } })
    expect(refused.status).toBe(409)
    await submit('k-4')
    const retry = await api.call('POST', `/v1/instances/${id}/act`, { who: 'isv', json: { action: 'finish' }, headers: { 'Idempotency-Key': 'k-3' } })
    expect(retry.status).toBe(409)
    expect(retry.headers.get('idempotent-replayed')).toBe('true')
    expect((await actions()).map((r) => r.event.type === 'action-performed' && r.event.action)).toEqual(['submit'])
  })

  it('scopes keys to the principal: another caller\'s key does not replay', async () => {
    await submit('shared')
    const other = await api.call('POST', `/v1/instances/${id}/act`, { who: 'isv', json: { action: 'finish' }, headers: { 'Idempotency-Key': 'shared' } })
    expect(other.status).toBe(200)
    expect(other.headers.get('idempotent-replayed')).toBeNull()
  })

  it('forgets a key after it expires', async () => {
    const start = (key: string) => api.call('POST', '/v1/instances', { who: 'admin', json: { process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, headers: { 'Idempotency-Key': key } })
    const first = await (await start('daily-import')).json() as { id: string }
    expect((await (await start('daily-import')).json() as { id: string }).id).toBe(first.id)
    api.clock.advance('PT24H1S')
    expect((await (await start('daily-import')).json() as { id: string }).id).not.toBe(first.id)
  })

  it('makes a start idempotent, so a retried order creates one delivery', async () => {
    const body = { process: 'basic', parties: { customer: 'c-1', isv: 'v-1' }, context: { orderId: 'o-42', specification: 'Standard', productId: 'p-1' } }
    const a = await api.call('POST', '/v1/instances', { who: 'admin', json: body, headers: { 'Idempotency-Key': 'order-o-42' } })
    const b = await api.call('POST', '/v1/instances', { who: 'admin', json: body, headers: { 'Idempotency-Key': 'order-o-42' } })
    expect(a.status).toBe(201)
    expect(b.status).toBe(201)
    expect(await b.text()).toBe(await a.text())
    const list = await (await api.call('GET', '/v1/instances', { who: 'admin' })).json() as { items: unknown[] }
    expect(list.items).toHaveLength(2) // the one from beforeEach and this one
  })

  it('replays an act whose server died after committing it, before recording the answer: the answer is part of the commit', async () => {
    const act = api.engine.instances.act.bind(api.engine.instances)
    api.engine.instances.act = async (...args) => {
      await act(...args)
      throw new Error('the server died here, after the commit')
    }
    const lost = await submit('k-crash')
    expect(lost.status).toBe(500) // the client never saw the answer
    api.engine.instances.act = act
    const retry = await submit('k-crash')
    expect(retry.status).toBe(200)
    expect(retry.headers.get('idempotent-replayed')).toBe('true')
    expect(retry.headers.get('content-type')).toBe((await api.call('GET', `/v1/instances/${id}`, { who: 'customer' })).headers.get('content-type'))
    expect(await retry.json()).toMatchObject({ id, revision: 2, step: { id: 'project-delivery' } })
    expect(await actions()).toHaveLength(1)
  })

  it('runs a retry anew once a key has stayed unanswered for a minute: its first request died before committing', async () => {
    const act = api.engine.instances.act.bind(api.engine.instances)
    const release = api.store.idempotency.release.bind(api.store.idempotency)
    api.engine.instances.act = () => Promise.reject(new Error('the server died here'))
    api.store.idempotency.release = () => Promise.resolve() // it died before giving the key back, too
    expect((await submit('k-stuck')).status).toBe(500)
    api.engine.instances.act = act
    api.store.idempotency.release = release
    const early = await submit('k-stuck')
    expect(early.status).toBe(409)
    expect(((await early.json()) as { code: string }).code).toBe('idempotency.in-progress')
    expect(await actions()).toHaveLength(0)
    api.clock.advance('PT61S')
    const retry = await submit('k-stuck')
    expect(retry.status).toBe(200)
    expect(retry.headers.get('idempotent-replayed')).toBeNull()
    expect(await actions()).toHaveLength(1)
    expect((await submit('k-stuck')).headers.get('idempotent-replayed')).toBe('true')
  })
})
