import type { CompiledProcess } from '../definition/compiled.js'
import type { Event } from './events.js'
import { evolve } from './evolve.js'
import type { InstanceState, InstanceStatus } from './state.js'
import { earliestDeadline } from './transitions.js'
import { own } from './own.js'

// The events integrators hear of (the feed, the live stream, webhooks): one per change that
// matters, each with the delivery as it stood right after it. A decision's public events are
// written in the same transaction as its events (the outbox), so a committed change always has
// them and a refused one has none. The outbox keeps a delivery's public event by reference (its
// place in the delivery's history, the revision the change made): its summary is rebuilt from
// that history when it is read, the same as it was at the change, since history never changes.

/** The public event types of a delivery, each from one internal event type. */
export const DELIVERY_EVENT_TYPES = {
  'instance-started': 'delivery.started',
  'step-entered': 'delivery.step-entered',
  'action-performed': 'delivery.action-performed',
  'window-expired': 'delivery.window-expired',
  'deadline-approaching': 'delivery.deadline-approaching',
  'instance-completed': 'delivery.completed',
  'instance-terminated': 'delivery.terminated',
  'instance-failed': 'delivery.failed',
  'instance-retried': 'delivery.retried',
} as const satisfies Partial<Record<Event['type'], string>>

/** Every public event type: those of deliveries, and those of webhook endpoints. */
export const PUBLIC_EVENT_TYPES = [...Object.values(DELIVERY_EVENT_TYPES), 'webhook-endpoint.disabled'] as const
export type PublicEventType = (typeof PUBLIC_EVENT_TYPES)[number]

/** A delivery as a public event shows it: right after the change the event describes. */
export interface DeliverySummary {
  readonly id: string
  readonly process: { readonly id: string; readonly version: number; readonly title: string }
  readonly status: InstanceStatus
  readonly outcome: string | null
  /** The current step (the phase), null once the delivery has ended. */
  readonly phase: { readonly id: string; readonly title: string; readonly round: number } | null
  /** Who acts now: the parties in the current step's actor roles (`subject` null for administrators). */
  readonly executor: ReadonlyArray<{ readonly role: string; readonly subject: string | null }>
  /** The next deadline: when the system acts unless someone does first. */
  readonly deadline: { readonly due: string; readonly kind: 'timeout' | 'window'; readonly name: string } | null
  readonly parties: Readonly<Record<string, string>>
  readonly context: Readonly<Record<string, unknown>>
  /** Values recorded by the process (a validity period, say). */
  readonly values: Readonly<Record<string, unknown>>
  readonly revision: number
}

/**
 * A public event, in the shape of a Standard Webhooks payload: `data` holds the delivery's
 * summary (absent for events of webhook endpoints) and the event's own details.
 */
export interface PublicEvent {
  /** Stable and unique: the delivery's id and the place of the change in its history. */
  readonly id: string
  readonly type: PublicEventType
  /** When the change took effect (for a deadline, the instant it was due). */
  readonly timestamp: string
  readonly data: Readonly<Record<string, unknown>> & { readonly delivery?: DeliverySummary }
}

/** A delivery's public event as the outbox keeps it: what filters read, and where to rebuild it from. */
export interface PublicEventRef {
  readonly id: string
  readonly type: PublicEventType
  readonly timestamp: string
  readonly instanceId: string
  readonly processId: string
  /** The number of its internal event in the delivery's history. */
  readonly seq: number
  /** The delivery's revision right after the change. */
  readonly revision: number
}

/**
 * The public events of the internal `events` a decision appends to the instance `state` (as the
 * decision left it, at `revision`) after its event numbered `lastSeq`, by reference.
 */
export function publicEventRefs(state: InstanceState, events: readonly Event[], lastSeq: number): PublicEventRef[] {
  const refs: PublicEventRef[] = []
  events.forEach((event, i) => {
    const type = publicType(event)
    if (!type) return
    const seq = lastSeq + i + 1
    refs.push({ id: publicEventId(state.id, seq), type, timestamp: event.at, instanceId: state.id, processId: state.processId, seq, revision: state.revision })
  })
  return refs
}

/** A delivery's public event's id: stable and unique, the delivery's id and the event's place in its history. */
function publicEventId(instanceId: string, seq: number): string {
  return `${instanceId}.${seq}`
}

/** A delivery replayed up to its event numbered `seq`: the state right after it. */
export interface Replayed {
  readonly seq: number
  readonly state: InstanceState
}

