import { Temporal } from 'temporal-polyfill'
import type { ActRequest, CompiledProcess, Engine, ListFilter, Principal, ProposalSummary, ValidityView } from '../engine/index.js'
import { EngineError, may, optional } from '../engine/index.js'
import { revisionOf } from './form-body.js'
import { formFields } from './forms/fields.js'
import { inputsFrom } from './forms/form-values.js'
import type { SubmittedForm } from './forms/form-values.js'
import { FORM_KEYS, slotPointer } from './pages/action-form.js'
import type { DeliveryPageData } from './pages/delivery.js'
import type { DeliveryRows, ListPageData, ListQuery } from './pages/deliveries.js'
import { LIST_QUERY_KEYS } from './pages/deliveries.js'

// What the console's pages show, read through the Engine facade with the viewer's principal: the
// same checks as the API, so a page never shows what its viewer may not see.

/** Everything the page of one delivery shows; `alsoFiles` are ids of files a refused form holds, to show by name. */
export async function deliveryData(engine: Engine, id: string, by: Principal, known?: CompiledProcess, alsoFiles: Iterable<string> = []): Promise<DeliveryPageData> {
  const view = await engine.instances.get(id, by)
  const process = known ?? await engine.processes.get(view.process.id, view.process.version)
  const history = await engine.instances.history(id, by)
  const ids = new Set(history.flatMap(({ event }) => event.type === 'action-performed' ? Object.values(event.attachments).flat() : []))
  for (const fileId of alsoFiles) ids.add(fileId)
  return { view, process, history, files: await fileNames(engine, ids, by), validity: await validityOf(engine, process, id, by) }
}

/** Whether the delivery entitles its customer now, when its process declares a period; none when a bound fails (the API says why). */
async function validityOf(engine: Engine, process: CompiledProcess, id: string, by: Principal): Promise<ValidityView | undefined> {
  if (!process.validity) return undefined
  try {
    return await engine.instances.validity(id, by)
  } catch (error) {
    if (error instanceof EngineError && error.code === 'expression.failed') return undefined
    throw error
  }
}

/** The names of files by id, for those `by` may read (the others are left out). */
export async function fileNames(engine: Engine, ids: Iterable<string>, by: Principal): Promise<Map<string, string>> {
  const names = new Map<string, string>()
  for (const id of ids) {
    try {
      const row = await engine.attachments.find(id, by)
      names.set(id, row.file_name ?? id)
    } catch (error) {
      if (!(error instanceof EngineError)) throw error
    }
  }
  return names
}

