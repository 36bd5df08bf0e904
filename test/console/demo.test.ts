import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_PEOPLE, sampleOf, seedDemo } from '../../console/demo.js'
import type { DemoSummary } from '../../console/demo.js'
import { resolveConfig } from '../../server/config.js'
import { openApi } from '../support/http.js'
import type { Api } from '../support/http.js'
import { AttachmentStorage } from '../../engine/attachments/index.js'

let api: Api
let summary: DemoSummary
beforeAll(async () => {
  api = await openApi()
  summary = await seedDemo(api.engine, new AttachmentStorage(api.attachmentsDir))
})
afterAll(async () => { await api.close() })

describe('the demo (serve --demo)', () => {
  it('seeds deliveries of every built-in process at different phases, ended ones included', async () => {
    const builtIns = (await api.engine.processes.list(DEMO_PEOPLE.admin)).map((p) => p.id)
    expect(summary.processes.map((p) => p.id)).toEqual(builtIns)
    expect(builtIns).toHaveLength(6)
    for (const { id, phases } of summary.processes) {
      const process = await api.engine.processes.get(id)
      expect(new Set(phases).size, id).toBeGreaterThanOrEqual(Math.min(3, process.steps.size))
      expect(phases.some((phase) => phase.startsWith('end:')) || phases.length > process.steps.size, id).toBe(true)
    }
    expect(summary.deliveries).toBe(summary.processes.reduce((n, p) => n + p.phases.length, 0))
    expect(summary.processes[0]?.phases.at(-1)).toBe('end:terminated')
  })

  it('gives the demo customer work waiting on them, and the demo ISV theirs, each with an order ID', async () => {
    for (const who of [DEMO_PEOPLE.customer, DEMO_PEOPLE.isv]) {
      const waiting = await api.engine.instances.list({ waitingOnMe: true, limit: 100 }, who)
      expect(waiting.items.length, who.role).toBeGreaterThan(3)
      for (const view of waiting.items) expect(view.context['orderId']).toMatch(/^DEMO-\d+$/)
    }
  })

  it('attaches real sample files where a slot needs them', async () => {
    const { items } = await api.engine.instances.list({ process: 'contract', step: 'project-delivery', limit: 1 }, DEMO_PEOPLE.admin)
    const ids = items[0]?.data['upload-contract']?.attachments['contract'] ?? []
    expect(ids).toHaveLength(1)
    expect(await api.engine.attachments.find(ids[0] as string, DEMO_PEOPLE.customer)).toMatchObject({ file_name: 'sample.pdf', type: 'pdf' })
  })

  it('runs on the sandbox clock', () => {
    expect(resolveConfig({ demo: true }, {})).toMatchObject({ demo: true, sandbox: true })
    expect(resolveConfig({}, {})).toMatchObject({ demo: false, sandbox: false })
  })
})

describe('sample values made from a schema', () => {
  it('fit the schema: defaults, choices, formats, patterns, bounds and required properties only', () => {
    expect(sampleOf({
      type: 'object', required: ['name', 'contact', 'count', 'kind', 'when', 'tags'],
      properties: {
        name: { type: 'string', maxLength: 100 },
        contact: { type: 'object', required: ['name', 'phone', 'email'], properties: { name: { type: 'string' }, phone: { type: 'string', pattern: '^\\+?[0-9][0-9 ()-]{4,30}$' }, email: { type: 'string', format: 'email' }, note: { type: 'string' } } },
        count: { type: 'integer', minimum: 3 }, kind: { enum: ['a', 'b'] }, when: { type: 'string', format: 'date-time' },
        tags: { type: 'array', minItems: 2, items: { type: 'string', default: 't' } }, optional: { type: 'string' },
      },
    }, 'inputs')).toEqual({
      name: 'Sample name', contact: { name: 'Li Lei', phone: '+86 138 0000 0000', email: 'demo@example.com' }, count: 3, kind: 'a', when: '2026-01-15T01:00:00Z', tags: ['t', 't'],
    })
  })
})
