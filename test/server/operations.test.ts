import { sql } from 'kysely'
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Metrics } from '../../server/metrics.js'
import { Scheduler } from '../../server/scheduler.js'
import { DEMAND } from '../support/engine.js'
import { openApi } from '../support/http.js'
import type { Api } from '../support/http.js'
import { expectProblem as problem } from '../support/problem.js'
import { serveOnLoopback } from '../support/loopback.js'
import type { Loopback } from '../support/loopback.js'

let api: Api
beforeEach(async () => { api = await openApi() })
afterEach(async () => { await api.close() })

const PARTIES = { customer: 'c-1', isv: 'v-1' }

/** A basic delivery waiting for the customer's confirmation, due 14 days after T0. */
async function awaitingConfirmation(): Promise<string> {
  const { id } = await (await api.call('POST', '/v1/instances', { who: 'admin', json: { process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: PARTIES } })).json() as { id: string }
  expect((await api.call('POST', `/v1/instances/${id}/act`, { who: 'customer', json: { action: 'submit', inputs: DEMAND } })).status).toBe(200)
  expect((await api.call('POST', `/v1/instances/${id}/act`, { who: 'isv', json: { action: 'finish' } })).status).toBe(200)
  return id
}

/** The value of the sample `name{labels}` in the Prometheus text, or undefined when absent. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `))
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1))
}

async function scrape(who: 'admin' | 'system' = 'system'): Promise<string> {
  const response = await api.call('GET', '/metrics', { who })
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
  return response.text()
}

describe('GET /readyz', () => {
  it('answers ready while the database answers and its schema is current; 503 server.not-ready naming a migration not run', async () => {
    const ready = await api.call('GET', '/readyz')
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({ status: 'ready' })
    const { name } = (await sql<{ name: string }>`select name from kysely_migration order by name desc limit 1`.execute(api.store.db)).rows[0] as { name: string }
    await sql`delete from kysely_migration where name = ${name}`.execute(api.store.db)
    const body = await problem(await api.call('GET', '/readyz'), 503, 'server.not-ready')
    expect(body['detail']).toContain(name)
    expect((await api.call('GET', '/healthz')).status).toBe(200)
  })
})

describe('GET /metrics', () => {
  it('is for administrators and the system only', async () => {
    await problem(await api.call('GET', '/metrics'), 401, 'auth.missing')
    await problem(await api.call('GET', '/metrics', { who: 'customer' }), 403, 'auth.forbidden')
    await problem(await api.call('GET', '/metrics', { who: 'isv' }), 403, 'auth.forbidden')
    await scrape('admin')
  })

  it('counts requests by route pattern and status, never by raw path, with their latency', async () => {
    const id = await awaitingConfirmation()
    await api.call('GET', `/v1/instances/${id}`, { who: 'customer' })
    await api.call('GET', '/v1/instances/no-such-instance', { who: 'customer' })
    await api.call('GET', '/v1/no-such-route', { who: 'customer' })
    const text = await scrape()
    expect(text).not.toContain(id)
    expect(text).not.toContain('no-such')
    expect(sample(text, 'dc_http_request_duration_seconds_count', 'method="POST",route="/v1/instances/:id/act",status="200"')).toBe(2)
    expect(sample(text, 'dc_http_request_duration_seconds_count', 'method="GET",route="/v1/instances/:id",status="200"')).toBe(1)
    expect(sample(text, 'dc_http_request_duration_seconds_count', 'method="GET",route="/v1/instances/:id",status="404"')).toBe(1)
    expect(sample(text, 'dc_http_request_duration_seconds_count', 'method="GET",route="unmatched",status="404"')).toBe(1)
    expect(sample(text, 'dc_http_request_duration_seconds_bucket', 'le="+Inf",method="POST",route="/v1/instances/:id/act",status="200"')).toBe(2)
  })

  it('counts acts by process and action, and deadlines fired by request', async () => {
    await awaitingConfirmation()
    await api.call('POST', '/v1/advance', { who: 'admin', json: { by: 'P14D' } })
    const text = await scrape()
    expect(sample(text, 'dc_acts_total', 'process="basic",action="submit"')).toBe(1)
    expect(sample(text, 'dc_acts_total', 'process="basic",action="finish"')).toBe(1)
    expect(sample(text, 'dc_deadlines_fired_total', 'by="request"')).toBe(1)
  })

  it('reads failed instances per process and the scheduler lag from the database at each scrape', async () => {
    const late = await awaitingConfirmation()
    const failed = await awaitingConfirmation()
    let text = await scrape()
    expect(sample(text, 'dc_database_up')).toBe(1)
    expect(sample(text, 'dc_scheduler_lag_seconds')).toBe(0)
    expect(sample(text, 'dc_instances_failed', 'process="basic"')).toBeUndefined()

    // 90 s past the first reminder (3 days before the 14-day deadline: due work as a deadline
    // is), nothing sent yet; one instance failed (as the engine marks it).
    api.clock.set(api.clock.now().add({ hours: 11 * 24, seconds: 90 }))
    await sql`update instance set status = 'failed' where id = ${failed}`.execute(api.store.db)
    text = await scrape()
    expect(sample(text, 'dc_scheduler_lag_seconds')).toBe(90)
    expect(sample(text, 'dc_instances_failed', 'process="basic"')).toBe(1)
    expect(late).not.toBe(failed)
  })

  it('times the scheduler\'s rounds and counts what they fired', async () => {
    await awaitingConfirmation()
    api.clock.set(api.clock.now().add({ hours: 14 * 24 }))
    const metrics = new Metrics(api.store, api.clock, pino({ level: 'silent' }))
    await new Scheduler(api.engine, api.store, pino({ level: 'silent' }), 60_000, metrics).tick()
    const text = (await metrics.render()).text
    expect(sample(text, 'dc_deadlines_fired_total', 'by="scheduler"')).toBe(1)
    expect(sample(text, 'dc_scheduler_round_duration_seconds_count')).toBe(1)
  })
})

describe('Cache-Control', () => {
  let server: Loopback
  beforeEach(async () => { server = await serveOnLoopback(api) })
  afterEach(async () => { await server.close() })

  it('is no-store on every answer of an authenticated route and health check, in process and over HTTP, problems included', async () => {
    const admin = { Authorization: `Bearer ${api.tokens.admin}` }
    const cases: Array<[string, Record<string, string>, number]> = [
      ['/v1/instances', admin, 200], ['/v1/instances', {}, 401], ['/v1/instances/nope', admin, 404], ['/v1/processes/basic', admin, 200],
      ['/metrics', admin, 200], ['/healthz', {}, 200], ['/readyz', {}, 200],
    ]
    for (const [path, headers, status] of cases) {
      for (const response of [await api.app.request(path, { headers }), await fetch(`${server.url}${path}`, { headers })]) {
        expect(response.status, path).toBe(status)
        expect(response.headers.get('cache-control'), path).toBe('no-store')
        await response.arrayBuffer()
      }
    }
  })
})

describe('GET /docs', () => {
  it('runs no inline script, forbids it by its Content-Security-Policy, and never persists authorization', async () => {
    const response = await api.call('GET', '/docs')
    const csp = response.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("default-src 'none'")
    expect(csp).not.toContain('unsafe-inline')
    expect(csp).not.toContain('unsafe-eval')
    const html = await response.text()
    // Every script is a file of this server, none inline; no inline style either.
    expect([...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].map(([, attributes, body]) => [/src="\/docs\/assets\/[\w.-]+\.js"/.test(attributes ?? ''), body])).toEqual([[true, ''], [true, '']])
    expect(html).not.toMatch(/<style|style="/)
    const init = await (await api.call('GET', '/docs/assets/init.js')).text()
    expect(init).toContain('persistAuthorization: false')
    expect(init).not.toContain('localStorage')
  })
})
