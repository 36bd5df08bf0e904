import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { EngineError, Principal } from '../../../engine/index.js'
import { ADMIN, CUSTOMER, DEMAND, ISV, OTHER_ISV, openHarness, snapshot } from '../../support/engine.js'
import type { Harness } from '../../support/engine.js'

let h: Harness
beforeEach(async () => { h = await openHarness() })
afterEach(async () => { await h.close() })

const MB = 1024 * 1024

/** Records an uploaded file's metadata as the upload endpoint would after sniffing it. */
async function upload(by: Principal, type: string | null, size: number): Promise<string> {
  const id = randomUUID()
  await h.engine.attachments.record({ id, fileName: `contract.${type ?? 'bin'}`, size, sha256: '0'.repeat(64), type, mediaType: 'application/octet-stream', storageKey: id }, by)
  return id
}

async function atContract(): Promise<string> {
  const { id } = await h.engine.instances.start({ process: 'contract', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)
  await h.engine.instances.act(id, { action: 'submit', inputs: DEMAND }, CUSTOMER)
  return id
}

async function refused(fn: () => Promise<unknown>): Promise<EngineError> {
  const before = await snapshot(h.database)
  const error = await fn().then(() => { throw new Error('accepted') }, (e: unknown) => e as EngineError)
  expect(await snapshot(h.database)).toEqual(before)
  return error
}

describe('contract delivery', () => {
  it('requires the signed contract before delivery, then the customer confirms', async () => {
    const id = await atContract()
    const view = await h.engine.instances.get(id, ISV)
    expect(view.step?.id).toBe('upload-contract')
    expect(view.actions[0]?.attachments).toEqual([{ slot: 'contract', title: 'Signed contract', min: 1, max: 1, types: ['doc', 'docx', 'xlsx', 'ppt', 'pptx', 'pdf', 'png', 'zip', '7z'], maxSize: 5 * MB }])

    expect((await refused(() => h.engine.instances.act(id, { action: 'submit' }, ISV))).code).toBe('attachment.count')
    const pdf = await upload(ISV, 'pdf', 5 * MB)
    const delivered = await h.engine.instances.act(id, { action: 'submit', attachments: { contract: [pdf] } }, ISV)
    expect(delivered.step?.id).toBe('project-delivery')
    expect(delivered.data['upload-contract']?.attachments).toEqual({ contract: [pdf] })
    await h.engine.instances.act(id, { action: 'finish' }, ISV)
    expect(await h.engine.instances.act(id, { action: 'confirm' }, CUSTOMER)).toMatchObject({ status: 'completed' })
  })

  it.each(['doc', 'docx', 'xlsx', 'ppt', 'pptx', 'pdf', 'png', 'zip', '7z'])('accepts a %s contract', async (type) => {
    const id = await atContract()
    const file = await upload(ISV, type, 1000)
    expect((await h.engine.instances.act(id, { action: 'submit', attachments: { contract: [file] } }, ISV)).step?.id).toBe('project-delivery')
  })

  it('refuses a file over 5 MB, one of another type, one of an unrecognised type, and two files', async () => {
    const id = await atContract()
    const big = await upload(ISV, 'pdf', 5 * MB + 1)
    expect(await refused(() => h.engine.instances.act(id, { action: 'submit', attachments: { contract: [big] } }, ISV)))
      .toMatchObject({ code: 'attachment.size', fields: [{ pointer: '/attachments/contract/0', rule: 'size' }] })
    const jpg = await upload(ISV, 'jpg', 1000)
    expect((await refused(() => h.engine.instances.act(id, { action: 'submit', attachments: { contract: [jpg] } }, ISV))).code).toBe('attachment.type')
    const unknown = await upload(ISV, null, 1000)
    expect((await refused(() => h.engine.instances.act(id, { action: 'submit', attachments: { contract: [unknown] } }, ISV))).code).toBe('attachment.type')
    const a = await upload(ISV, 'pdf', 1000)
    const b = await upload(ISV, 'pdf', 1000)
    expect((await refused(() => h.engine.instances.act(id, { action: 'submit', attachments: { contract: [a, b] } }, ISV))).code).toBe('attachment.count')
    expect((await refused(() => h.engine.instances.act(id, { action: 'submit', attachments: { contract: [a], invoice: [b] } }, ISV))).code).toBe('attachment.unknown-slot')
  })

  it('refuses a file someone else uploaded exactly as one that does not exist: no one learns which ids do', async () => {
    const id = await atContract()
    const theirs = await upload(OTHER_ISV, 'pdf', 1000)
    const missing = '0b0f3c1e-5a6d-4f2b-9c8e-1d2e3f4a5b6c'
    const answers = await Promise.all([theirs, missing].map(async (file) => {
      const error = await refused(() => h.engine.instances.act(id, { action: 'submit', attachments: { contract: [file] } }, ISV))
      return JSON.stringify({ code: error.code, message: error.message, fields: error.fields }).replaceAll(file, 'ID')
    }))
    expect(answers[0]).toContain('attachment.not-found')
    expect(answers[1]).toBe(answers[0])
    // A slot named as Object.prototype is (parsed from JSON, an own name): a slot the step does not have.
    const mine = await upload(ISV, 'pdf', 1000)
    const proto = JSON.parse(`{"contract": ["${mine}"], "__proto__": ["${theirs}"]}`) as Record<string, string[]>
    expect(await refused(() => h.engine.instances.act(id, { action: 'submit', attachments: proto }, ISV))).toMatchObject({ code: 'attachment.unknown-slot', fields: [{ pointer: '/attachments/__proto__' }] })
  })

  it('refuses a file already attached to another delivery', async () => {
    const first = await atContract()
    const file = await upload(ISV, 'pdf', 1000)
    await h.engine.instances.act(first, { action: 'submit', attachments: { contract: [file] } }, ISV)
    const second = await atContract()
    expect((await refused(() => h.engine.instances.act(second, { action: 'submit', attachments: { contract: [file] } }, ISV))).code).toBe('attachment.not-found')
  })

  it.each(['submit-demand', 'upload-contract', 'project-delivery', 'confirm-delivery'])('can be terminated by an admin at %s', async (stepId) => {
    const { id } = await h.engine.instances.start({ process: 'contract', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)
    const path = ['submit-demand', 'upload-contract', 'project-delivery', 'confirm-delivery']
    for (const step of path.slice(0, path.indexOf(stepId))) {
      if (step === 'submit-demand') await h.engine.instances.act(id, { action: 'submit', inputs: DEMAND }, CUSTOMER)
      if (step === 'upload-contract') await h.engine.instances.act(id, { action: 'submit', attachments: { contract: [await upload(ISV, 'pdf', 10)] } }, ISV)
      if (step === 'project-delivery') await h.engine.instances.act(id, { action: 'finish' }, ISV)
    }
    expect((await h.engine.instances.get(id, ADMIN)).step?.id).toBe(stepId)
    expect(await h.engine.instances.terminate(id, { reason: 'Contract dispute' }, ADMIN)).toMatchObject({ status: 'terminated' })
  })
  it('refuses the same file twice in one action, and one file raced onto two deliveries', async () => {
    const id = await atContract()
    const file = await upload(ISV, 'pdf', 1000)
    expect((await refused(() => h.engine.instances.act(id, { action: 'submit', attachments: { contract: [file, file] } }, ISV))).code).toBe('attachment.count')
    const other = await atContract()
    const results = await Promise.allSettled([
      h.engine.instances.act(id, { action: 'submit', attachments: { contract: [file] } }, ISV),
      h.engine.instances.act(other, { action: 'submit', attachments: { contract: [file] } }, ISV),
    ])
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected'])
    // The loser either read the file before the winner bound it (its write is refused as stale)
    // or after (the file is no longer one it may attach): which depends on the timing.
    expect(['conflict.stale', 'attachment.not-found']).toContain((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.code)
    expect((await h.store.attachments.find(file))?.instance_id).toBe(results[0].status === 'fulfilled' ? id : other)
  })
})
