import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { snapshot } from '../support/database.js'
import { openApi } from '../support/http.js'
import type { Api, Who } from '../support/http.js'
import { expectProblem } from '../support/problem.js'

let api: Api
const ids: string[] = []
beforeAll(async () => {
  api = await openApi()
  for (const [customer, orderId] of [['c-1', 'HW-1'], ['c-9', 'HW-9'], ['c-1', 'HW-2']]) {
    const response = await api.call('POST', '/v1/instances', { who: 'admin', json: { process: 'basic', parties: { customer, isv: 'v-1' }, context: { orderId, specification: 'Standard', productId: 'p-1' } } })
    ids.push(((await response.json()) as { id: string }).id)
    api.clock.advance('PT1H')
  }
})
afterAll(async () => { await api.close() })

async function list(who: Who, query: string): Promise<{ ids: string[]; next?: string }> {
  const response = await api.call('GET', `/v1/instances?${query}`, { who })
  expect(response.status, await response.clone().text()).toBe(200)
  const body = (await response.json()) as { items: Array<{ id: string }>; next?: string }
  return { ids: body.items.map((i) => i.id), ...(body.next ? { next: body.next } : {}) }
}

describe('GET /v1/instances filters', () => {
  it('takes orderId, startedFrom, startedTo and order, within what the caller may see', async () => {
    const [hw1, hw9, hw2] = ids as [string, string, string]
    expect((await list('admin', 'orderId=HW-9')).ids).toEqual([hw9])
    expect((await list('customer', 'orderId=HW-9')).ids).toEqual([])
    expect((await list('strangerCustomer', 'orderId=HW-9')).ids).toEqual([hw9])
    expect((await list('customer', 'orderId=hw-1')).ids).toEqual([])
    expect((await list('admin', 'startedFrom=2026-01-01T01:00:00Z&startedTo=2026-01-01T10:00:00.001%2B08:00')).ids).toEqual([hw9, hw2])
    expect((await list('admin', 'startedFrom=2026-01-01T01:00:00Z&startedTo=2026-01-01T10:00:00%2B08:00')).ids).toEqual([hw9])
    expect((await list('customer', 'order=newest')).ids).toEqual([hw2, hw1])
    const first = await list('admin', 'order=newest&limit=2')
    expect(first.ids).toEqual([hw2, hw9])
    expect((await list('admin', `order=newest&limit=2&cursor=${first.next as string}`)).ids).toEqual([hw1])
  })

  it('refuses invalid values with their pointers, and changes nothing', async () => {
    const before = await snapshot(api.database)
    const newest = await list('admin', 'order=newest&limit=1')
    const cases: Array<[string, string, string]> = [
      ['startedFrom=2026-01-01', '/query/startedFrom', 'format'],
      ['startedTo=2026-01-01T00:00:00', '/query/startedTo', 'format'],
      ['startedFrom=2026-02-30T00:00:00Z', '/query/startedFrom', 'format'],
      // Past year 9999 once in UTC, which would compare before every instant kept.
      ['startedFrom=9999-12-31T23:59:59-23:59', '/query/startedFrom', 'format'],
      ['startedTo=9999-12-31T23:59:59.9999Z', '/query/startedTo', 'format'],
      ['order=desc', '/query/order', 'enum'],
      [`orderId=${'x'.repeat(257)}`, '/query/orderId', 'maxLength'],
      [`cursor=${newest.next as string}`, '/query/cursor', 'format'],
      [`cursor=${newest.next as string}&order=oldest`, '/query/cursor', 'format'],
      ['cursor=bm90IGEgY3Vyc29y', '/query/cursor', 'format'],
      ['limit=ten', '/query/limit', 'type'],
      ['limit=501', '/query/limit', 'maximum'],
      ['status=lost', '/query/status', 'enum'],
      ['party=customer', '/query/party', 'pattern'],
      ['sort=id', '/query/sort', 'additionalProperties'],
      // An integer is decimal digits: not what JavaScript would also read as a number.
      ['limit=1e2', '/query/limit', 'type'],
      ['limit=0x10', '/query/limit', 'type'],
      ['limit=10.0', '/query/limit', 'type'],
      ['limit=%2010', '/query/limit', 'type'],
      // A name given twice is refused, not read as its first.
      ['process=basic&process=contract', '/query/process', 'maxItems'],
    ]
    for (const [query, pointer, rule] of cases) {
      const body = await expectProblem(await api.call('GET', `/v1/instances?${query}`, { who: 'admin' }), 422, 'request.invalid')
      expect(body['errors'], query).toEqual([expect.objectContaining({ pointer, rule })])
    }
    const instant = await expectProblem(await api.call('GET', '/v1/instances?startedFrom=soon', { who: 'customer' }), 422, 'request.invalid')
    expect(instant['errors']).toEqual([{ pointer: '/query/startedFrom', rule: 'format', message: expect.stringContaining('RFC 3339') }])
    const unknown = await expectProblem(await api.call('GET', '/v1/instances?sort=id', { who: 'admin' }), 422, 'request.invalid')
    expect(unknown['errors']).toEqual([{ pointer: '/query/sort', rule: 'additionalProperties', message: expect.stringContaining('process, status, step') }])
    expect(await snapshot(api.database)).toEqual(before)
  })

  it('refuses a customer a list of another party, at /query/party, and takes one naming the customer', async () => {
    const [hw1, , hw2] = ids as [string, string, string]
    for (const party of ['customer:c-9', 'isv:v-1']) {
      const body = await expectProblem(await api.call('GET', `/v1/instances?party=${party}`, { who: 'customer' }), 422, 'request.invalid')
      expect(body['errors'], party).toEqual([{ pointer: '/query/party', rule: 'const', message: expect.stringContaining('customer:c-1') }])
    }
    expect((await list('customer', 'party=customer:c-1')).ids).toEqual([hw1, hw2])
  })

  it('reads an empty value as absent, and `waiting=true` as `waiting=me`', async () => {
    expect(await list('customer', 'status=&limit=&order=&cursor=&waiting=true')).toEqual(await list('customer', 'waiting=me'))
  })
})
