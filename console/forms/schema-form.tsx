import { FORMAT_RULES } from '../../engine/index.js'
import type { FieldProblem } from '../../engine/index.js'
import type { Messages } from '../i18n.js'
import type { FormField } from './fields.js'
import { renamed, rowIndexes } from './form-values.js'
import type { SubmittedForm } from './form-values.js'

/** What a form's fields are rendered with: the values to show and the problems found in them. */
export interface FieldState {
  readonly t: Messages
  /** Whether the viewer reads English: then the API's own messages are shown, else the rule's in their language. */
  readonly english: boolean
  /** The form as last submitted; undefined for a fresh form (the schema's defaults are shown). */
  readonly submitted: SubmittedForm | undefined
  readonly problems: readonly FieldProblem[]
}

/** The fields of an action's form, each with its label, help, and the API's problems for it inline. */
export function SchemaFields({ fields, state }: { fields: readonly FormField[]; state: FieldState }) {
  return <>{fields.map((field) => <Field field={field} state={state} />)}</>
}

/** The message shown for a problem: the API's own in English; in another language, the rule's. */
export function problemText(problem: FieldProblem, t: Messages, english: boolean): string {
  if (english) return problem.message
  const rules = t.rules
  if (problem.pointer.startsWith('/attachments/')) {
    // The engine's attachment rules (`attachment.count`, `attachment.type`, ...), by the rule's name.
    switch (problem.rule) {
      case 'count': return rules.count
      case 'type': return rules.fileType
      case 'size': return rules.fileSize
      default: return rules.other
    }
  }
  switch (problem.rule) {
    case 'format': {
      // The format whose words the engine gave (FORMAT_RULES), `text` among them.
      const format = Object.keys(FORMAT_RULES).find((name) => FORMAT_RULES[name] === problem.message)
      return format === 'text' ? rules.text : rules.format(format ?? '')
    }
    case 'required': case 'type': case 'minLength': case 'maxLength': case 'pattern': case 'minimum': case 'maximum': case 'enum':
      return rules[problem.rule]
    default: return rules.other
  }
}

