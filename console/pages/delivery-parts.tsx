import { Temporal } from 'temporal-polyfill'
import type { CompiledProcess, EventRecord, InstanceView, Submissions } from '../../engine/index.js'
import { isSystem, processEdges } from '../../engine/index.js'
import { Time } from '../format.js'
import { humanize } from '../forms/fields.js'
import { labelOf } from '../i18n.js'
import type { Locale, Messages } from '../i18n.js'
import type { PageContext } from '../view.js'

/** How a page shows instants: in the process's zone (the browser shows them in the viewer's). */
interface TimeSetting { readonly zone: string; readonly locale: Locale }

const INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/

/** Whether `text` is an RFC 3339 instant. */
function isInstant(text: string): boolean {
  if (!INSTANT.test(text)) return false
  try {
    Temporal.Instant.from(text)
    return true
  } catch {
    return false
  }
}

/** File names of the attachments a page mentions, by id (a file the viewer may not read is absent). */
export type FileNames = ReadonlyMap<string, string>

/** The steps in the order they are written (done, current, where the delivery was stopped, skipped, upcoming or never reached), with each round's submissions. */
export function Steps({ page, process, view, history }: { page: PageContext; process: CompiledProcess; view: InstanceView & { submissions: Submissions }; history: readonly EventRecord[] }) {
  const { t } = page
  const { entered, left, skipped } = stepsPassed(history)
  const usual = usualSteps(process)
  const ended = view.status === 'completed' || view.status === 'terminated'
  return (
    <section aria-labelledby="steps-title">
      <h2 id="steps-title">{t.delivery.steps}</h2>
      <ol class="steps">
        {[...process.steps.values()].map((step) => {
          const current = view.step?.id === step.id && (view.status === 'active' || view.status === 'failed')
          const submissions = view.submissions[step.id] ?? []
          const state = current ? 'current' : left.has(step.id) ? 'done' : entered.has(step.id) ? 'stopped'
            : skipped.has(step.id) ? 'skipped' : !usual.has(step.id) ? 'ifNeeded' : ended ? 'notReached' : 'upcoming'
          const rounds = Math.max(current ? view.step?.round ?? 1 : 1, ...submissions.map((s) => s.round))
          return (
            <li class={`step ${state === 'notReached' ? 'not-reached' : state === 'ifNeeded' ? 'if-needed' : state}`} aria-current={current ? 'step' : undefined}>
              <span class="step-title">{step.title}</span>{' '}
              <span class="badge">{t.delivery[state]}</span>
              {rounds > 1 && <span class="badge round">{t.delivery.round(rounds)}</span>}
              <span class="actors">{step.actors.map((role) => labelOf(t.roles, role)).join(' / ')}</span>
              {submissions.length > 0 && (
                <ul class="submissions">
                  {submissions.map((s) => (
                    <li>
                      {rounds > 1 && <span class="badge round">{t.delivery.round(s.round)}</span>}{' '}
                      {step.actions.get(s.action)?.title ?? s.action} · {s.trigger === 'timeout' ? t.delivery.system : `${labelOf(t.roles, s.by.role)} ${s.by.subject}`} ·{' '}
                      <Time at={s.at} zone={process.timeZone} locale={page.locale} />
                    </li>
                  ))}
                </ul>
              )}
            </li>
          )
        })}
      </ol>
    </section>
  )
}

/**
 * The steps a delivery takes when nothing goes wrong: from the first step, each step's first
 * action a person performs, and the step after one whose condition is false. The others (a
 * dispute, an escalation) are taken only when needed, and are not shown as upcoming.
 */
function usualSteps(process: CompiledProcess): ReadonlySet<string> {
  const edges = processEdges(process)
  const usual = new Set<string>()
  for (const pending = [process.initialStep]; pending.length > 0;) {
    const id = pending.pop() as string
    if (usual.has(id) || !process.steps.has(id)) continue
    usual.add(id)
    const out = edges.filter((edge) => edge.from === id)
    for (const edge of [out.find((e) => e.kind === 'action'), ...out.filter((e) => e.kind === 'skip')]) if (edge) pending.push(edge.to)
  }
  return usual
}

