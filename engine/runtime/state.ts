import type { ErrorCode } from '../errors.js'

/** Who performs a command: a role and the subject (user or system id) holding it. */
export interface Principal {
  readonly role: string
  readonly subject: string
}

/** A principal written `ROLE:SUBJECT` (as in query strings and on the command line); undefined if `text` is not one. */
export function parsePrincipal(text: string): Principal | undefined {
  const at = text.indexOf(':')
  if (at <= 0 || at === text.length - 1) return undefined
  return { role: text.slice(0, at), subject: text.slice(at + 1) }
}

/** The system itself, which fires deadlines. */
export const SYSTEM: Principal = Object.freeze({ role: 'system', subject: 'system' })

/** Ids of uploaded attachments, per slot of an action. */
export type AttachmentRefs = Readonly<Record<string, readonly string[]>>

/** What was last submitted in a step: kept as recorded data, shown with the instance. */
export interface StepRecord {
  readonly action: string
  readonly round: number
  readonly by: Principal
  readonly at: string
  readonly inputs: unknown
  readonly attachments: AttachmentRefs
}

/** A reminder before a deadline: `offset` (as written, `P3D`) before it, at the instant `at`, fixed when the deadline was set. */
export interface ScheduledReminder {
  readonly offset: string
  readonly at: string
}

/** A reminder kept with its deadline; once sent, when the engine sent it (`sentAt`) and to which roles (`sentTo`). */
export interface DeadlineReminder extends ScheduledReminder {
  readonly sentAt?: string
  readonly sentTo?: readonly string[]
}

/** The pending deadlines of an instance, as absolute instants fixed when they were set. */
export interface Deadlines {
  /** The current step's timeout, if it has one, with its reminders (absent when none). */
  readonly timeout: {
    readonly step: string; readonly action: string; readonly due: string; readonly reminders?: readonly DeadlineReminder[]
  } | undefined
  /** Open windows by id, with the instant each opened and expires, and its reminders (absent when none). */
  readonly windows: Readonly<Record<string, { readonly openedAt: string; readonly due: string; readonly reminders?: readonly DeadlineReminder[] }>>
}

/**
 * Every status an instance can be in, the one list the API's filters and schemas follow:
 * `active` while it runs; `completed` or `terminated` once it has ended; `failed` when its due
 * deadline could not be fired several times in a row (it then waits for an administrator to
 * retry or terminate it, its deadlines kept).
 */
export const INSTANCE_STATUSES = ['active', 'completed', 'terminated', 'failed'] as const

export type InstanceStatus = (typeof INSTANCE_STATUSES)[number]

/** Why an instance was marked failed: the last error of firing its due deadline, and after how many attempts in a row. */
export interface InstanceFailure {
  readonly code: ErrorCode
  readonly message: string
  /** When it was marked failed. */
  readonly at: string
  readonly attempts: number
}

/**
 * Everything the engine knows about one instance. A plain, JSON-serialisable value: the store
 * keeps it as is, and `evolve` derives it from the instance's events.
 */
export interface InstanceState {
  readonly id: string
  readonly processId: string
  readonly processVersion: number
  readonly status: InstanceStatus
  /** The outcome of a completed instance (`completed`, `warranty-expired`, ...), or `terminated`. */
  readonly outcome: string | undefined
  /** The current step (the phase); undefined once the instance has ended. */
  readonly step: string | undefined
  readonly stepEnteredAt: string | undefined
  /** How many times each step has been entered (a rejection loop starts a new round). */
  readonly rounds: Readonly<Record<string, number>>
  /** Subject of each party role, e.g. `{ customer: 'c-1', isv: 'v-7' }`. */
  readonly parties: Readonly<Record<string, string>>
  readonly parameters: Readonly<Record<string, unknown>>
  readonly context: Readonly<Record<string, unknown>>
  /** Latest submission per step. */
  readonly data: Readonly<Record<string, StepRecord>>
  /** Values recorded by actions' `record` expressions (e.g. a validity period). */
  readonly values: Readonly<Record<string, unknown>>
  readonly deadlines: Deadlines
  /** While `status` is `failed`: why (see {@link InstanceFailure}). */
  readonly failure?: InstanceFailure | undefined
  readonly startedAt: string
  readonly updatedAt: string
  readonly endedAt: string | undefined
  /** Incremented by one for every accepted command: the optimistic-concurrency token. */
  readonly revision: number
}
