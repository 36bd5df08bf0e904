import { compileErrors, validate } from '@readme/openapi-parser'
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import packageJson from '../../package.json' with { type: 'json' }
import apiSchema from '../../schemas/api.schema.json' with { type: 'json' }
import { PROBLEM_TYPES } from '../../server/problem.js'
import { DOCS_ASSETS } from '../../server/routes/meta.js'
import { CONTACT, DEMAND } from '../support/engine.js'
import { FRAGILE } from '../support/fragile.js'
import { openApi } from '../support/http.js'
import type { Api, Who } from '../support/http.js'

type Json = Record<string, unknown>
interface MediaType { schema?: Json }
interface Response { description: string; headers?: Record<string, unknown>; content?: Record<string, MediaType> }
interface Operation { operationId: string; summary: string; description: string; security?: unknown; parameters?: Json[]; requestBody?: Json; responses: Record<string, Response> }
interface Document { openapi: string; info: Json; servers: unknown; paths: Record<string, Record<string, Operation>>; components: Json; 'x-problem-types': unknown }

const METHODS = ['get', 'put', 'post', 'delete', 'patch']
const RESPONSE_DEFS = ['Health', 'Readiness', 'InstanceView', 'InstanceList', 'EventRecord', 'History', 'ProcessSummary', 'ProcessList', 'ProcessDetail', 'Attachment', 'Clock', 'AdvanceResult', 'Token', 'TokenList', 'ConsoleSignInLink', 'EventPage', 'PublicEvent', 'DeliverySummary', 'DeliveryStartedData', 'DeliveryStepEnteredData', 'DeliveryActionPerformedData', 'DeliveryWindowExpiredData', 'DeliveryCompletedData', 'DeliveryTerminatedData', 'DeliveryFailedData', 'DeliveryRetriedData', 'WebhookEndpoint', 'WebhookEndpointWithSecret', 'WebhookEndpointList', 'WebhookAttempt', 'WebhookAttemptList', 'WebhookResendResult']

let api: Api
let doc: Document
beforeEach(async () => {
  api = await openApi()
  const response = await api.call('GET', '/openapi.json')
  expect(response.status).toBe(200)
  doc = await response.json() as Document
})
afterEach(async () => { await api.close() })

function operations(): Array<[string, string, Operation]> {
  return Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).filter(([method]) => METHODS.includes(method)).map(([method, op]): [string, string, Operation] => [method, path, op]))
}

/**
 * Checks real responses against the document: the status and media type must be documented for
 * the operation, and a JSON body must match its schema (ajv, JSON Schema 2020-12, formats on).
 */
