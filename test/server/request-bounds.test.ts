import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { jsonShapeProblem, MAX_NAME_LENGTH, nameProblemAt, REQUEST_LIMITS } from '../../server/request-limits.js'
import { DEMAND, snapshot } from '../support/engine.js'
import { openApi } from '../support/http.js'
import type { Api } from '../support/http.js'
import { expectProblem as problem } from '../support/problem.js'

let api: Api
beforeEach(async () => { api = await openApi() })
afterEach(async () => { await api.close() })

const PARTIES = { customer: 'c-1', isv: 'v-1' }
const JSON_TYPE = { 'Content-Type': 'application/json' }

function nested(levels: number): string {
  return `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`
}

async function started(): Promise<string> {
  const response = await api.call('POST', '/v1/instances', { who: 'admin', json: { process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: PARTIES } })
  expect(response.status).toBe(201)
  return (await response.json() as { id: string }).id
}

describe('a name given twice in one JSON object', () => {
  it('is found at its pointer, escaped names decoded, the same name in other objects or in strings no duplicate', () => {
    expect(nameProblemAt('{"a":1,"b":{"a":2},"c":[{"a":1},{"a":2}],"d":"\\"a\\":1,\\"a\\":2"}')).toBeUndefined()
    expect(nameProblemAt('{"by":"PT0S","by":"P1000Y"}')?.pointer).toBe('/by')
    expect(nameProblemAt('{"x":[1,{"k":{"a":1}},{"k":{"a":1,"\\u0061":2}}]}')?.pointer).toBe('/x/2/k/a')
    expect(nameProblemAt('{"a/b~":{"":1, "" :2}}')?.pointer).toBe('/a~1b~0/')
    expect(nameProblemAt('[{"a":[]},{"a":{},"a":null}]')?.pointer).toBe('/1/a')
    expect(nameProblemAt('"a"')).toBeUndefined()
  })

  it('is refused at its pointer, and the request changes nothing', async () => {
    const id = await started()
    const before = await snapshot(api.database)
    const clock = api.clock.now().toString()
    const body = await problem(await api.call('POST', '/v1/advance', { who: 'admin', body: '{"by":"PT0S","by":"P1000Y"}', headers: JSON_TYPE }), 422, 'request.invalid')
    expect(body['errors']).toEqual([{ pointer: '/by', rule: 'uniqueNames', message: 'is given twice in its object: give each name once' }])
    const act = await problem(await api.call('POST', `/v1/instances/${id}/act`, { who: 'customer', body: '{"action":"submit","inputs":{"demands":"a","demands":"b"}}', headers: JSON_TYPE }), 422, 'request.invalid')
    expect(act['errors']).toMatchObject([{ pointer: '/inputs/demands', rule: 'uniqueNames' }])
    expect(await snapshot(api.database)).toEqual(before)
    expect(api.clock.now().toString()).toBe(clock)
  })
})

describe('a name longer than the API reads', () => {
  it(`is refused at its object's pointer, without repeating it, and a retry under the same key replays a short answer`, async () => {
    expect(nameProblemAt(`{"a":{"${'k'.repeat(MAX_NAME_LENGTH)}":1}}`)).toBeUndefined()
    expect(nameProblemAt(`{"a":[{"${'k'.repeat(MAX_NAME_LENGTH + 1)}":1}]}`)).toEqual({ kind: 'long', pointer: '/a/0', length: MAX_NAME_LENGTH + 1 })
    const before = await snapshot(api.database)
    const body = JSON.stringify({ process: 'basic', parties: PARTIES, context: { ['k'.repeat(500_000)]: 1 } })
    const response = await api.call('POST', '/v1/instances', { who: 'admin', body, headers: { ...JSON_TYPE, 'Idempotency-Key': 'long-name' } })
    const text = await response.text()
    expect(response.status).toBe(422)
    expect(text.length).toBeLessThan(2000)
    expect(JSON.parse(text)).toMatchObject({ code: 'request.invalid', errors: [{ pointer: '/context', rule: 'maxNameLength' }] })
    const { idempotency_key: keys, ...after } = await snapshot(api.database)
    const { idempotency_key: keysBefore, ...rest } = before
    expect(after).toEqual(rest)
    // The refusal is kept for the retry, as every answer is: a short one.
    expect(JSON.stringify(keys).length - JSON.stringify(keysBefore).length).toBeLessThan(3000)
  })
})

describe('JSON nesting depth', () => {
  it('counts arrays and objects, not brackets inside strings', () => {
    expect(jsonShapeProblem('{"a":[[1]]}', 3, 10)).toBeUndefined()
    expect(jsonShapeProblem('{"a":[[1]]}', 2, 10)).toEqual({ kind: 'depth', at: 6 })
    expect(jsonShapeProblem('{"a":"[[[[[\\"[[["}', 1, 10)).toBeUndefined()
    expect(jsonShapeProblem(nested(64), 64, 64)).toBeUndefined()
  })

  it('a context nested 100,000 levels deep: 400 request.too-deep, and nothing stored', async () => {
    const before = await snapshot(api.database)
    const body = `{"process":"basic","parties":{"customer":"c-1","isv":"v-1"},"context":${nested(100_000)}}`
    const problemBody = await problem(await api.call('POST', '/v1/instances', { who: 'admin', body, headers: JSON_TYPE }), 400, 'request.too-deep')
    expect(problemBody['detail']).toContain('64 levels')
    expect(await snapshot(api.database)).toEqual(before)
    // 64 levels with the body's own: accepted.
    const deepest = `{"process":"basic","parties":{"customer":"c-1","isv":"v-1"},"context":{"orderId":"o-1","specification":"Standard","productId":"p-1","deep":${nested(62)}}}`
    expect((await api.call('POST', '/v1/instances', { who: 'admin', body: deepest, headers: JSON_TYPE })).status).toBe(201)
  })

  it('inputs nested 100,000 levels deep in an act: 400 request.too-deep, and the instance unchanged', async () => {
    const id = await started()
    const before = await snapshot(api.database)
    const body = `{"action":"submit","inputs":${nested(100_000)}}`
    await problem(await api.call('POST', `/v1/instances/${id}/act`, { who: 'customer', body, headers: JSON_TYPE }), 400, 'request.too-deep')
    expect(await snapshot(api.database)).toEqual(before)
  })
})

