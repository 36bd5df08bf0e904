import type { CompiledProcess } from '../definition/compiled.js'
import type { JsonSchema } from '../definition/definition.js'
import { may, mayActIn } from './authorize.js'
import type { Event } from './events.js'
import type { InstanceFailure, InstanceState, Principal, StepRecord } from './state.js'
import { sentReminders } from './reminders.js'
import { earliestDeadline } from './transitions.js'

/** An action the viewer may take now, with what it needs. */
export interface ActionView {
  readonly id: string
  readonly title: string
  readonly description: string | undefined
  readonly inputs: JsonSchema
  readonly attachments: ReadonlyArray<{
    readonly slot: string; readonly title: string; readonly min: number; readonly max: number
    readonly types: readonly string[]; readonly maxSize: number
  }>
  /** A step id, or `end:<outcome>`. */
  readonly leadsTo: string
}

/** What the next deadline will do, and when. */
export interface DeadlineView {
  readonly due: string
  readonly kind: 'timeout' | 'window'
  /** For a timeout, the action the system performs; for a window, the window id. */
  readonly name: string
  readonly description: string
}

/** The latest reminder sent to the viewer about a deadline still pending: the system will act at `due` unless someone does. */
export interface ReminderView {
  readonly kind: 'timeout' | 'window'
  /** For a timeout, the action the system performs; for a window, the window id. */
  readonly name: string
  readonly due: string
  /** How long before `due` it was sent, as written (`P3D`). */
  readonly remind: string
  readonly sentAt: string
}

/** An instance as a viewer sees it: the phase, the executor, the deadline and what the viewer may do. */
export interface InstanceView {
  readonly id: string
  readonly process: { readonly id: string; readonly version: number; readonly title: string }
  readonly status: InstanceState['status']
  readonly outcome: string | undefined
  /** Administrators and the system, while the instance is failed: why (the error, when, after how many attempts). */
  readonly failure: InstanceFailure | undefined
  readonly step: {
    readonly id: string; readonly title: string; readonly description: string | undefined
    /** The executor: roles that act in this step. */
    readonly actors: readonly string[]
    readonly enteredAt: string; readonly round: number
  } | undefined
  readonly deadline: DeadlineView | undefined
  /** Only for the roles it was sent to, while its deadline is pending. */
  readonly reminder: ReminderView | undefined
  readonly windows: ReadonlyArray<{ readonly id: string; readonly title: string; readonly openedAt: string; readonly due: string }>
  readonly parties: Readonly<Record<string, string>>
  readonly parameters: Readonly<Record<string, unknown>>
  readonly context: Readonly<Record<string, unknown>>
  readonly data: Readonly<Record<string, StepRecord>>
  /** Values recorded by the process (e.g. a validity period). */
  readonly values: Readonly<Record<string, unknown>>
  readonly actions: readonly ActionView[]
  readonly revision: number
  readonly startedAt: string
  readonly updatedAt: string
  readonly endedAt: string | undefined
}

/** Every submission in each step, round by round (a rejection loop's earlier rounds included). */
export type Submissions = Readonly<Record<string, ReadonlyArray<StepRecord & { readonly trigger: 'actor' | 'timeout' }>>>

/** Groups an instance's history into each step's submissions, with the round each was made in. */
export function submissionsOf(history: readonly Event[]): Submissions {
  const round: Record<string, number> = {}
  const submissions: Record<string, Array<StepRecord & { trigger: 'actor' | 'timeout' }>> = {}
  for (const event of history) {
    if (event.type === 'step-entered') round[event.step] = event.round
    if (event.type === 'action-performed') {
      const { step, action, by, at, inputs, attachments, trigger } = event
      ;(submissions[step] ??= []).push({ action, round: round[step] ?? 1, by, at, inputs, attachments, trigger })
    }
  }
  return submissions
}

/** Builds the view of an instance for `viewer`; the actions listed are those `viewer` may take now. */
export function viewInstance(process: CompiledProcess, state: InstanceState, viewer: Principal): InstanceView {
  const step = state.step === undefined ? undefined : process.steps.get(state.step)
  const deadline = earliestDeadline(state)
  return {
    id: state.id,
    process: { id: process.id, version: process.version, title: process.title },
    status: state.status,
    outcome: state.outcome,
    failure: state.status === 'failed' && may(viewer, 'see-all') ? state.failure : undefined,
    step: step && state.stepEnteredAt !== undefined
      ? { id: step.id, title: step.title, description: step.description, actors: step.actors, enteredAt: state.stepEnteredAt, round: state.rounds[step.id] ?? 1 }
      : undefined,
    deadline: deadline && {
      due: deadline.due,
      kind: deadline.kind,
      name: deadline.kind === 'timeout' ? deadline.action : deadline.window,
      description: deadline.kind === 'timeout'
        ? `If nobody acts before ${deadline.due}, the system performs "${deadline.action}".`
        : `The ${process.windows.get(deadline.window)?.title ?? deadline.window} ends at ${deadline.due}.`,
    },
    reminder: state.status === 'active' ? reminderFor(state, viewer) : undefined,
    windows: Object.entries(state.deadlines.windows).map(([id, w]) => ({ id, title: process.windows.get(id)?.title ?? id, openedAt: w.openedAt, due: w.due })),
    parties: state.parties,
    parameters: state.parameters,
    context: state.context,
    data: state.data,
    values: state.values,
    actions: step && state.status === 'active' && mayActIn(step, state, viewer)
      ? [...step.actions.values()].filter((action) => action.actors.includes(viewer.role)).map((action) => ({
        id: action.id,
        title: action.title,
        description: action.description,
        inputs: action.inputs.schema,
        attachments: [...action.attachments.values()].map(({ slot, title, min, max, types, maxSize }) => ({ slot, title, min, max, types, maxSize })),
        leadsTo: action.target.kind === 'step' ? action.target.step : `end:${action.target.outcome}`,
      }))
      : [],
    revision: state.revision,
    startedAt: state.startedAt,
    updatedAt: state.updatedAt,
    endedAt: state.endedAt,
  }
}

/** The latest reminder sent to `viewer`'s role about a deadline of `state` that is still pending. */
function reminderFor(state: InstanceState, viewer: Principal): ReminderView | undefined {
  const sent = sentReminders(state).find(({ reminder }) => reminder.sentTo?.includes(viewer.role))
  const sentAt = sent?.reminder.sentAt
  if (!sent || sentAt === undefined) return undefined
  const { deadline, due, reminder } = sent
  return { kind: deadline.kind, name: deadline.kind === 'timeout' ? deadline.action : deadline.window, due, remind: reminder.offset, sentAt }
}