function Field({ field, state }: { field: FormField; state: FieldState }) {
  const { t } = state
  const id = idOf(field.name)
  const problems = state.problems.filter((p) => p.pointer === field.name)
  const described = [field.description ? `${id}-help` : '', problems.length > 0 ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined
  const invalid = problems.length > 0 ? 'true' : undefined
  const help = field.description ? <p class="help" id={`${id}-help`}>{field.description}</p> : null
  const errors = problems.length > 0
    ? <p class="field-error" id={`${id}-error`} data-pointer={field.name}>{problems.map((p) => problemText(p, t, state.english)).join(' ')}</p>
    : null
  const badge = <span class="badge">{field.required ? t.form.required : t.form.optional}</span>
  const raw = state.submitted?.[field.name]
  const text = raw?.[0] ?? (state.submitted ? '' : defaultText(field))

  switch (field.kind) {
    case 'object':
      return (
        <fieldset class="group" aria-describedby={described}>
          <legend>{field.label} {badge}</legend>
          {help}{errors}
          <SchemaFields fields={field.fields} state={state} />
        </fieldset>
      )
    case 'rows': {
      // As many rows as were sent back (a refused form), never more than the field takes.
      const count = Math.min(field.maxItems ?? Infinity, Math.max(1, field.minItems, (rowIndexes(field.name, state.submitted ?? {}).at(-1) ?? -1) + 1))
      return (
        <fieldset class="group rows" data-rows={field.name} aria-describedby={described}>
          <legend>{field.label} {badge}</legend>
          {help}{errors}
          {Array.from({ length: count }, (_, index) => (
            <fieldset class="row" data-row={index}>
              <legend>{`${field.label} ${index + 1}`}</legend>
              <SchemaFields fields={field.fields.map((f) => renamed(f, `${field.name}/0`, `${field.name}/${index}`))} state={state} />
              <button type="button" class="secondary" data-remove-row>{t.form.remove}</button>
            </fieldset>
          ))}
          <button type="button" class="secondary" data-add-row>{t.form.add}</button>
        </fieldset>
      )
    }
    case 'boolean': {
      const checked = raw ? raw.includes('true') : field.default === true
      return (
        <div class="field checkbox">
          <input type="checkbox" id={id} name={field.name} value="true" checked={checked} aria-describedby={described} aria-invalid={invalid} />
          <label for={id}>{field.label}</label>
          {help}{errors}
        </div>
      )
    }
    case 'choice':
      return (
        <div class="field">
          <label for={id}>{field.label} {badge}</label>
          {help}
          <select id={id} name={field.name} aria-describedby={described} aria-invalid={invalid} required={field.required}>
            <option value="">{t.form.choose}</option>
            {field.options.map((option) => <option value={option.value} selected={option.value === text}>{option.label}</option>)}
          </select>
          {errors}
        </div>
      )
    case 'choices': {
      const chosen = raw ?? (Array.isArray(field.default) ? field.default.map((v) => JSON.stringify(v)) : [])
      return (
        <fieldset class="field" aria-describedby={described}>
          <legend>{field.label} {badge}</legend>
          {help}
          {field.options.map((option, index) => (
            <div class="checkbox">
              <input type="checkbox" id={`${id}-${index}`} name={field.name} value={option.value} checked={chosen.includes(option.value)} />
              <label for={`${id}-${index}`}>{option.label}</label>
            </div>
          ))}
          {errors}
        </fieldset>
      )
    }
    case 'lines':
      return (
        <div class="field">
          <label for={id}>{field.label} {badge}</label>
          <p class="help" id={`${id}-lines`}>{field.description ? `${field.description} ` : ''}{t.form.oneValuePerLine}</p>
          <textarea id={id} name={field.name} rows={4} aria-describedby={[`${id}-lines`, problems.length > 0 ? `${id}-error` : ''].filter(Boolean).join(' ')} aria-invalid={invalid}>
            {raw?.[0] ?? (Array.isArray(field.default) ? field.default.join('\n') : '')}
          </textarea>
          {errors}
        </div>
      )
    case 'number':
      return (
        <div class="field">
          <label for={id}>{field.label} {badge}</label>
          {help}
          <input type="number" id={id} name={field.name} value={text} step={field.integer ? '1' : 'any'} min={field.minimum} max={field.maximum}
            required={field.required} aria-describedby={described} aria-invalid={invalid} />
          {errors}
        </div>
      )
    case 'long-text':
      return (
        <div class="field">
          <label for={id}>{field.label} {badge}</label>
          {help}
          <textarea id={id} name={field.name} rows={6} maxlength={field.maxLength} required={field.required} aria-describedby={described} aria-invalid={invalid}>{text}</textarea>
          {errors}
        </div>
      )
    default:
      return (
        <div class="field">
          <label for={id}>{field.label} {badge}</label>
          {help}
          <input type={INPUT_TYPES[field.kind]} id={id} name={field.name} value={text} maxlength={field.maxLength} required={field.required}
            autocomplete={field.kind === 'email' ? 'email' : field.kind === 'phone' ? 'tel' : undefined}
            data-instant={field.kind === 'instant' ? '' : undefined} aria-describedby={described} aria-invalid={invalid} />
          {errors}
        </div>
      )
  }
}

const INPUT_TYPES = { text: 'text', email: 'email', phone: 'tel', url: 'url', date: 'date', time: 'time', instant: 'datetime-local' } as const

/**
 * An element id from a pointer: its letters and digits as they are, `/` as `-`, and any other
 * character as `_` and its code, so two pointers never share an id (`a-b` and `a_b` differ).
 */
export function idOf(pointer: string): string {
  return `f${pointer.replace(/[^A-Za-z0-9/]/g, (c) => `_${c.codePointAt(0)?.toString(16)}_`).replace(/\//g, '-')}`
}

function defaultText(field: FormField): string {
  return typeof field.default === 'string' || typeof field.default === 'number' ? String(field.default) : field.kind === 'choice' && field.default !== undefined ? JSON.stringify(field.default) : ''
}
