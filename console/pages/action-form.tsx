import type { ActionView, ErrorCode, FieldProblem } from '../../engine/index.js'
import { ATTACHMENT_TYPES, isAttachmentType } from '../../engine/index.js'
import { formFields } from '../forms/fields.js'
import type { FormField } from '../forms/fields.js'
import type { SubmittedForm } from '../forms/form-values.js'
import { idOf, problemText, SchemaFields } from '../forms/schema-form.js'
import type { PageContext } from '../view.js'
import type { FileNames } from './delivery-parts.js'

/** An action refused by the engine: which, why, and the form as it was sent (shown again with the problems at their fields). */
export interface Refusal {
  readonly action: string
  readonly code: ErrorCode
  readonly message: string
  readonly problems: readonly FieldProblem[]
  readonly submitted: SubmittedForm
}

/** Hidden fields every action form carries besides its inputs. */
export const FORM_KEYS = { csrf: '_csrf', action: '_action', step: '_step', revision: '_revision', zone: '_tz' } as const

/** The pointer of an attachment slot's files in an act, and the form field that carries their ids. */
export const slotPointer = (slot: string): string => `/attachments/${slot}`

/** Sizes as people read them: 5 MB, 300 KB. */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / (1024 * 1024)).toFixed(1)} MB`
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KB`
  return `${bytes} B`
}

/**
 * The form of one action, generated from its input schema and attachment rules: fields with
 * their labels, help and inline problems; an upload area per slot with its rules (checked in the
 * browser before uploading, and by the engine on submitting); a confirmation when it ends the delivery.
 */
export function ActionForm({ page, instanceId, step, revision, action, refusal, files }: {
  page: PageContext; instanceId: string; step: string; revision: number; action: ActionView; refusal: Refusal | undefined; files: FileNames
}) {
  const { t } = page
  const mine = refusal?.action === action.id ? refusal : undefined
  const problems = mine?.problems ?? []
  const state = { t, english: page.locale === 'en', submitted: mine?.submitted, problems }
  const fields = formFields(action.inputs)
  // Problems shown at a field or a slot; the others (a property no field shows) are listed at the top.
  const { exact, within } = placesOf(fields)
  for (const slot of action.attachments) within.push(slotPointer(slot.slot))
  const elsewhere = problems.filter((p) => !exact.has(p.pointer) && !within.some((name) => p.pointer === name || p.pointer.startsWith(`${name}/`)))
  const ends = action.leadsTo.startsWith('end:')
  const formId = `action-${idOf(action.id)}`
  return (
    <form method="post" action={`/console/deliveries/${encodeURIComponent(instanceId)}/act`} class="action" id={formId} novalidate
      aria-labelledby={`${formId}-title`} data-confirm={ends ? t.delivery.endsConfirm : undefined}>
      <h3 id={`${formId}-title`}>{action.title}</h3>
      {action.description && <p class="help">{action.description}</p>}
      {mine && (
        <div class="alert" role="alert">
          {/* Without a field to point at, the reason itself: the API's words in English, the code's in Chinese. */}
          <p>{problems.length > 0 ? t.form.fixErrors : state.english ? mine.message : t.form.refused(mine.code)}</p>
          {elsewhere.length > 0 && <ul>{elsewhere.map((p) => <li data-pointer={p.pointer}>{`${p.pointer}: ${problemText(p, t, state.english)}`}</li>)}</ul>}
        </div>
      )}
      <input type="hidden" name={FORM_KEYS.csrf} value={page.csrf ?? ''} />
      <input type="hidden" name={FORM_KEYS.action} value={action.id} />
      <input type="hidden" name={FORM_KEYS.step} value={step} />
      <input type="hidden" name={FORM_KEYS.revision} value={String(revision)} />
      <input type="hidden" name={FORM_KEYS.zone} value="" data-viewer-zone />
      <SchemaFields fields={fields} state={state} />
      {action.attachments.map((slot) => {
        const name = slotPointer(slot.slot)
        const id = idOf(`${formId}${name}`)
        const slotProblems = problems.filter((p) => p.pointer === name || p.pointer.startsWith(`${name}/`))
        // A refused form shows again the files it held, no more than the slot takes.
        const kept = (mine?.submitted[name] ?? []).slice(0, slot.max)
        const types = slot.types.join(', ')
        const extensions = slot.types.flatMap((type) => isAttachmentType(type) ? ATTACHMENT_TYPES[type].extensions : [type])
        // What the browser checks before uploading, and the messages it shows (`{name}`, `{why}` filled in there).
        const rules = {
          'data-slot': slot.slot, 'data-name': name, 'data-types': slot.types.join(','), 'data-extensions': extensions.join(','),
          'data-max-size': String(slot.maxSize), 'data-max': String(slot.max),
          'data-msg-type': t.attachments.wrongType('{name}', types), 'data-msg-content': t.attachments.wrongContent('{name}', types), 'data-msg-size': t.attachments.tooLarge('{name}', formatSize(slot.maxSize)),
          'data-msg-count': t.attachments.tooMany(slot.max), 'data-msg-failed': t.attachments.failed('{name}', '{why}'),
          'data-msg-remove': t.attachments.remove, 'data-msg-uploading': t.attachments.uploading, 'data-msg-network': t.attachments.network,
        }
        return (
          <fieldset class="slot" {...rules} aria-describedby={`${id}-rules`}>
            <legend>{slot.title} <span class="badge">{slot.min > 0 ? t.form.required : t.form.optional}</span></legend>
            <p class="help" id={`${id}-rules`}>{t.attachments.rules(types, formatSize(slot.maxSize), slot.min, slot.max)}</p>
            <label for={id}>{t.attachments.choose}</label>
            <input type="file" id={id} multiple={slot.max > 1} accept={extensions.map((extension) => `.${extension}`).join(',')} aria-describedby={`${id}-rules`} />
            <ul class="files" aria-live="polite">
              {kept.map((fileId) => (
                <li class="file" data-id={fileId}>
                  <span>{files.get(fileId) ?? fileId}</span>
                  <input type="hidden" name={name} value={fileId} />
                  <button type="button" class="secondary" data-remove-file>{t.attachments.remove}</button>
                </li>
              ))}
            </ul>
            <p class="field-error" data-slot-error={slot.slot} data-pointer={name} hidden={slotProblems.length === 0} aria-live="polite">
              {slotProblems.map((p) => problemText(p, t, state.english)).join(' ')}
            </p>
          </fieldset>
        )
      })}
      <button type="submit">{action.title}</button>
    </form>
  )
}

/** Pointers a form shows problems at: each field's own, and everything within an array of rows. */
function placesOf(fields: readonly FormField[], places = { exact: new Set<string>(), within: [] as string[] }): typeof places {
  for (const field of fields) {
    places.exact.add(field.name)
    if (field.kind === 'rows') places.within.push(field.name)
    if (field.kind === 'object') placesOf(field.fields, places)
  }
  return places
}
