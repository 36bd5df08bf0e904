import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Engine } from '../../engine/index.js'
import { DEMAND } from '../support/engine.js'
import { openApi } from '../support/http.js'
import type { Api } from '../support/http.js'

let api: Api
beforeEach(async () => { api = await openApi() })
afterEach(async () => { await api.close() })

// An ISV's customised basic process: a kick-off call added, 7 days to confirm instead of 14.
const CUSTOM = `id: v1-basic
version: 1
title: Basic Delivery with Kick-off (ISV v-1)
extends: basic
parameters:
  confirmWindow: { default: P7D }
steps:
  - id: kick-off
    title: Kick-off Call
    actor: isv
    after: submit-demand
    actions: { held: { title: Kick-off held } }
`

async function json<T = Record<string, unknown>>(response: Response, status = 200): Promise<T> {
  const text = await response.text()
  expect(response.status, text).toBe(status)
  return JSON.parse(text) as T
}

describe('a derived, private process registered through the API', () => {
  it('runs to the auto-confirm after 7 days, and is invisible and unusable for another ISV', async () => {
    const registered = await json(await api.call('PUT', '/v1/processes/v1-basic?owner=isv:v-1', { who: 'admin', body: CUSTOM, headers: { 'Content-Type': 'application/yaml' } }), 201)
    expect(registered).toMatchObject({ id: 'v1-basic', owner: 'v-1', steps: [{ id: 'submit-demand' }, { id: 'kick-off' }, { id: 'project-delivery' }, { id: 'confirm-delivery' }, { id: 'dispute' }, { id: 'project-delivery-escalated' }] })

    const { id } = await json<{ id: string }>(await api.call('POST', '/v1/instances', { who: 'admin', json: { process: 'v1-basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } } }), 201)
    await json(await api.call('POST', `/v1/instances/${id}/act`, { who: 'customer', json: { action: 'submit', inputs: DEMAND } }))
    await json(await api.call('POST', `/v1/instances/${id}/act`, { who: 'isv', json: { action: 'held' } }))
    const finished = await json(await api.call('POST', `/v1/instances/${id}/act`, { who: 'isv', json: { action: 'finish' } }))
    expect(finished).toMatchObject({ step: { id: 'confirm-delivery' }, deadline: { due: '2026-01-08T00:00:00.000Z' } })
    expect(await json(await api.call('POST', '/v1/advance', { who: 'admin', json: { by: 'P7D' } }))).toMatchObject({ fired: 1 })
    expect(await json(await api.call('GET', `/v1/instances/${id}`, { who: 'customer' }))).toMatchObject({ status: 'completed', process: { id: 'v1-basic', version: 1 } })

    // Another ISV: not listed, not found, and no instance of it can be started for that ISV.
    const listed = await json<{ items: Array<{ id: string }> }>(await api.call('GET', '/v1/processes', { who: 'strangerIsv' }))
    expect(listed.items.map((p) => p.id)).not.toContain('v1-basic')
    await json(await api.call('GET', '/v1/processes/v1-basic', { who: 'strangerIsv' }), 404)
    await json(await api.call('GET', '/v1/processes/v1-basic/diagram', { who: 'strangerIsv' }), 404)
    const refused = await json(await api.call('POST', '/v1/instances', { who: 'admin', json: { process: 'v1-basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-9', isv: 'v-9' } } }), 422)
    expect(refused).toMatchObject({ code: 'input.invalid', errors: [{ pointer: '/parties/isv' }] })
  })

  it('keeps the base version it was registered against when the base changes', async () => {
    await json(await api.call('PUT', '/v1/processes/v1-basic?owner=isv:v-1', { who: 'admin', body: CUSTOM, headers: { 'Content-Type': 'application/yaml' } }), 201)
    const basic = await json<{ source: string; version: number }>(await api.call('GET', '/v1/processes/basic', { who: 'admin' }))
    const v2 = basic.source.replace(`version: ${basic.version}`, `version: ${basic.version + 1}`).replace('title: Finish', 'title: Finish delivery')
    await json(await api.call('PUT', '/v1/processes/basic', { who: 'admin', body: v2, headers: { 'Content-Type': 'application/yaml' } }), 201)
    const fresh = new Engine({ store: api.store, clock: api.clock }) // a new engine compiles from the database
    const process = await fresh.processes.get('v1-basic', 1)
    expect(process.steps.get('project-delivery')?.actions.get('finish')?.title).toBe('Finish')
    // Another server registering the same text again (as at every start) keeps the pinned base too.
    const again = new Engine({ store: api.store, clock: api.clock })
    const reregistered = await again.processes.register(CUSTOM, 'v1-basic.yaml', { owner: { role: 'isv', subject: 'v-1' } })
    expect(reregistered.created).toBe(false)
    expect(reregistered.process.steps.get('project-delivery')?.actions.get('finish')?.title).toBe('Finish')
    expect((await again.processes.get('v1-basic', 1)).steps.get('project-delivery')?.actions.get('finish')?.title).toBe('Finish')
  })

  it('reports a derivation problem with its location in the derived YAML', async () => {
    const broken = CUSTOM.replace('after: submit-demand', 'after: submit-demands')
    const problem = await json(await api.call('PUT', '/v1/processes/v1-basic', { who: 'admin', body: broken, headers: { 'Content-Type': 'application/yaml' } }), 422)
    expect(problem).toMatchObject({ code: 'definition.invalid', problems: [{ code: 'definition.derivation', location: { line: 11, pointer: '/steps/0/after' } }] })
  })
})
