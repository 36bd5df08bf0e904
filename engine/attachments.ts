import type { Clock } from './clock.js'
import type { AttachmentRecord } from './engine-requests.js'
import { EngineError } from './errors.js'
import { mayDownload } from './runtime/authorize.js'
import type { Principal } from './runtime/state.js'
import { iso } from './runtime/time.js'
import type { AttachmentRepository, AttachmentRow } from './store/attachment-repository.js'
import type { InstanceRepository } from './store/instance-repository.js'

/** Records of uploaded files: whose they are and who may download them (the bytes are the server's). */
export class Attachments {
  readonly #rows: AttachmentRepository
  readonly #instances: InstanceRepository
  readonly #clock: Clock

  constructor(rows: AttachmentRepository, instances: InstanceRepository, clock: Clock) {
    this.#rows = rows
    this.#instances = instances
    this.#clock = clock
  }

  /** Metadata of an attachment `by` may download (see {@link mayDownload}); strangers are told it does not exist. */
  async find(id: string, by: Principal): Promise<AttachmentRow> {
    const row = await this.#rows.find(id)
    const instance = row?.instance_id ? (await this.#instances.find(row.instance_id))?.state : undefined
    if (!row || !mayDownload({ role: row.uploaded_by_role, subject: row.uploaded_by_subject }, instance, by)) {
      throw new EngineError('attachment.not-found', `There is no attachment "${id}" that you may see.`)
    }
    return row
  }

  /** Records the metadata of a file whose bytes are already stored, uploaded by `by`. */
  async record(record: AttachmentRecord, by: Principal): Promise<void> {
    await this.#rows.insert({
      id: record.id, uploaded_by_role: by.role, uploaded_by_subject: by.subject, instance_id: null,
      file_name: record.fileName, size: record.size, sha256: record.sha256, type: record.type,
      media_type: record.mediaType, storage_key: record.storageKey, created_at: iso(this.#clock.now()),
      image: record.image ? JSON.stringify(record.image) : null,
    })
  }
}
