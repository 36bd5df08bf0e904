import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BUILT_IN_PROCESS_DIR, MAX_DEFINITION_BYTES } from '../../engine/index.js'
import { snapshot } from '../support/engine.js'
import { openApi } from '../support/http.js'
import type { Api } from '../support/http.js'

/**
 * `PUT /v1/processes/{id}` with definitions meant to hurt: each is a located 4xx problem with its
 * code, never a 500, and the database is left as it was.
 */
let api: Api
beforeEach(async () => { api = await openApi() })
afterEach(async () => { await api.close() })

const YAML = { 'Content-Type': 'application/yaml' }
const BASIC = readFileSync(join(BUILT_IN_PROCESS_DIR, 'basic.yaml'), 'utf8')
const HEAD = 'id: demo\nversion: 1\ntitle: Demo\nroles: [customer, isv]\n'
const STEPS = 'steps:\n  - id: deliver\n    title: Deliver\n    actor: isv\n    actions:\n      finish:\n        end: completed\n'

interface Problem {
  code: string
  status: number
  problems?: Array<{ code: string; hint?: string; location: { file: string; line: number; column: number } }>
}

/** Sends `body` to PUT /v1/processes/demo and expects `status` with `code` and one located problem of `problemCode`. */
async function refused(body: RequestInit['body'], status: number, code: string, problemCode: string, headers: Record<string, string> = YAML): Promise<Problem['problems']> {
  const before = await snapshot(api.database)
  const response = await api.call('PUT', '/v1/processes/demo', { who: 'admin', body, headers })
  const text = await response.text()
  expect(response.status, text).toBe(status)
  expect(response.headers.get('content-type')).toBe('application/problem+json')
  const problem = JSON.parse(text) as Problem
  expect(problem.code).toBe(code)
  expect(problem.problems?.[0]).toMatchObject({ code: problemCode, location: { file: 'demo.yaml' } })
  expect(problem.problems?.[0]?.hint).toBeTruthy()
  expect(await snapshot(api.database)).toEqual(before)
  return problem.problems
}

describe('PUT /v1/processes/{id} with a hostile or broken definition', () => {
  it('an alias bomb: 422 definition.alias-limit at the alias', async () => {
    const lines = ['x-0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]']
    for (let i = 1; i < 10; i++) lines.push(`x-${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(', ')}]`)
    const [problem] = await refused(`${HEAD}${lines.join('\n')}\n${STEPS}`, 422, 'definition.invalid', 'definition.alias-limit') ?? []
    expect(problem?.location.line).toBeGreaterThan(5)
  })

  it('an unknown alias: 422 definition.unknown-alias at the alias, naming the anchors', async () => {
    const [problem] = await refused(`${HEAD}${STEPS.replace('actor: isv', 'actor: *isv')}`, 422, 'definition.invalid', 'definition.unknown-alias') ?? []
    expect(problem?.location).toMatchObject({ line: 8, column: 12 })
  })

  it.each([
    ['longer than a query value may be', `isv:${'v'.repeat(300)}`],
    ['without its role', 'v-1'],
  ])('an owner %s: 422 request.invalid at /query/owner, nothing registered', async (_, owner) => {
    const before = await snapshot(api.database)
    const response = await api.call('PUT', `/v1/processes/demo?owner=${owner}`, { who: 'admin', body: `${HEAD}${STEPS}`, headers: YAML })
    expect(response.status).toBe(422)
    expect(await response.json()).toMatchObject({ code: 'request.invalid', errors: [{ pointer: '/query/owner', message: expect.stringMatching(/ROLE:SUBJECT/) }] })
    expect(await snapshot(api.database)).toEqual(before)
  })

  it('an owner in a role the process does not have: 422 input.invalid at /owner naming its roles, nothing registered', async () => {
    const before = await snapshot(api.database)
    const response = await api.call('PUT', '/v1/processes/demo?owner=partner:p-1', { who: 'admin', body: `${HEAD}${STEPS}`, headers: YAML })
    expect(response.status).toBe(422)
    expect(await response.json()).toMatchObject({ code: 'input.invalid', errors: [{ pointer: '/owner', message: expect.stringMatching(/customer, isv/) }] })
    expect(await snapshot(api.database)).toEqual(before)
  })

  it('10,000 levels of nesting: 422 definition.too-deep', async () => {
    await refused(`${HEAD}x: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n${STEPS}`, 422, 'definition.invalid', 'definition.too-deep')
  })

  it('a binary body: 422 definition.encoding', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52])
    await refused(png, 422, 'definition.invalid', 'definition.encoding')
  })

  it('text that is not UTF-8: 422 definition.encoding at the byte', async () => {
    const latin1 = new Uint8Array([...Buffer.from('id: demo\ntitle: Caf'), 0xe9, ...Buffer.from('\n')])
    const [problem] = await refused(latin1, 422, 'definition.invalid', 'definition.encoding') ?? []
    expect(problem?.location).toMatchObject({ line: 2, column: 11 })
  })

  it('an empty body: 422 definition.empty', async () => {
    await refused('', 422, 'definition.invalid', 'definition.empty')
  })

  it('a body over 1 MiB, declared or streamed: 413 definition.too-large, at 1:1', async () => {
    const big = `${BASIC}# ${'x'.repeat(MAX_DEFINITION_BYTES)}\n`
    await refused(big, 413, 'definition.too-large', 'definition.too-large', { ...YAML, 'Content-Length': String(Buffer.byteLength(big)) })
    const [streamed] = await refused(big, 413, 'definition.too-large', 'definition.too-large') ?? []
    expect(streamed?.location).toMatchObject({ line: 1, column: 1 })
  })
})

describe('PUT /v1/processes/{id} with valid definitions written differently', () => {
  it('accepts UTF-16 with a byte order mark, and UTF-8 with one and CRLF line ends', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(BASIC.replace('id: basic', 'id: demo').replace('title: Basic Delivery Process', 'title: 基础交付'), 'utf16le')])
    const created = await api.call('PUT', '/v1/processes/demo', { who: 'admin', body: utf16, headers: YAML })
    expect(created.status, await created.clone().text()).toBe(201)
    expect(await created.json()).toMatchObject({ id: 'demo', title: '基础交付' })
    const crlf = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(BASIC.replace('id: basic', 'id: other').replace(/\n/g, '\r\n'))])
    const other = await api.call('PUT', '/v1/processes/other', { who: 'admin', body: crlf, headers: YAML })
    expect(other.status, await other.clone().text()).toBe(201)
  })
})
