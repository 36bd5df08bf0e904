import type { ErrorCode } from '../errors.js'
import type { Target } from '../definition/compiled.js'
import type { AttachmentRefs, Principal, ScheduledReminder } from './state.js'

/** The deadline a reminder is about: a step's timeout and the action the system will perform, or a window and what its expiry does. */
export type RemindedDeadline =
  | { readonly kind: 'timeout'; readonly step: string; readonly action: string }
  | { readonly kind: 'window'; readonly window: string; readonly onExpiry: Target }

/**
 * What happened to an instance, in order. Events are facts in the past tense, appended to the
 * history and never changed; `at` is when the fact took effect (for a deadline, the instant it
 * was due), `firedAt` when the engine actually applied it.
 */
export type Event =
  | {
    readonly type: 'instance-started'; readonly at: string; readonly by: Principal; readonly instanceId: string
    readonly processId: string; readonly processVersion: number
    readonly parties: Readonly<Record<string, string>>; readonly parameters: Readonly<Record<string, unknown>>
    readonly context: Readonly<Record<string, unknown>>
  }
  | { readonly type: 'step-entered'; readonly at: string; readonly step: string; readonly round: number
    /** The step's timeout: the action the system will perform, the instant it falls due, and the reminders to send before it (absent when none). */
    readonly timeout?: { readonly action: string; readonly due: string; readonly reminders?: readonly ScheduledReminder[] } }
  | {
    readonly type: 'action-performed'; readonly at: string; readonly step: string; readonly action: string
    readonly by: Principal; readonly inputs: unknown; readonly attachments: AttachmentRefs
    /** `timeout` when the system performed it because the step's deadline passed. */
    readonly trigger: 'actor' | 'timeout'; readonly due?: string; readonly firedAt?: string
  }
  | { readonly type: 'step-skipped'; readonly at: string; readonly step: string }
  | { readonly type: 'values-recorded'; readonly at: string; readonly step: string; readonly action: string; readonly values: Readonly<Record<string, unknown>> }
  | { readonly type: 'window-opened'; readonly at: string; readonly window: string; readonly due: string; readonly reminders?: readonly ScheduledReminder[] }
  | { readonly type: 'window-closed'; readonly at: string; readonly window: string }
  | { readonly type: 'window-expired'; readonly at: string; readonly window: string; readonly due: string; readonly firedAt: string }
  /**
   * A reminder sent: `deadline` falls due at `due`, and `parties` (roles) may still act before it.
   * `at` is the reminder's instant (`remind` before `due`), `firedAt` when the engine sent it.
   */
  | {
    readonly type: 'deadline-approaching'; readonly at: string; readonly firedAt: string; readonly deadline: RemindedDeadline
    readonly due: string; readonly remind: string; readonly parties: readonly string[]
  }
  | { readonly type: 'instance-completed'; readonly at: string; readonly outcome: string }
  | { readonly type: 'instance-terminated'; readonly at: string; readonly by: Principal; readonly reason: string }
  /** Firing the due deadline failed `attempts` times in a row; the last error's code and message. */
  | { readonly type: 'instance-failed'; readonly at: string; readonly code: ErrorCode; readonly message: string; readonly attempts: number }
  /** An administrator put a failed instance back to active (its due deadlines fired in the same decision). */
  | { readonly type: 'instance-retried'; readonly at: string; readonly by: Principal }

export type EventType = Event['type']
