import type { ProcessDefinition, StepDefinition } from './definition.js'
import { definitionHead } from './head.js'
import { closestName, listNames, suggest } from './suggest.js'

/** A reference to the process a derived one extends: `basic` (latest) or `basic@2`. */
export interface BaseReference {
  readonly id: string
  readonly version: number | undefined
}

/** The `extends` value of a definition's text, if it has one (read without checking anything else). */
export function extendsOf(text: string): string | undefined {
  return definitionHead(text).extends
}

/** The highest version a process may have (the schema's `maximum`): every database's integer column holds it. */
export const MAX_PROCESS_VERSION = 999_999_999

/** Whether `version` can be a process's version; one that cannot is never looked up. */
export function isProcessVersion(version: number): boolean {
  return Number.isInteger(version) && version >= 1 && version <= MAX_PROCESS_VERSION
}

/** Parses the `extends` value (checked by the schema, or read before it: see isProcessVersion). */
export function parseBaseReference(text: string): BaseReference {
  const [id, version] = text.split('@')
  return { id: id as string, version: version === undefined ? undefined : Number(version) }
}

/** Where each part of a merged definition was written: in the derived file, or inherited. */
export type Origin = (pointer: string) => string | undefined

type StepEntry = StepDefinition & { readonly remove?: true; readonly merge?: true; readonly after?: string; readonly before?: string }

/** A problem found while merging, at a pointer of the derived file. */
export interface DeriveProblem {
  /** `definition.derivation` unless said. */
  readonly code?: 'definition.duplicate-step'
  readonly pointer: string
  readonly message: string
  readonly hint?: string
}

/**
 * Merges a derived definition onto its base: scalars and `roles` are replaced when given;
 * `parameters` and `calendars` merge by name (a parameter's fields merge, so a new default needs
 * no type); `windows` merge by id; each derived step replaces the inherited step with its id,
 * removes it (`remove: true`), changes it (`merge: true`: the fields written replace the
 * inherited ones and its `actions` merge by id), or is added after `after`, before `before`, or
 * at the end.
 * Returns the merged definition and, for each merged pointer, the pointer of the derived file it
 * came from (undefined when it was inherited).
 */