/**
 * The public events of a delivery rebuilt from its history, ran on `process` (its version; see
 * {@link summarise} when it cannot be had):
 * `history` holds its events after `from` (from the first when absent), in order, at least up
 * to the last one wanted; `wanted` gives, for each event number, the delivery's revision right
 * after that change. Resolves each wanted number that is a public event's to the event, as it
 * was published, where the replay stopped, and the state right before the first event wanted
 * when the replay went through it (to go on from either later: history never changes).
 */
export function rebuildPublicEvents(
  process: CompiledProcess | undefined, history: readonly Event[], wanted: ReadonlyMap<number, number>, from?: Replayed,
): { events: Map<number, PublicEvent>; replayed: Replayed | undefined; before: Replayed | undefined } {
  const events = new Map<number, PublicEvent>()
  let state = from?.state
  let before: Replayed | undefined
  const first = (from?.seq ?? 0) + 1
  const earliest = Math.min(...wanted.keys())
  const last = Math.min(Math.max(...wanted.keys()), first + history.length - 1)
  for (let seq = first; seq <= last; seq++) {
    const i = seq - first
    const event = history[i] as Event
    if (seq === earliest && state) before = { seq: seq - 1, state }
    state = evolve(state, event)
    const revision = wanted.get(seq)
    const type = publicType(event)
    if (revision === undefined || !type) continue
    // Values recorded by an action follow its event (in the same decision): the summary shows them with the action.
    let shown = state
    for (let j = i + 1; j < history.length && history[j]?.type === 'values-recorded'; j++) shown = evolve(shown, history[j] as Event)
    events.set(seq, { id: publicEventId(state.id, seq), type, timestamp: event.at, data: { delivery: { ...summarise(process, shown), revision }, ...detailsOf(event) } })
  }
  return { events, replayed: state && last >= first ? { seq: last, state } : from, before }
}

function publicType(event: Event): PublicEventType | undefined {
  return event.type in DELIVERY_EVENT_TYPES ? DELIVERY_EVENT_TYPES[event.type as keyof typeof DELIVERY_EVENT_TYPES] : undefined
}

/**
 * The delivery as it stands in `state`, ran on `process`. Without it (a stored definition that
 * no longer compiles), what only the definition knows is left out: its title and the steps'
 * are their ids, and who acts now is not known (an empty executor).
 */
export function summarise(process: CompiledProcess | undefined, state: InstanceState): DeliverySummary {
  const step = state.step === undefined ? undefined : process?.steps.get(state.step) ?? { id: state.step, title: state.step, actors: [] }
  const deadline = state.status === 'active' ? earliestDeadline(state) : undefined
  const executor = step && state.status === 'active'
    // Administrators are no party of a delivery: any of them may act where `admin` does.
    ? step.actors.map((role) => ({ role, subject: own(state.parties, role) ?? null }))
    : []
  return {
    id: state.id,
    process: process ? { id: process.id, version: process.version, title: process.title } : { id: state.processId, version: state.processVersion, title: state.processId },
    status: state.status,
    outcome: state.outcome ?? null,
    phase: step ? { id: step.id, title: step.title, round: state.rounds[step.id] ?? 1 } : null,
    executor,
    deadline: deadline ? { due: deadline.due, kind: deadline.kind, name: deadline.kind === 'timeout' ? deadline.action : deadline.window } : null,
    parties: state.parties,
    context: state.context,
    values: state.values,
    revision: state.revision,
  }
}

/** What an event says beyond the delivery's summary. */
function detailsOf(event: Event): Record<string, unknown> {
  switch (event.type) {
    case 'instance-started':
      return { by: event.by, parameters: event.parameters }
    case 'step-entered':
      return { step: event.step, round: event.round, ...(event.timeout ? { timeout: event.timeout } : {}) }
    case 'action-performed':
      return {
        step: event.step, action: event.action, by: event.by, trigger: event.trigger, inputs: event.inputs, attachments: event.attachments,
        ...(event.due === undefined ? {} : { due: event.due }), ...(event.firedAt === undefined ? {} : { firedAt: event.firedAt }),
      }
    case 'window-expired':
      return { window: event.window, due: event.due, firedAt: event.firedAt }
    case 'deadline-approaching':
      return { deadline: event.deadline, due: event.due, remind: event.remind, parties: event.parties, firedAt: event.firedAt }
    case 'instance-completed':
      return { outcome: event.outcome }
    case 'instance-terminated':
      return { by: event.by, reason: event.reason }
    case 'instance-failed':
      return { code: event.code, message: event.message, attempts: event.attempts }
    case 'instance-retried':
      return { by: event.by }
    default:
      return {}
  }
}