/** A parsed form body as the form renderer reads it: every string value of each name (files are uploaded apart). */
export function submittedForm(body: Record<string, string | File | Array<string | File>>): SubmittedForm {
  // Built from entries: a field named `__proto__` is a field like any other.
  return Object.fromEntries(Object.entries(body).map(([name, value]) => [name, (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string')]))
}

/**
 * The act a submitted action form asks for: the action, its step and the revision the person
 * saw, the inputs typed by the action's schema (local times read in the viewer's zone, else the
 * process's), and the ids of the files uploaded into each slot.
 */
export async function actRequest(engine: Engine, id: string, by: Principal, form: SubmittedForm): Promise<{ request: ActRequest; process: CompiledProcess }> {
  const view = await engine.instances.get(id, by)
  const process = await engine.processes.get(view.process.id, view.process.version)
  const actionId = form[FORM_KEYS.action]?.[0] ?? ''
  const stepId = form[FORM_KEYS.step]?.[0] ?? view.step?.id ?? ''
  const action = process.steps.get(stepId)?.actions.get(actionId)
  const revision = revisionOf(form[FORM_KEYS.revision]?.[0])
  const zone = validZone(form[FORM_KEYS.zone]?.[0]) ?? process.timeZone
  const attachments = Object.fromEntries([...action?.attachments.keys() ?? []].map((slot) => [slot, form[slotPointer(slot)] ?? []]))
  const request: ActRequest = {
    action: actionId, step: stepId,
    inputs: action ? inputsFrom(formFields(action.inputs.schema), form, zone) : {},
    attachments,
    ...(revision === undefined ? {} : { expectedRevision: revision }),
  }
  return { request, process }
}

/** `zone` when it names an IANA time zone (the browser's), else undefined. */
function validZone(zone: string | undefined): string | undefined {
  if (!zone || zone.length > 64) return undefined
  try {
    return new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone
  } catch {
    return undefined
  }
}

/** The filters of a list page from its query string (unknown and repeated values ignored). */
export function listQuery(query: Record<string, string>): ListQuery {
  const q = Object.fromEntries(LIST_QUERY_KEYS.map((key) => [key, (query[key] ?? '').trim().slice(0, 200)]))
  return q as unknown as ListQuery
}

/** Largest page of deliveries, or of proposals, the console shows at once. */
export const PAGE_SIZE = 25

/** The inbox or the search: what waits on the viewer (inbox) and one page of deliveries matching the filters. */
export async function listData(engine: Engine, by: Principal, raw: Record<string, string>, { inbox }: { inbox: boolean }): Promise<ListPageData> {
  const query = listQuery(raw)
  const processes = await engine.processes.list(by)
  const phases = await Promise.all(processes.map(async (summary) => {
    const process = await engine.processes.get(summary.id, summary.latestVersion)
    return { process: summary.id, steps: [...process.steps.values()].map((step) => ({ id: step.id, title: step.title })) }
  }))
  const privileged = may(by, 'see-all')
  const zone = validZone(query.tz) ?? 'UTC'
  const [phaseProcess, phaseStep] = query.phase.split(':')
  const phase = phaseProcess && phaseStep ? { process: phaseProcess, step: phaseStep } : undefined
  const filter: ListFilter = {
    limit: PAGE_SIZE, order: 'newest',
    // A phase names its process (`PROCESS:STEP`): it narrows the process filter to that one.
    ...nonEmpty('process', phase ? phase.process : query.process), ...nonEmpty('status', query.status), ...nonEmpty('step', phase?.step),
    ...nonEmpty('orderId', query.orderId), ...nonEmpty('cursor', query.cursor),
    ...(privileged && query.partyRole && query.partySubject ? { party: { role: query.partyRole, subject: query.partySubject } } : {}),
    ...(privileged ? { ...nonEmpty('startedFrom', startOfDay(query.startedFrom, zone)), ...nonEmpty('startedTo', startOfDay(query.startedTo, zone)) } : {}),
  }
  const rows = await withProcesses(engine, await engine.instances.list(filter, by))
  const waiting = !inbox ? undefined : privileged ? await waitingOnAdministrators(engine, by) : await withProcesses(engine, await engine.instances.list({ waitingOnMe: true, limit: PAGE_SIZE, order: 'oldest' }, by))
  return { query, processes, phases, rows, waiting, ...(inbox ? { proposals: await proposalsWaiting(engine, by) } : {}) }
}

/** The proposals waiting on `by`: those to review for an administrator, those returned to it for an ISV. */
async function proposalsWaiting(engine: Engine, by: Principal): Promise<readonly ProposalSummary[]> {
  if (engine.proposals.mayReview(by)) return (await engine.proposals.list(by, { status: 'submitted', limit: PAGE_SIZE })).items
  return engine.proposals.mayPropose(by) ? (await engine.proposals.list(by, { status: 'returned', limit: PAGE_SIZE })).items : []
}

/**
 * What waits on an administrator: failed deliveries (to retry or terminate), then active ones
 * in a step where administrators act (a review, an appeal), oldest first, one page at most.
 */
async function waitingOnAdministrators(engine: Engine, by: Principal): Promise<DeliveryRows> {
  const steps: Array<{ process: string; step: string }> = []
  for (const summary of await engine.processes.list(by)) {
    for (const version of summary.versions) {
      for (const step of (await engine.processes.get(summary.id, version)).steps.values()) {
        if (step.actors.includes(by.role) && !steps.some((s) => s.process === summary.id && s.step === step.id)) steps.push({ process: summary.id, step: step.id })
      }
    }
  }
  const pages = await Promise.all([
    engine.instances.list({ status: 'failed', limit: PAGE_SIZE, order: 'oldest' }, by),
    ...steps.map(({ process, step }) => engine.instances.list({ process, step, status: 'active', limit: PAGE_SIZE, order: 'oldest' }, by)),
  ])
  const [failed, ...active] = pages.map((page) => page.items)
  const items = [...failed ?? [], ...active.flat().sort((a, b) => a.startedAt.localeCompare(b.startedAt))].slice(0, PAGE_SIZE)
  return withProcesses(engine, { items, next: undefined })
}

async function withProcesses(engine: Engine, page: Awaited<ReturnType<Engine['instances']['list']>>): Promise<DeliveryRows> {
  const items = []
  for (const view of page.items) items.push({ view, process: await engine.processes.get(view.process.id, view.process.version) })
  return { items, next: page.next }
}

/** A date (YYYY-MM-DD) as the instant it starts in `zone`; undefined for anything else. */
function startOfDay(date: string, zone: string): string | undefined {
  try {
    return date === '' ? undefined : Temporal.PlainDate.from(date).toZonedDateTime(zone).toInstant().toString()
  } catch {
    return undefined
  }
}

/** {@link optional}, leaving out an empty text too (a filter left blank). */
function nonEmpty<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return optional(key, value === '' ? undefined : value)
}
