import { diffLines } from 'diff'
import type { Engine, Principal, ProcessDetail, ProcessSummary } from '../engine/index.js'
import { EngineError, forbidden, may } from '../engine/index.js'

/** The process catalog as the studio shows it: each process with its deliveries still running per version. */
export interface CatalogData {
  readonly processes: ReadonlyArray<ProcessSummary & { readonly active: ReadonlyMap<number, number> }>
}

/** One version of a process, and, when asked, how it differs from another. */
export interface ProcessPageData {
  readonly detail: ProcessDetail
  readonly summary: ProcessSummary
  readonly active: ReadonlyMap<number, number>
  readonly comparison?: Comparison
}

/** How version `to` differs from version `from`: its steps, and its text line by line. */
export interface Comparison {
  readonly from: number
  readonly to: number
  readonly steps: ReadonlyArray<{ readonly id: string; readonly title: string; readonly change: 'added' | 'removed' | 'changed'; readonly what: readonly string[] }>
  readonly lines: ReadonlyArray<{ readonly kind: 'same' | 'added' | 'removed'; readonly text: string }>
}

/** The studio is for those who see every process and delivery (administrators). */
function permit(by: Principal): void {
  if (!may(by, 'see-all')) {
    const { code, message } = forbidden(by, 'see-all')
    throw new EngineError(code, message)
  }
}

export async function catalogData(engine: Engine, by: Principal): Promise<CatalogData> {
  permit(by)
  const processes = await engine.processes.list(by)
  return { processes: await Promise.all(processes.map(async (p) => ({ ...p, active: await engine.instances.activeByVersion(p.id, by) }))) }
}

/** `version` (the latest when absent) of process `id`, compared with `compare` when given. */
export async function processPageData(engine: Engine, id: string, by: Principal, version: number | undefined, compare: number | undefined): Promise<ProcessPageData> {
  permit(by)
  const detail = await engine.processes.describe(id, by, version)
  const summary = (await engine.processes.list(by)).find((p) => p.id === id)
  if (!summary) throw new EngineError('process.not-found', `There is no process "${id}".`)
  const active = await engine.instances.activeByVersion(id, by)
  if (compare === undefined || compare === detail.version) return { detail, summary, active }
  const other = await engine.processes.describe(id, by, compare)
  const [from, to] = other.version < detail.version ? [other, detail] : [detail, other]
  return { detail, summary, active, comparison: compareVersions(from, to) }
}

/** What two versions are compared by: their steps and their text. */
export type Comparable = Pick<ProcessDetail, 'version' | 'steps' | 'source'>

/** Pure: the steps added, removed or changed (title, actors, actions) from `from` to `to`, and the text's lines. */
export function compareVersions(from: Comparable, to: Comparable): Comparison {
  const before = new Map(from.steps.map((s) => [s.id, s]))
  const after = new Map(to.steps.map((s) => [s.id, s]))
  const steps: Array<Comparison['steps'][number]> = []
  for (const step of to.steps) {
    const old = before.get(step.id)
    if (!old) {
      steps.push({ id: step.id, title: step.title, change: 'added', what: [] })
      continue
    }
    const what = [
      ...(old.title === step.title ? [] : ['title']),
      ...(same(old.actors, step.actors) ? [] : ['actors']),
      ...(same(old.actions, step.actions) ? [] : ['actions']),
    ]
    if (what.length > 0) steps.push({ id: step.id, title: step.title, change: 'changed', what })
  }
  for (const step of from.steps) if (!after.has(step.id)) steps.push({ id: step.id, title: step.title, change: 'removed', what: [] })
  return { from: from.version, to: to.version, steps, lines: compareLines(from.source, to.source) }
}

/**
 * Lines added and removed at most for a line-by-line comparison: finding the fewest changes takes
 * time that grows with their number times the length of the texts (texts of 10,000 lines that
 * differ on every line took 11 s, the server doing nothing else meanwhile).
 */
const MAX_CHANGED_LINES = 1000

/**
 * Pure: the lines of `to` against those of `from`, each the same, added or removed. Texts that
 * differ on more than {@link MAX_CHANGED_LINES} lines are shown as every line of `from` removed
 * and every line of `to` added.
 */
export function compareLines(from: string, to: string): Comparison['lines'] {
  const parts = diffLines(from, to, { maxEditLength: MAX_CHANGED_LINES })
    ?? [{ value: from, removed: true, added: false }, { value: to, added: true, removed: false }]
  return parts.flatMap((part) => part.value.replace(/\n$/, '').split('\n')
    .map((text) => ({ kind: part.added ? 'added' as const : part.removed ? 'removed' as const : 'same' as const, text })))
}

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}
