import { Temporal } from 'temporal-polyfill'
import type { FormField } from './fields.js'
import { parsePointer } from '../../engine/index.js'

/** A submitted form: every value of each name, as the browser sent them. */
export type SubmittedForm = Readonly<Record<string, readonly string[]>>

/**
 * The inputs of an act from a submitted form, typed by the fields' schema: numbers as numbers,
 * booleans as booleans, choices as the values offered, lines as arrays, local date-times as
 * instants in `zone`. An empty field is left out, so the API names a required one as missing; a
 * value that cannot be converted is sent as typed, so the API names the field and the rule.
 */
export function inputsFrom(fields: readonly FormField[], form: SubmittedForm, zone: string): Record<string, unknown> {
  const inputs: Record<string, unknown> = {}
  for (const field of fields) {
    const value = valueOf(field, form, zone)
    if (value !== undefined) inputs[lastSegment(field.name)] = value
  }
  return inputs
}

function valueOf(field: FormField, form: SubmittedForm, zone: string): unknown {
  const raw = form[field.name] ?? []
  const first = raw[0]?.trim() ?? ''
  switch (field.kind) {
    case 'object': {
      const value = inputsFrom(field.fields, form, zone)
      return Object.keys(value).length > 0 || field.required ? value : undefined
    }
    case 'rows': {
      const rows = rowIndexes(field.name, form).map((index) => inputsFrom(field.fields.map((f) => renamed(f, `${field.name}/0`, `${field.name}/${index}`)), form, zone))
        .filter((row) => Object.keys(row).length > 0)
      return rows.length > 0 || field.required ? rows : undefined
    }
    case 'boolean':
      // An unticked optional box says nothing, so an optional object or row left alone stays empty.
      return raw.includes('true') ? true : field.required ? false : undefined
    case 'choice':
      return first === '' ? undefined : parseOption(first)
    case 'choices': {
      const values = raw.filter((v) => v !== '').map(parseOption)
      return values.length > 0 || field.required ? values : undefined
    }
    case 'lines': {
      const lines = (raw[0] ?? '').split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '')
      return lines.length > 0 || field.required ? lines : undefined
    }
    case 'number': {
      if (first === '') return undefined
      const number = Number(first)
      return Number.isFinite(number) ? number : first
    }
    case 'instant':
      return first === '' ? undefined : instantOf(first, zone)
    default:
      return first === '' ? undefined : raw[0]
  }
}

/** The indexes of the rows submitted for the array at `name` (`/inputs/rows/3/x` is row 3), in order. */
export function rowIndexes(name: string, form: SubmittedForm): number[] {
  let rows = ROWS.get(form)
  if (!rows) ROWS.set(form, rows = rowsOf(form))
  return rows.get(name) ?? []
}

/** Each form's rows, read once: a form of many rows is read in one pass over its names, not one per row. */
const ROWS = new WeakMap<SubmittedForm, ReadonlyMap<string, number[]>>()

/** The row indexes (0 to 999) that a form's names hold under each name: `a/2/b/0/c` holds 2 under `a`, 0 under `a/2/b`. */
function rowsOf(form: SubmittedForm): ReadonlyMap<string, number[]> {
  const found = new Map<string, Set<number>>()
  for (const key of Object.keys(form)) {
    for (let at = key.indexOf('/', 1); at !== -1;) {
      const end = key.indexOf('/', at + 1)
      const segment = key.slice(at + 1, end === -1 ? undefined : end)
      if (/^\d{1,3}$/.test(segment)) {
        const prefix = key.slice(0, at)
        const indexes = found.get(prefix) ?? new Set()
        found.set(prefix, indexes.add(Number(segment)))
      }
      at = end
    }
  }
  return new Map([...found].map(([prefix, indexes]) => [prefix, [...indexes].sort((a, b) => a - b)]))
}

/** `field` with its name (and its children's) moved from under `from` to under `to`. */
export function renamed(field: FormField, from: string, to: string): FormField {
  const name = field.name.startsWith(`${from}/`) ? `${to}${field.name.slice(from.length)}` : field.name
  if (field.kind === 'object' || field.kind === 'rows') return { ...field, name, fields: field.fields.map((f) => renamed(f, from, to)) }
  return { ...field, name }
}

function parseOption(value: string): unknown {
  try {
    return JSON.parse(value) as unknown
  } catch {
    return value
  }
}

/** A `datetime-local` value (no zone) as an instant in `zone`; anything else as it was typed. */
function instantOf(value: string, zone: string): string {
  try {
    return Temporal.PlainDateTime.from(value).toZonedDateTime(zone).toInstant().toString()
  } catch {
    return value
  }
}

function lastSegment(pointer: string): string {
  return parsePointer(pointer).at(-1) ?? ''
}