describe('object members in a JSON body', () => {
  it('counts the names of objects, not colons inside strings', () => {
    const text = '{"a":{"b":1,"c":":::"},"d":[{"e":1}]}'
    expect(jsonShapeProblem(text, 64, 5)).toBeUndefined()
    expect(jsonShapeProblem(text, 64, 4)).toEqual({ kind: 'members', at: text.indexOf('"e":') + 3 })
  })

  it(`inputs of ${(REQUEST_LIMITS.jsonMembers + 1).toLocaleString('en')} names in an act: 413 request.too-large at the body, before parsing, and the instance unchanged`, async () => {
    const id = await started()
    const before = await snapshot(api.database)
    const many = (count: number): string => Array.from({ length: count }, (_, i) => `"k${i}":0`).join(',')
    // The act's own names ("action", "inputs") count too.
    const body = `{"action":"submit","inputs":{${many(REQUEST_LIMITS.jsonMembers - 1)}}}`
    const refused = await problem(await api.call('POST', `/v1/instances/${id}/act`, { who: 'customer', body, headers: JSON_TYPE }), 413, 'request.too-large')
    expect(refused).toMatchObject({ errors: [{ pointer: '', rule: 'maxMembers' }] })
    expect(refused['detail']).toContain('at most 10,000')
    expect(await snapshot(api.database)).toEqual(before)
    // At the limit, the body is read, and refused for what its inputs are.
    const atLimit = `{"action":"submit","inputs":{${many(REQUEST_LIMITS.jsonMembers - 2)}}}`
    await problem(await api.call('POST', `/v1/instances/${id}/act`, { who: 'customer', body: atLimit, headers: JSON_TYPE }), 422, 'input.invalid')
  })
})

describe('attachment ids in an act', () => {
  it('tens of thousands of ids over many slots: 422 request.invalid at /attachments, and the instance unchanged', async () => {
    const id = await started()
    const before = await snapshot(api.database)
    const attachments: Record<string, string[]> = {}
    for (let slot = 0; slot < 700; slot++) attachments[`slot-${slot}`] = Array.from({ length: 50 }, (_, i) => `a-${slot}-${i}`)
    const body = await problem(await api.call('POST', `/v1/instances/${id}/act`, { who: 'customer', json: { action: 'submit', inputs: DEMAND, attachments } }), 422, 'request.invalid')
    expect(body['errors']).toContainEqual(expect.objectContaining({ pointer: '/attachments', rule: 'maxProperties' }))
    expect(await snapshot(api.database)).toEqual(before)
  })

  it('more than 100 ids in all over 20 slots: 422 request.invalid at /attachments', async () => {
    const id = await started()
    const before = await snapshot(api.database)
    const attachments: Record<string, string[]> = {}
    for (let slot = 0; slot < 3; slot++) attachments[`slot-${slot}`] = Array.from({ length: 50 }, (_, i) => `a-${slot}-${i}`)
    const body = await problem(await api.call('POST', `/v1/instances/${id}/act`, { who: 'customer', json: { action: 'submit', inputs: DEMAND, attachments } }), 422, 'request.invalid')
    expect(body['errors']).toEqual([expect.objectContaining({ pointer: '/attachments', rule: 'maxItems' })])
    expect(await snapshot(api.database)).toEqual(before)
  })
})

describe('other request fields', () => {
  it('a start naming thousands of parties or parameters: 422 request.invalid, nothing stored', async () => {
    const before = await snapshot(api.database)
    const many = Object.fromEntries(Array.from({ length: 4000 }, (_, i) => [`role-${i}`, 'x']))
    const body = await problem(await api.call('POST', '/v1/instances', { who: 'admin', json: { process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: many, parameters: many } }), 422, 'request.invalid')
    expect(body['errors']).toEqual(expect.arrayContaining([
      expect.objectContaining({ pointer: '/parties', rule: 'maxProperties' }),
      expect.objectContaining({ pointer: '/parameters', rule: 'maxProperties' }),
    ]))
    expect(await snapshot(api.database)).toEqual(before)
  })

  it('a party role name longer than any role: 422 request.invalid at /parties', async () => {
    const body = await problem(await api.call('POST', '/v1/instances', { who: 'admin', json: { process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { ...PARTIES, ['r'.repeat(500)]: 'x' } } }), 422, 'request.invalid')
    expect(body['errors']).toContainEqual(expect.objectContaining({ pointer: '/parties', rule: 'propertyNames' }))
  })

  it('a list filter longer than 256 characters: 422 request.invalid at its /query pointer', async () => {
    const body = await problem(await api.call('GET', `/v1/instances?process=${'p'.repeat(5000)}&step=ok`, { who: 'admin' }), 422, 'request.invalid')
    expect(body['errors']).toEqual([{ pointer: '/query/process', rule: 'maxLength', message: 'must be at most 256 characters' }])
  })
})
