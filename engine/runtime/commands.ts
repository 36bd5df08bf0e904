import type { ErrorCode } from '../errors.js'
import type { AttachmentRefs, Principal } from './state.js'

/** What the engine knows of an uploaded file when an action references it. */
export interface AttachmentFacts {
  readonly id: string
  /** The type detected from the content (`pdf`, `docx`, ...), or undefined if unrecognised. */
  readonly type: string | undefined
  readonly size: number
  /**
   * Who uploaded it; only the uploader may attach it. Undefined when there is no attachment of
   * this id: refused as one of another's is, so that no one learns which ids exist.
   */
  readonly uploadedBy: Principal | undefined
  /** The instance it is already attached to, if any. */
  readonly instanceId: string | undefined
  /** What its pixels say, for an image whose content was read when it was uploaded (PNG); undefined otherwise. */
  readonly image?: ImageFacts | undefined
}

/** Facts read from an image's content when it is uploaded, for the slot rules that look at images. */
export interface ImageFacts {
  readonly width: number
  readonly height: number
  /** Whether its background is transparent (see engine/attachments/image-facts.ts); undefined when it could not be decoded. */
  readonly transparentBackground?: boolean | undefined
}

/**
 * The deliveries of a process that a party starting its own has been a party of, started in the
 * last hour, and the earliest's start (null when there is none).
 */
export interface PartyStarts {
  readonly count: number
  readonly earliest: string | null
}

/** A request to change an instance, decided by `decide`. Commands are imperative, events past tense. */
export type Command =
  | {
    readonly type: 'start'; readonly instanceId: string; readonly by: Principal
    readonly parties: Readonly<Record<string, string>>
    readonly parameters?: Readonly<Record<string, unknown>>
    readonly context?: Readonly<Record<string, unknown>>
    /** For a party starting its own delivery (not admin, not system): its recent starts. */
    readonly partyStarts?: PartyStarts
  }
  | {
    readonly type: 'act'; readonly by: Principal; readonly action: string
    /** The step the caller believes is current; refused with `step.not-current` if it is not. */
    readonly step?: string
    readonly inputs?: unknown
    readonly attachments?: Readonly<Record<string, readonly AttachmentFacts[]>>
    readonly expectedRevision?: number
  }
  | { readonly type: 'fire-due' }
  | { readonly type: 'terminate'; readonly by: Principal; readonly reason: string; readonly expectedRevision?: number }
  /** Marks an active instance failed: firing its due deadline failed `attempts` times in a row, the last with this error. */
  | { readonly type: 'fail'; readonly code: ErrorCode; readonly message: string; readonly attempts: number }
  /** Puts a failed instance back to active and fires its due deadlines (administrators). */
  | { readonly type: 'retry'; readonly by: Principal; readonly expectedRevision?: number }

/** Attachment ids per slot, as recorded in events. */
export function attachmentRefs(attachments: Readonly<Record<string, readonly AttachmentFacts[]>> | undefined): AttachmentRefs {
  return Object.fromEntries(Object.entries(attachments ?? {}).map(([slot, files]) => [slot, files.map((f) => f.id)]))
}
