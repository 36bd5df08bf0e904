import { createHeadlessForm } from '@remoteoss/json-schema-form'
import { escapeSegment, optional } from '../../engine/index.js'
import type { JsonSchema } from '../../engine/index.js'

/**
 * One input of an action's form, read from its JSON Schema by @remoteoss/json-schema-form and
 * reduced to what the console renders: `name` is the JSON Pointer of the value under the act's
 * body (`/inputs/contact/email`), the same pointer the API names when it refuses the value.
 */
export type FormField =
  | FieldBase & { readonly kind: 'text' | 'long-text' | 'email' | 'phone' | 'url' | 'date' | 'time' | 'instant'; readonly minLength?: number; readonly maxLength?: number }
  | FieldBase & { readonly kind: 'number'; readonly integer: boolean; readonly minimum?: number; readonly maximum?: number }
  | FieldBase & { readonly kind: 'boolean' }
  | FieldBase & { readonly kind: 'choice'; readonly options: readonly FieldOption[] }
  | FieldBase & { readonly kind: 'choices'; readonly options: readonly FieldOption[] }
  | FieldBase & { readonly kind: 'lines' }
  | FieldBase & { readonly kind: 'object'; readonly fields: readonly FormField[] }
  | FieldBase & { readonly kind: 'rows'; readonly fields: readonly FormField[]; readonly minItems: number; readonly maxItems?: number }

interface FieldBase {
  readonly name: string
  readonly label: string
  readonly description: string | undefined
  readonly required: boolean
  readonly default: unknown
}

/** A value offered by an `enum` or a `oneOf` of constants; `value` is its JSON text. */
export interface FieldOption { readonly label: string; readonly value: string }

type HeadlessField = ReturnType<typeof createHeadlessForm>['fields'][number]

/** The fields of a form for `schema`, an action's input schema, rooted at `pointer`. */
export function formFields(schema: JsonSchema, pointer = '/inputs'): FormField[] {
  return createHeadlessForm(schema as Parameters<typeof createHeadlessForm>[0], {}).fields
    .filter((field) => field.isVisible)
    .map((field) => toField(field, pointer))
}

/** A property name as words, for a field without a title: `orderId`, `order-id` and `order_id` read "Order id". */
export function humanize(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[-_]+/g, ' ').trim().toLowerCase()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

const PHONE_NAME = /phone|mobile|tel/i

function toField(field: HeadlessField, parent: string): FormField {
  const name = `${parent}/${escapeSegment(field.name)}`
  const title = typeof field['title'] === 'string' ? field['title'] : field.label
  const description = typeof field.description === 'string' ? field.description : undefined
  // A field with no title is labelled by its description when it has one, said once.
  const base: FieldBase = {
    name, label: title ?? description ?? humanize(field.name), description: title === undefined ? undefined : description,
    required: field.required, default: field.default,
  }
  const options = optionsOf(field)
  switch (field.jsonType) {
    case 'object':
      return { ...base, kind: 'object', fields: (field.fields ?? []).filter((f) => f.isVisible).map((f) => toField(f, name)) }
    case 'array': {
      const items = (field['items'] ?? {}) as { type?: unknown; enum?: unknown[]; properties?: unknown }
      if (items.type === 'object' || items.properties !== undefined) {
        return { ...base, kind: 'rows', fields: (field.fields ?? []).map((f) => toField(f, `${name}/0`)), minItems: numberOf(field['minItems']) ?? 0, ...optional('maxItems', numberOf(field['maxItems'])) }
      }
      if (Array.isArray(items.enum)) return { ...base, kind: 'choices', options: items.enum.map((value) => ({ label: String(value), value: JSON.stringify(value) })) }
      return { ...base, kind: 'lines' }
    }
    case 'boolean':
      return { ...base, kind: 'boolean' }
    case 'integer':
    case 'number':
      if (options) return { ...base, kind: 'choice', options }
      return { ...base, kind: 'number', integer: field.jsonType === 'integer', ...optional('minimum', numberOf(field['minimum'])), ...optional('maximum', numberOf(field['maximum'])) }
    default: {
      if (options) return { ...base, kind: 'choice', options }
      const lengths = { ...optional('minLength', numberOf(field['minLength'])), ...optional('maxLength', numberOf(field.maxLength)) }
      return { ...base, kind: textKind(field), ...lengths }
    }
  }
}

function textKind(field: HeadlessField): Extract<FormField, { minLength?: number }>['kind'] {
  switch (field.format) {
    case 'email': return 'email'
    case 'date': return 'date'
    case 'time': return 'time'
    case 'date-time': return 'instant'
    case 'uri': case 'url': return 'url'
  }
  if (PHONE_NAME.test(field.name)) return 'phone'
  // Free text longer than a line gets a text area.
  return (numberOf(field.maxLength) ?? Infinity) > 200 ? 'long-text' : 'text'
}

function optionsOf(field: HeadlessField): FieldOption[] | undefined {
  if (!Array.isArray(field.options) || field.options.length === 0) return undefined
  return field.options.map((option) => {
    const { label, value } = option as { label?: unknown; value?: unknown }
    return { label: typeof label === 'string' ? label : String(value), value: JSON.stringify(value) }
  })
}

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined
}