/**
 * Which steps the history entered, which of those it then left (for another step, or by ending
 * the delivery from them), and which it passed by (their `when` was false). A step entered and
 * never left is where the delivery is, or where it was terminated.
 */
function stepsPassed(history: readonly EventRecord[]): { entered: Set<string>; left: Set<string>; skipped: Set<string> } {
  const entered = new Set<string>()
  const left = new Set<string>()
  const skipped = new Set<string>()
  let last: string | undefined
  for (const { event } of history) {
    if (event.type === 'step-entered') {
      if (last !== undefined && last !== event.step) left.add(last)
      entered.add(last = event.step)
    } else if (event.type === 'step-skipped') {
      skipped.add(event.step)
    } else if (event.type === 'instance-completed' && last !== undefined) {
      left.add(last)
    }
  }
  return { entered, left, skipped }
}

/** The order and contact details: the parties, the order (context) and what each step collected, labelled by their schemas' titles. */
export function Details({ page, process, view }: { page: PageContext; process: CompiledProcess; view: InstanceView }) {
  const { t } = page
  const contextLabels = { ...t.contextKeys, ...titlesOf(process.context.schema) }
  const time = { zone: process.timeZone, locale: page.locale }
  return (
    <aside class="details" aria-labelledby="details-title">
      <h2 id="details-title">{t.delivery.details}</h2>
      <dl>
        <dt>{t.delivery.deliveryId}</dt><dd><code>{view.id}</code></dd>
        <dt>{t.list.process}</dt><dd>{`${view.process.title} (${view.process.id} v${view.process.version})`}</dd>
        {Object.entries(view.parties).map(([role, subject]) => <><dt>{labelOf(t.roles, role)}</dt><dd>{subject}</dd></>)}
        {Object.entries(view.context).map(([key, value]) => <><dt>{labelOf(contextLabels, key, humanize)}</dt><dd><Value value={value} schema={propertyOf(process.context.schema, key)} time={time} /></dd></>)}
      </dl>
      {Object.entries(view.data).filter(([, record]) => hasContent(record.inputs)).map(([stepId, record]) => {
        const step = process.steps.get(stepId)
        return (
          <>
            <h3>{t.labelled(t.delivery.submitted, step?.title ?? stepId)}</h3>
            <Value value={record.inputs} schema={step?.actions.get(record.action)?.inputs.schema} time={time} />
          </>
        )
      })}
      {Object.keys(view.values).length > 0 && (
        <>
          <h3>{t.delivery.values}</h3>
          <Value value={view.values} time={time} />
        </>
      )}
    </aside>
  )
}

/** Longest description used as a label (a longer one is a sentence, not a name). */
const LABEL_MAX = 40

/** Titles of an object schema's properties by name (or their descriptions when short, like `Contact name`). */
function titlesOf(schema: unknown): Record<string, string> {
  const properties = (schema as { properties?: Record<string, { title?: unknown; description?: unknown }> } | undefined)?.properties ?? {}
  const titles: Record<string, string> = {}
  for (const [key, property] of Object.entries(properties)) {
    const { title: named, description } = property
    const title = typeof named === 'string' ? named : typeof description === 'string' && description.length <= LABEL_MAX ? description : undefined
    if (title !== undefined) titles[key] = title
  }
  return titles
}

/** The schema of property `key` of an object schema (or of the items of an array schema), if it has one. */
function propertyOf(schema: unknown, key: string | number): unknown {
  if (typeof schema !== 'object' || schema === null) return undefined
  const s = schema as { properties?: Record<string, unknown>; items?: unknown }
  return typeof key === 'number' ? s.items : s.properties?.[key]
}

function hasContent(value: unknown): boolean {
  return typeof value === 'object' && value !== null ? Object.keys(value).length > 0 : value !== undefined
}

