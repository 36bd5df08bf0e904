import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AttachmentRow } from '../../../engine/index.js'
import { ADMIN, openHarness } from '../../support/engine.js'
import type { Harness } from '../../support/engine.js'

let h: Harness
beforeEach(async () => { h = await openHarness() })
afterEach(async () => { await h.close() })

const C1 = { role: 'customer', subject: 'c-1' }

/** Records an upload of `size` bytes by `by` at `at`, optionally attached to `instanceId`. */
async function uploaded(by: { role: string; subject: string }, at: string, size = 100, instanceId: string | null = null): Promise<AttachmentRow> {
  const row: AttachmentRow = {
    id: randomUUID(), uploaded_by_role: by.role, uploaded_by_subject: by.subject, instance_id: instanceId, file_name: 'f.bin',
    size, sha256: '0'.repeat(64), type: null, media_type: 'application/octet-stream', storage_key: randomUUID(), created_at: at, image: null,
  }
  await h.store.attachments.insert(row)
  return row
}

async function instance(): Promise<string> {
  return (await h.engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)).id
}

describe('AttachmentRepository, for quotas and expiry', () => {
  it('usageSince counts one uploader\'s files and bytes stored after an instant, with the earliest of them', async () => {
    await uploaded(C1, '2026-01-01T00:00:00.000Z', 1000) // exactly at `since`: out
    await uploaded(C1, '2026-01-01T00:00:00.001Z', 2000)
    await uploaded(C1, '2026-01-01T00:30:00.000Z', 2_000_000_000)
    await uploaded(C1, '2026-01-01T00:31:00.000Z', 2_000_000_000) // the sum passes 32 bits
    await uploaded({ role: 'customer', subject: 'c-2' }, '2026-01-01T00:10:00.000Z', 5)
    await uploaded({ role: 'isv', subject: 'c-1' }, '2026-01-01T00:10:00.000Z', 5)
    await uploaded(C1, '2026-01-01T00:40:00.000Z', 7, await instance()) // attached uploads count too

    expect(await h.store.attachments.usageSince(C1, '2026-01-01T00:00:00.000Z'))
      .toEqual({ files: 4, bytes: 4_000_002_007, earliest: '2026-01-01T00:00:00.001Z' })
    expect(await h.store.attachments.usageSince(C1, '2026-01-01T01:00:00.000Z')).toEqual({ files: 0, bytes: 0, earliest: null })
  })

  it('unattachedBefore lists the oldest uploads never attached, up to a limit; deleteUnattached deletes those still unattached', async () => {
    const old1 = await uploaded(C1, '2026-01-01T00:00:00.000Z')
    const old2 = await uploaded(C1, '2026-01-01T00:00:01.000Z')
    const old3 = await uploaded(C1, '2026-01-01T00:00:02.000Z')
    await uploaded(C1, '2026-01-01T00:00:00.500Z', 100, await instance()) // attached
    const fresh = await uploaded(C1, '2026-01-02T00:00:00.000Z') // at the cutoff: kept

    const cutoff = '2026-01-02T00:00:00.000Z'
    expect(await h.store.attachments.unattachedBefore(cutoff, 2)).toEqual([
      { id: old1.id, storageKey: old1.storage_key }, { id: old2.id, storageKey: old2.storage_key },
    ])
    expect((await h.store.attachments.unattachedBefore(cutoff, 10)).map((u) => u.id)).toEqual([old1.id, old2.id, old3.id])

    // old2 is attached meanwhile: it stays.
    await h.store.db.updateTable('attachment').set({ instance_id: await instance() }).where('id', '=', old2.id).execute()
    expect((await h.store.attachments.deleteUnattached([old1.id, old2.id, old3.id])).sort()).toEqual([old1.storage_key, old3.storage_key].sort())
    expect((await h.store.attachments.findMany([old1.id, old2.id, old3.id, fresh.id])).map((r) => r.id).sort()).toEqual([old2.id, fresh.id].sort())
    expect(await h.store.attachments.deleteUnattached([])).toEqual([])
    expect(await h.store.attachments.unattachedBefore(cutoff, 10)).toEqual([])
  })
})