function documentedResponses(document: Document) {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, logger: false })
  addFormatsModule.default(ajv)
  ajv.addKeyword('components') // the document's components, so `#/components/schemas/X` resolves as in the document
  ajv.addSchema({ $id: 'urn:delivery-center:openapi', components: document.components })
  const compiled = new Map<Json, ValidateFunction>()
  const covered = new Set<string>()
  const templates = Object.keys(document.paths).map((path) => [path, new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`)] as const)
  return {
    covered,
    async check(method: string, url: string, response: globalThis.Response): Promise<void> {
      const pathname = new URL(url, 'http://localhost').pathname
      // A literal path (/v1/processes/validate) before a template it also matches (/v1/processes/{id}).
      const path = pathname in document.paths ? pathname : templates.find(([, pattern]) => pattern.test(pathname))?.[0] ?? pathname
      const documented = document.paths[path]?.[method.toLowerCase()]?.responses[String(response.status)]
      expect(documented, `${method} ${path} documents status ${response.status}`).toBeDefined()
      const type = (response.headers.get('content-type') ?? '').split(';')[0] as string
      const media = documented?.content?.[type] ?? documented?.content?.['*/*']
      expect(media, `${method} ${path} ${response.status} documents ${type}`).toBeDefined()
      covered.add(`${method.toLowerCase()} ${path}`)
      if (!/json$/.test(type) || !media?.schema) return
      const schema = media.schema
      let validator = compiled.get(schema)
      if (!validator) {
        validator = typeof schema['$ref'] === 'string' ? ajv.getSchema(`urn:delivery-center:openapi${schema['$ref']}`) as ValidateFunction : ajv.compile(schema)
        compiled.set(schema, validator)
      }
      const body: unknown = await response.clone().json()
      expect(validator(body) ? [] : validator.errors, `${method} ${url} ${response.status} matches its schema`).toEqual([])
    },
  }
}

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc).toMatchObject({ openapi: '3.1.0', info: { title: expect.any(String), version: packageJson.version }, servers: [{ url: '/' }] })
    const result = await validate(structuredClone(doc) as unknown as Parameters<typeof validate>[0])
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true)
    expect(result.specification).toBe('OpenAPI')
    expect(doc.info['description']).toMatch(/Bearer[\s\S]*Idempotency-Key[\s\S]*application\/problem\+json[\s\S]*\/problems\/<code>/)
  })

  it('describes every route the app serves, and no other (but for the console\'s pages, which are not API)', () => {
    const served = api.app.routes
      .filter((route) => route.method !== 'ALL' && !route.path.startsWith(DOCS_ASSETS) && !route.path.startsWith('/console') && route.path !== '/')
      .map((route) => `${route.method.toLowerCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`)
    expect(operations().map(([method, path]) => `${method} ${path}`).sort()).toEqual([...new Set(served)].sort())
  })

  it('says who may call each operation and how it fails, with bearer auth and idempotency keys on /v1', () => {
    const ids = operations().map(([, , op]) => op.operationId)
    expect(new Set(ids).size).toBe(ids.length)
    for (const [method, path, op] of operations()) {
      const where = `${method} ${path}`
      expect(op.summary, where).toBeTruthy()
      expect(op.description, where).toMatch(/Callers: /)
      expect(op.security, where).toEqual(path.startsWith('/v1/') || path === '/metrics' ? [{ bearer: [] }] : undefined)
      expect(op.parameters?.some((p) => p['$ref'] === '#/components/parameters/IdempotencyKey') ?? false, where).toBe(method === 'post')
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue
        expect(response.content, `${where} ${status}`).toEqual({ 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } })
        for (const code of response.description.match(/`[a-z-]+\.[a-z.-]+`/g) ?? []) {
          expect(PROBLEM_TYPES[code.slice(1, -1) as keyof typeof PROBLEM_TYPES]?.status, `${where} ${status} ${code}`).toBe(Number(status))
        }
      }
      if (path.startsWith('/v1/')) expect(Object.keys(op.responses), where).toEqual(expect.arrayContaining(['401', '500']))
    }
    expect(doc['x-problem-types']).toEqual(Object.entries(PROBLEM_TYPES).map(([code, { status, title }]) => ({ code, status, title, type: `/problems/${code}` })))
  })

  it('takes its schemas from schemas/api.schema.json, each response property described', () => {
    const schemas = (doc.components['schemas'] ?? {}) as Record<string, Json>
    const [queries, bodies] = [Object.keys(apiSchema.$defs).filter((name) => name.endsWith('Query')), Object.keys(apiSchema.$defs).filter((name) => !name.endsWith('Query'))]
    for (const name of bodies) expect(JSON.stringify(schemas[name])).toBe(JSON.stringify(apiSchema.$defs[name as keyof typeof apiSchema.$defs]).replaceAll('#/$defs/', '#/components/schemas/'))
    // The query shapes are the operations' query parameters, with their descriptions.
    const parameters = operations().flatMap(([, , op]) => (op.parameters ?? []) as unknown as Json[])
    for (const name of queries) {
      expect(schemas[name], name).toBeUndefined()
      for (const [param, property] of Object.entries((apiSchema.$defs[name as keyof typeof apiSchema.$defs] as unknown as { properties: Json }).properties)) {
        expect(parameters, `${name}/${param}`).toContainEqual(expect.objectContaining({ name: param, in: 'query', description: (property as Json)['description'] }))
      }
    }
    expect(JSON.stringify(doc)).not.toContain('#/$defs/')
    const undescribed: string[] = []
    const walk = (schema: unknown, at: string): void => {
      if (schema === null || typeof schema !== 'object') return
      for (const [key, value] of Object.entries(schema)) {
        if (key === 'properties') for (const [name, property] of Object.entries(value as Json)) if (!(property as Json)['description']) undescribed.push(`${at}/${name}`)
        walk(value, `${at}/${key}`)
      }
    }
    for (const name of RESPONSE_DEFS) walk(apiSchema.$defs[name as keyof typeof apiSchema.$defs], name)
    expect(undescribed).toEqual([])
  })

  it('matches the real responses of deliveries driven through every operation', async () => {
    const { check, covered } = documentedResponses(doc)
    const call = async (method: string, path: string, options: Parameters<Api['call']>[2] = {}): Promise<globalThis.Response> => {
      const response = await api.call(method, path, options)
      await check(method, path, response)
      return response
    }
    const body = async <T = Json>(response: globalThis.Response): Promise<T> => await response.json() as T
    const start = (process: string, parameters?: Json) => call('POST', '/v1/instances', { who: 'admin', json: { process, parties: { customer: 'c-1', isv: 'v-1' }, context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, ...(parameters ? { parameters } : {}) } })
    const act = (id: string, who: Who, json: Json) => call('POST', `/v1/instances/${id}/act`, { who, json })

    await call('GET', '/healthz')
    await call('GET', '/readyz')
    await call('GET', '/metrics', { who: 'system' })
    await call('GET', '/metrics', { who: 'customer' })
    await call('GET', '/openapi.json')
    await call('GET', '/docs')
    await call('GET', '/v1/processes', { who: 'isv' })
    const basic = await body<{ source: string }>(await call('GET', '/v1/processes/basic?version=6', { who: 'customer' }))
    await call('GET', '/v1/processes/basic/diagram', { who: 'customer' })
    expect((await call('PUT', '/v1/processes/basic', { who: 'admin', body: basic.source, headers: { 'Content-Type': 'application/yaml' } })).status).toBe(200)
    await call('POST', '/v1/processes/validate', { who: 'isv', json: { definition: basic.source, scenarios: 'process: basic\nscenarios:\n  - name: x\n    start: { parties: { customer: c-1 }, expect: { phase: submit-demand } }\n' } })
    await call('POST', '/v1/processes/validate', { who: 'isv', json: { definition: 'id: x\n' } })
    const form = new FormData()
    form.append('file', new Blob(['%PDF-1.4\n%%EOF\n']), 'demands.pdf')
    const doc1 = await body<{ id: string }>(await call('POST', '/v1/attachments', { who: 'customer', body: form }))
    await call('POST', '/v1/attachments?filename=notes.txt', { who: 'customer', body: 'notes', headers: { 'Content-Type': 'application/octet-stream' } })

    const first = await start('basic')
    expect(first.status).toBe(201)
    const { id } = await body<{ id: string }>(first)
    await call('GET', `/v1/instances/${id}`, { who: 'customer' })
    await act(id, 'customer', { action: 'submit', inputs: DEMAND, attachments: { 'demand-documents': [doc1.id] } })
    await act(id, 'isv', { action: 'finish' })
    await call('GET', '/v1/clock', { who: 'customer' })
    await call('POST', `/v1/instances/${id}/advance`, { who: 'admin' })
    // The customer's first reminder (3 days before the confirmation), then the confirmation.
    expect(await body(await call('POST', '/v1/advance', { who: 'admin', json: { by: 'P12D' } }))).toMatchObject({ fired: 0, instances: 1 })
    expect(await body(await call('GET', `/v1/instances/${id}`, { who: 'customer' }))).toMatchObject({ reminder: { kind: 'timeout', remind: 'P3D' } })
    await call('GET', `/v1/instances/${id}/history`, { who: 'customer' })
    expect(await body(await call('POST', '/v1/advance', { who: 'admin', json: { by: 'P3D' } }))).toMatchObject({ fired: 1 })
    await call('GET', `/v1/instances/${id}/history`, { who: 'customer' })
    await call('GET', `/v1/attachments/${doc1.id}`, { who: 'isv' })
    expect(await body(await call('GET', `/v1/instances/${id}/validity`, { who: 'system' }))).toMatchObject({ valid: false, reason: 'not-declared' })
    expect((await call('GET', `/v1/instances/${id}/validity?at=2026-02-30T00:00:00Z`, { who: 'customer' })).status).toBe(422)
    expect((await call('GET', `/v1/instances/${id}/validity`, { who: 'strangerCustomer' })).status).toBe(404)

    const warranty = await body<{ id: string }>(await start('double-check', { warrantyPeriod: 'P30D' }))
    await act(warranty.id, 'customer', { action: 'submit', inputs: { contact: CONTACT, demands: 'Install and tune' } })
    await act(warranty.id, 'isv', { action: 'finish' })
    expect(await body(await act(warranty.id, 'customer', { action: 'confirm' }))).toMatchObject({ windows: [expect.anything()] })
    await call('POST', '/v1/advance', { who: 'system', json: { by: 'P31D' } })
    await call('GET', `/v1/instances/${warranty.id}/history`, { who: 'isv' })

    const ended = await body<{ id: string }>(await start('basic'))
    await call('POST', `/v1/instances/${ended.id}/terminate`, { who: 'admin', json: { reason: 'Order refunded' } })
    await call('GET', `/v1/instances/${ended.id}/history`, { who: 'admin' })
    expect(await body(await call('GET', '/v1/instances?limit=2', { who: 'admin' }))).toMatchObject({ next: expect.any(String) })
    await call('GET', '/v1/instances?waiting=me&status=active', { who: 'customer' })
    expect((await call('POST', `/v1/instances/${ended.id}/retry`, { who: 'admin' })).status).toBe(409)

    // An instance whose due deadline keeps failing: marked failed after three rounds.
    expect((await call('PUT', '/v1/processes/fragile', { who: 'admin', body: FRAGILE, headers: { 'Content-Type': 'application/yaml' } })).status).toBe(201)
    const fragile = await body<{ id: string }>(await start('fragile', { amount: 'x' }))
    for (const by of ['P1D', 'PT1M', 'PT1M']) await call('POST', '/v1/advance', { who: 'admin', json: { by } })
    expect(await body(await call('GET', `/v1/instances/${fragile.id}`, { who: 'admin' }))).toMatchObject({ status: 'failed', failure: { attempts: 3 } })
    await call('GET', `/v1/instances/${fragile.id}/history`, { who: 'admin' })
    await call('GET', '/v1/instances?status=failed', { who: 'admin' })
    expect((await call('POST', `/v1/instances/${fragile.id}/retry`, { who: 'admin' })).status).toBe(422)

    // Problems: each must be a documented status of its operation and match Problem.
    await call('GET', '/v1/clock')
    await call('GET', '/v1/instances/nope', { who: 'customer' })
    await call('POST', '/v1/instances', { who: 'customer', json: { process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: {} } })
    await call('POST', `/v1/instances/${ended.id}/act`, { who: 'customer', json: { action: 'submit', extra: 1 } })
    await call('POST', '/v1/advance', { who: 'admin', json: { to: '2020-01-01T00:00:00Z' } })
    await call('PUT', '/v1/processes/basic', { who: 'admin', body: 'id: basic\nversion: 1\n', headers: { 'Content-Type': 'application/yaml' } })

    // Proposals: an ISV's customised procedure, returned with a comment, amended, approved.
    const proposed = 'id: v-basic\nversion: 1\nextends: basic@6\ntitle: Basic delivery, customised\n'
    const proposal = await body<{ id: string }>(await call('POST', '/v1/proposals', { who: 'isv', json: { definition: proposed } }))
    await call('POST', '/v1/proposals', { who: 'isv', json: { definition: 'id: x\n' } })
    await call('POST', '/v1/proposals', { who: 'admin', json: { definition: proposed } })
    await call('GET', '/v1/proposals?status=submitted', { who: 'admin' })
    await call('GET', `/v1/proposals/${proposal.id}`, { who: 'isv' })
    await call('GET', `/v1/proposals/${proposal.id}`, { who: 'customer' })
    await call('POST', `/v1/proposals/${proposal.id}/return`, { who: 'admin', json: { comment: '' } })
    await call('POST', `/v1/proposals/${proposal.id}/return`, { who: 'admin', json: { comment: 'Name the product in the title.' } })
    await call('POST', `/v1/proposals/${proposal.id}/amend`, { who: 'isv', json: { definition: proposed.replace('customised', 'for ACME Backup'), expectedRevision: 2 } })
    await call('POST', `/v1/proposals/${proposal.id}/approve`, { who: 'isv', json: {} })
    await call('POST', `/v1/proposals/${proposal.id}/approve`, { who: 'admin', json: { expectedRevision: 1 } })
    expect(await body(await call('POST', `/v1/proposals/${proposal.id}/approve`, { who: 'admin', json: { comment: 'Thanks.' } }))).toMatchObject({ status: 'approved', registered: { id: 'v-basic', version: 1 } })
    await call('POST', `/v1/proposals/${proposal.id}/withdraw`, { who: 'isv' })
    await call('GET', '/v1/proposals', { who: 'isv' })

    const { items: tokens } = await body<{ items: Array<{ id: string; role: string }> }>(await call('GET', '/v1/tokens', { who: 'admin' }))
    await call('GET', '/v1/tokens', { who: 'customer' })
    await call('DELETE', `/v1/tokens/${tokens.find((t) => t.role === 'isv')?.id ?? ''}`, { who: 'admin' })
    await call('DELETE', '/v1/tokens/0000000000000000', { who: 'admin' })
    await call('POST', '/v1/console-sessions', { who: 'system', json: { role: 'customer', subject: 'c-1', returnUrl: '/console' } })
    await call('POST', '/v1/console-sessions', { who: 'customer', json: { role: 'customer', subject: 'c-1' } })
    await call('POST', '/v1/console-sessions', { who: 'admin', json: { role: 'customer', subject: 'c-1', returnUrl: '//evil.example' } })

    // The event feed, and its stream's first answer (the stream itself is tested in events-stream.test.ts).
    // Every type of event above, once the feed shows them all (on PostgreSQL, once every older transaction has ended).
    const types = ['delivery.started', 'delivery.step-entered', 'delivery.action-performed', 'delivery.window-expired', 'delivery.completed', 'delivery.terminated', 'delivery.failed', 'delivery.deadline-approaching']
    const shown = async (): Promise<string[]> => (await body<{ items: Array<{ type: string }> }>(await api.call('GET', '/v1/events?limit=500', { who: 'admin' }))).items.map((event) => event.type)
    let seen = await shown()
    for (const until = performance.now() + 20_000; !types.every((type) => seen.includes(type)) && performance.now() < until;) seen = await shown()
    expect(new Set((await body<{ items: Array<{ type: string }> }>(await call('GET', '/v1/events?limit=500', { who: 'admin' }))).items.map((event) => event.type))).toEqual(new Set(types))
    await call('GET', '/v1/events?limit=2', { who: 'customer' })
    await call('GET', '/v1/events?types=delivery.nope', { who: 'admin' })
    const stream = await call('GET', '/v1/events/stream?types=delivery.completed', { who: 'admin' })
    await stream.body?.cancel()
    await call('GET', '/v1/events/stream?after=!', { who: 'admin' })
    // Webhook endpoints (the test server refuses internal addresses: a public one, never called here).
    const hook = await body<{ id: string }>(await call('POST', '/v1/webhook-endpoints', { who: 'admin', json: { url: 'https://93.184.215.14/hooks', types: ['delivery.completed'] } }))
    await call('POST', '/v1/webhook-endpoints', { who: 'admin', json: { url: 'http://127.0.0.1/hooks' } })
    await call('GET', '/v1/webhook-endpoints', { who: 'system' })
    await call('GET', `/v1/webhook-endpoints/${hook.id}`, { who: 'admin' })
    await call('GET', '/v1/webhook-endpoints/we_none', { who: 'admin' })
    await call('PATCH', `/v1/webhook-endpoints/${hook.id}`, { who: 'admin', json: { description: 'ERP', process: null } })
    await call('POST', `/v1/webhook-endpoints/${hook.id}/disable`, { who: 'admin' })
    await call('POST', `/v1/webhook-endpoints/${hook.id}/enable`, { who: 'admin' })
    await call('POST', `/v1/webhook-endpoints/${hook.id}/rotate-secret`, { who: 'admin', json: { overlapSeconds: 3600 } })
    await call('GET', `/v1/webhook-endpoints/${hook.id}/attempts?limit=10`, { who: 'admin' })
    await call('POST', `/v1/webhook-endpoints/${hook.id}/resend`, { who: 'admin', json: { since: '2026-01-01T00:00:00Z' } })
    await call('POST', `/v1/webhook-endpoints/${hook.id}/resend`, { who: 'admin', json: { eventId: 'nope.1' } })
    await call('GET', '/v1/webhook-endpoints', { who: 'customer' })
    await call('DELETE', `/v1/webhook-endpoints/${hook.id}`, { who: 'admin' })

    expect([...covered].sort()).toEqual(operations().map(([method, path]) => `${method} ${path}`).sort())
  })
})

describe('GET /docs', () => {
  it('is an HTML page whose scripts and styles this server serves', async () => {
    const response = await api.call('GET', '/docs')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/html/)
    const html = await response.text()
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] as string)
    expect(assets).toEqual([`${DOCS_ASSETS}/swagger-ui.css`, `${DOCS_ASSETS}/swagger-ui-bundle.js`, `${DOCS_ASSETS}/init.js`])
    const init = await (await api.call('GET', `${DOCS_ASSETS}/init.js`)).text()
    expect(init).toContain("url: '/openapi.json'")
    expect(init).toContain("validatorUrl: 'none'") // no request to Swagger's online validator
    for (const asset of assets) {
      const file = await api.call('GET', asset)
      expect(file.status, asset).toBe(200)
      expect(file.headers.get('content-type'), asset).toMatch(/^(text\/css|text\/javascript)/)
    }
    expect((await api.call('GET', `${DOCS_ASSETS}/package.json`)).status).toBe(404)
  })
})