/** Any JSON value as text: objects as nested definition lists labelled by the schema's titles, arrays as lists. */
export function Value({ value, schema, time }: { value: unknown; schema?: unknown; time: TimeSetting }) {
  if (Array.isArray(value)) return <ul class="value-list">{value.map((item, index) => <li><Value value={item} schema={propertyOf(schema, index)} time={time} /></li>)}</ul>
  if (typeof value === 'object' && value !== null) {
    const titles = titlesOf(schema)
    return <dl class="value">{Object.entries(value).map(([key, item]) => <><dt>{labelOf(titles, key, humanize)}</dt><dd><Value value={item} schema={propertyOf(schema, key)} time={time} /></dd></>)}</dl>
  }
  // An instant (an enabling time, a validity's end) reads as the other times of the page do.
  if (typeof value === 'string' && isInstant(value)) return <Time at={value} zone={time.zone} locale={time.locale} />
  return <span class="value-text">{value === null || value === undefined ? '—' : String(value)}</span>
}

/** The history as a timeline: who did what and when, with the inputs and files; the system's actions marked. */
export function History({ page, process, history, files }: { page: PageContext; process: CompiledProcess; history: readonly EventRecord[]; files: FileNames }) {
  const { t } = page
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">{t.delivery.history}</h2>
      <ol class="timeline">
        {history.map(({ seq, event }) => {
          const by = 'by' in event && event.type !== 'action-performed' ? event.by : event.type === 'action-performed' && event.trigger === 'actor' ? event.by : undefined
          // Marked: what the system did in a party's place (a timeout's action) or as the system.
          // What only follows from an act (a phase entered, the delivery completed) names no one.
          const system = (event.type === 'action-performed' && event.trigger !== 'actor') || (by !== undefined && isSystem(by))
          return (
            <li class={system ? 'event system' : 'event'} id={`event-${seq}`}>
              <Time at={event.at} zone={process.timeZone} locale={page.locale} />{' '}
              <strong>{t.events[event.type]}</strong>{' '}
              <span>{what(event, process, t)}</span>{' '}
              {system ? <span class="by"><span class="badge system">{t.delivery.bySystem}</span></span> : by && <span class="by">{`${labelOf(t.roles, by.role)} ${by.subject}`}</span>}
              {event.type === 'action-performed' && hasContent(event.inputs) && <details><summary>{t.delivery.inputs}</summary><Value value={event.inputs} schema={process.steps.get(event.step)?.actions.get(event.action)?.inputs.schema} time={{ zone: process.timeZone, locale: page.locale }} /></details>}
              {event.type === 'action-performed' && Object.values(event.attachments).some((ids) => ids.length > 0) && (
                <p class="files">{t.labelled(t.delivery.files, '')}
                  {Object.values(event.attachments).flat().map((id, index) => <>{index > 0 ? ' · ' : ''}<a href={`/console/attachments/${encodeURIComponent(id)}`}>{files.get(id) ?? id}</a></>)}
                </p>
              )}
              {event.type === 'instance-terminated' && <p>{event.reason}</p>}
            </li>
          )
        })}
      </ol>
    </section>
  )
}

/** The step, action, window or outcome an event is about, by its title. */
function what(event: EventRecord['event'], process: CompiledProcess, t: Messages): string {
  switch (event.type) {
    case 'step-entered': return `${process.steps.get(event.step)?.title ?? event.step}${event.round > 1 ? ` (${event.round})` : ''}`
    case 'step-skipped': return process.steps.get(event.step)?.title ?? event.step
    case 'action-performed': case 'values-recorded': return `${process.steps.get(event.step)?.title ?? event.step}: ${process.steps.get(event.step)?.actions.get(event.action)?.title ?? event.action}`
    case 'window-opened': case 'window-closed': case 'window-expired': return process.windows.get(event.window)?.title ?? event.window
    case 'deadline-approaching': return event.deadline.kind === 'timeout'
      ? `${process.steps.get(event.deadline.step)?.title ?? event.deadline.step}: ${process.steps.get(event.deadline.step)?.actions.get(event.deadline.action)?.title ?? event.deadline.action}`
      : process.windows.get(event.deadline.window)?.title ?? event.deadline.window
    case 'instance-completed': return labelOf(t.status, event.outcome)
    case 'instance-failed': return `${event.code}: ${event.message}`
    case 'instance-started': return `${process.title} v${event.processVersion}`
    case 'instance-terminated': case 'instance-retried': return ''
  }
}