export function derive(base: ProcessDefinition, derived: ProcessDefinition & { readonly extends: string }): { definition: ProcessDefinition; origin: Origin; problems: DeriveProblem[] } {
  const problems: DeriveProblem[] = []
  // `written`: for a step merged onto an inherited one, the fields and actions the derived file wrote.
  const steps: Array<{ step: StepDefinition; index: number | undefined; written?: ReadonlySet<string> }> = base.steps.map((step) => ({ step, index: undefined }))
  /** Where the derived file wrote each step id first: an id written twice would silently undo its first entry. */
  const writtenAt = new Map<string, number>()
  ;((derived.steps ?? []) as readonly StepEntry[]).forEach((entry, index) => {
    const first = writtenAt.get(entry.id)
    if (first !== undefined) {
      problems.push({ code: 'definition.duplicate-step', pointer: `/steps/${index}/id`, message: `Step "${entry.id}" is written already, at step entry ${first + 1} of this file.`, hint: 'Write each step once: one entry adds, replaces, changes (`merge: true`) or removes (`remove: true`) it.' })
      return
    }
    writtenAt.set(entry.id, index)
    const at = steps.findIndex((s) => s.step.id === entry.id)
    if (entry.remove || entry.merge) {
      if (at < 0) {
        const inherited = base.steps.map((s) => s.id)
        const meant = closestName(entry.id, inherited)
        problems.push({ pointer: `/steps/${index}/id`, message: `There is no inherited step "${entry.id}" to ${entry.remove ? 'remove' : 'merge into'}.`, hint: meant ? `Did you mean "${meant}"?` : `The base's steps are ${listNames(inherited)}.` })
        return
      }
      if (entry.remove) {
        for (const key of Object.keys(entry).filter((key) => key !== 'id' && key !== 'remove')) {
          problems.push({ pointer: `/steps/${index}/${key}`, message: `A removed step takes only "id" and "remove": its "${key}" would be ignored.`, hint: 'Delete this key, or drop `remove: true` to replace or change the step instead.' })
        }
        steps.splice(at, 1)
        return
      }
    }
    const { after, before, remove: _remove, merge, ...written } = entry
    if (after !== undefined && before !== undefined) {
      problems.push({ pointer: `/steps/${index}/before`, message: `Step "${entry.id}" is placed both after "${after}" and before "${before}".`, hint: 'Keep one of `after` and `before`.' })
    }
    const inherited = steps[at]?.step
    const step: StepDefinition = merge && inherited ? { ...inherited, ...written, actions: { ...inherited.actions, ...written.actions } } : written
    const fields = merge ? new Set([...Object.keys(written), ...Object.keys(written.actions ?? {}).map((action) => `actions/${action}`)]) : undefined
    const anchor = after ?? before
    if (at >= 0) steps.splice(at, 1)
    let position = at >= 0 && anchor === undefined ? at : steps.length
    if (anchor !== undefined) {
      const found = steps.findIndex((s) => s.step.id === anchor)
      if (found < 0) {
        const side = after !== undefined ? 'after' : 'before'
        problems.push(anchor === entry.id
          ? { pointer: `/steps/${index}/${side}`, message: `Step "${entry.id}" is placed ${side} itself.`, hint: `Name the step it comes ${side}, or leave \`${side}\` out to keep its place.` }
          : { pointer: `/steps/${index}/${side}`, message: `There is no step "${anchor}" to place "${entry.id}" ${side}.`, hint: suggest(anchor, steps.map((s) => s.step.id), 'steps') })
      } else {
        position = after !== undefined ? found + 1 : found
      }
    }
    steps.splice(position, 0, { step, index, ...(fields ? { written: fields } : {}) })
  })
  if (steps.length === 0) {
    problems.push({ pointer: '/steps', message: 'Every step of the base is removed: the process has no step for a delivery to start in.', hint: 'Keep at least one step of the base, or add one.' })
  }
  // What the schema checks of a step written whole, checked again once merged onto an inherited one.
  for (const { step, index } of steps) {
    if (index !== undefined && step.otherwise !== undefined && step.when === undefined) {
      problems.push({ pointer: `/steps/${index}/otherwise`, message: `Step "${step.id}" has \`otherwise\` but no \`when\`, once merged: it is never skipped, so \`otherwise\` would never apply.`,
        hint: 'Give the step a `when` too, or remove `otherwise`.' })
    }
  }
  const parameters = { ...base.parameters }
  for (const [name, parameter] of Object.entries(derived.parameters ?? {})) parameters[name] = { ...base.parameters?.[name], ...parameter }
  const windows = [...(base.windows ?? [])]
  for (const window of derived.windows ?? []) {
    const at = windows.findIndex((w) => w.id === window.id)
    if (at >= 0) windows[at] = window
    else windows.push(window)
  }
  const { extends: _extends, ...own } = derived
  const definition: ProcessDefinition = {
    ...base,
    ...own,
    roles: derived.roles ?? base.roles,
    parameters,
    calendars: { ...base.calendars, ...derived.calendars },
    windows,
    steps: steps.map((s) => s.step),
  }
  const origin: Origin = (pointer) => {
    const step = /^\/steps\/(\d+)(\/.*)?$/.exec(pointer)
    if (step) {
      const merged = steps[Number(step[1])]
      const index = merged?.index
      if (index === undefined) return undefined
      const rest = step[2] ?? ''
      // A merged step: what it did not write is inherited.
      if (merged?.written && rest !== '') {
        const [, key, action] = rest.split('/')
        if (!merged.written.has(key === 'actions' && action !== undefined ? `actions/${action}` : key ?? '')) return undefined
      }
      return `/steps/${index}${rest}`
    }
    const window = /^\/windows\/(\d+)(\/.*)?$/.exec(pointer)
    if (window) {
      const id = windows[Number(window[1])]?.id
      const index = (derived.windows ?? []).findIndex((w) => w.id === id)
      return index < 0 ? undefined : `/windows/${index}${window[2] ?? ''}`
    }
    const [, key, name] = pointer.split('/')
    if (key === undefined || !(key in derived)) return undefined
    if ((key === 'parameters' || key === 'calendars') && name !== undefined && !(name in ((derived as unknown as Record<string, Record<string, unknown>>)[key] ?? {}))) return undefined
    return pointer
  }
  return { definition, origin, problems }
}
