import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { snapshot } from '../support/database.js'
import { openApi } from '../support/http.js'
import type { Api, Who } from '../support/http.js'

let api: Api
beforeEach(async () => { api = await openApi() })
afterEach(async () => { await api.close() })

const REVIEW = `id: review
version: 1
title: Review
roles: [author]
steps:
  - id: draft
    title: Draft
    actor: author
    actions:
      send: { title: Send, goto: review }
  - id: review
    title: Review
    actor: admin
    actions:
      accept: { title: Accept, end: accepted }
      reject: { title: Reject, goto: draft }
`

const SCENARIOS = `process: review
scenarios:
  - name: accepted
    start: { parties: { author: a-1 } }
    then:
      - act: send
        by: author
        expect: { phase: review }
      - act: accept
        by: admin
        expect: { status: completed, outcome: accepted }
  - name: expects the wrong step
    start: { parties: { author: a-1 } }
    then:
      - act: send
        by: author
        expect: { phase: draft }
`

interface Check {
  valid: boolean
  problems: Array<{ code: string; message: string; hint?: string; location: { file: string; line: number; column: number; pointer: string } }>
  process?: { id: string; steps: Array<{ id: string }> }
  diagram?: string
  scenarios?: { problems: unknown[]; results: Array<{ name: string; passed: boolean; problems: Array<{ code: string; location: { line: number; column: number } }> }> }
}

async function check(body: unknown, who: Who = 'admin', query = ''): Promise<Check> {
  const response = await api.call('POST', `/v1/processes/validate${query}`, { who, json: body })
  const text = await response.text()
  expect(response.status, text).toBe(200)
  return JSON.parse(text) as Check
}

describe('POST /v1/processes/validate', () => {
  it('reports a misspelt step at its line and column with a hint, registering nothing', async () => {
    // Every table but the tokens' (a token's last use is recorded on every request).
    const tables = async (): Promise<Record<string, unknown[]>> => { const { api_token: _tokens, ...rest } = await snapshot(api.database); return rest }
    const before = await tables()
    const result = await check({ definition: REVIEW.replace('goto: review', 'goto: reveiw') })
    expect(result.valid).toBe(false)
    expect(result.problems).toEqual([expect.objectContaining({
      code: 'definition.unknown-step', location: { file: 'definition.yaml', line: 10, column: 34, pointer: '/steps/0/actions/send/goto' },
      hint: expect.stringContaining('"review"') as unknown,
    })])
    expect(result.process).toBeUndefined()
    expect(await tables()).toEqual(before)
  })

  it('answers the shape and the diagram of a valid definition, and runs scenarios on it', async () => {
    const result = await check({ definition: REVIEW, scenarios: SCENARIOS })
    expect(result).toMatchObject({ valid: true, problems: [], process: { id: 'review', steps: [{ id: 'draft' }, { id: 'review' }] } })
    expect(result.diagram).toMatch(/^flowchart/)
    expect(result.scenarios?.results.map((r) => [r.name, r.passed, r.problems.map((p) => `${p.location.line}:${p.location.column} ${p.code}`)])).toEqual([
      ['accepted', true, []],
      ['expects the wrong step', false, ['17:26 scenario.expectation']],
    ])
    expect((await api.call('GET', '/v1/processes/review', { who: 'admin' })).status).toBe(404)
  })

  it('reports the problems of the scenario text itself at their line', async () => {
    const result = await check({ definition: REVIEW, scenarios: SCENARIOS.replace('      - act: accept', '      - acct: accept') })
    expect(result.valid).toBe(true)
    expect(result.scenarios).toMatchObject({ results: [], problems: [{ code: 'scenario.invalid', location: { file: 'scenarios.yaml', line: 9, column: 9 } }] })
  })

  it('resolves extends to the caller\'s own private processes, never another owner\'s', async () => {
    const base = REVIEW.replace('id: review', 'id: v1-review').replace('roles: [author]', 'roles: [author, isv]')
    expect((await api.call('PUT', '/v1/processes/v1-review?owner=isv:v-1', { who: 'admin', body: base, headers: { 'Content-Type': 'application/yaml' } })).status).toBe(201)
    const derived = 'id: v1-review-fast\nversion: 1\ntitle: Faster review\nextends: v1-review\n'
    expect(await check({ definition: derived }, 'isv')).toMatchObject({ valid: true, process: { id: 'v1-review-fast' } })
    const stranger = await check({ definition: derived }, 'strangerIsv')
    expect(stranger.valid).toBe(false)
    expect(stranger.problems.map((p) => p.code)).toEqual(['definition.unknown-base'])
    expect(JSON.stringify(stranger)).not.toContain('author, isv')
    // An administrator checks as the owner given.
    expect((await check({ definition: derived }, 'admin')).valid).toBe(false)
    expect((await check({ definition: derived }, 'admin', '?owner=isv:v-1')).valid).toBe(true)
    // Anyone else naming an owner, even to learn whether v-1 has such a process, is refused at the parameter.
    const named = await api.call('POST', '/v1/processes/validate?owner=isv:v-1', { who: 'strangerIsv', json: { definition: derived } })
    expect(named.status).toBe(422)
    expect(await named.json()).toMatchObject({ code: 'request.invalid', errors: [{ pointer: '/query/owner', rule: 'const' }] })
    // Naming oneself is checking as oneself.
    expect((await check({ definition: derived }, 'isv', '?owner=isv:v-1')).valid).toBe(true)
  })

  it('refuses a body without a definition at its pointer', async () => {
    const response = await api.call('POST', '/v1/processes/validate', { who: 'isv', json: { scenarios: SCENARIOS } })
    expect(response.status).toBe(422)
    expect(await response.json()).toMatchObject({ code: 'request.invalid', errors: [{ pointer: '/definition', rule: 'required' }] })
  })
})
