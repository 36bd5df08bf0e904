import type { CompiledProcess, EventRecord, InstanceView, Submissions, ValidityView } from '../../engine/index.js'
import { may } from '../../engine/index.js'
import { Time, WithTime } from '../format.js'
import { labelOf } from '../i18n.js'
import { Layout } from '../layout.js'
import type { PageContext } from '../view.js'
import { ActionForm } from './action-form.js'
import type { Refusal } from './action-form.js'
import { Details, History, Steps } from './delivery-parts.js'
import { ReminderNotice } from './reminder-notice.js'
import type { FileNames } from './delivery-parts.js'

export interface DeliveryPageData {
  readonly view: InstanceView & { readonly submissions: Submissions }
  readonly process: CompiledProcess
  readonly history: readonly EventRecord[]
  readonly files: FileNames
  /** Whether the delivery entitles its customer now, when its process declares a validity period. */
  readonly validity?: ValidityView | undefined
  readonly refusal?: Refusal | undefined
  /** A notice above the page (the delivery changed under a form). */
  readonly notice?: string | undefined
}

/** Whether a delivery entitles its customer now, in words, with the period's bounds in the process's zone. */
function ValidityText({ page, validity }: { page: PageContext; validity: ValidityView }) {
  const { t } = page
  const at = (instant: string | undefined) => instant === undefined ? '' : <Time at={instant} zone={validity.timeZone} locale={page.locale} />
  if (validity.valid) {
    return validity.until === undefined
      ? <>{t.validity.validFrom} {at(validity.from)}{` ${t.validity.withoutEnd}`}</>
      : <>{t.validity.validUntil} {at(validity.until)}{` ${t.aside(t.validity.daysLeft(Math.floor((validity.remainingSeconds ?? 0) / 86_400)))}`}</>
  }
  switch (validity.reason) {
    case 'not-started': return <>{t.validity.startsAt} {at(validity.from)}</>
    case 'expired': return <>{t.validity.expiredAt} {at(validity.until)}</>
    default: return <>{t.validity.reasons[validity.reason === 'terminated' || validity.reason === 'no-period' ? validity.reason : 'pending']}</>
  }
}

/** Where the page's script asks whether the delivery changed, and where it loads the diagram from. */
export const deliveryPath = (id: string): string => `/console/deliveries/${encodeURIComponent(id)}`

/**
 * The page of one delivery, for any process: its phase and executor, the deadline in words, the
 * forms of what the viewer may do now, the details, the steps, the history and the diagram.
 */
export function DeliveryPage({ page, data }: { page: PageContext; data: DeliveryPageData }) {
  const { t, principal } = page
  const { view, process } = data
  const zone = process.timeZone
  const privileged = principal !== undefined && may(principal, 'see-all')
  const executor = view.step && view.status === 'active' ? view.step.actors.map((role) => labelOf(t.roles, role)).join(' / ') : undefined
  const actsNow = view.step?.actors.includes(principal?.role ?? '') === true
  const path = deliveryPath(view.id)
  return (
    <Layout page={page} title={`${view.process.title} · ${view.step?.title ?? labelOf(t.status, view.status)}`}>
      <div class="delivery" data-live={`${path}/revision`} data-events={`/console/events?instance=${encodeURIComponent(view.id)}`} data-revision={String(view.revision)}>
        <p class="changed" role="status" hidden>{t.delivery.changed} <a href={path}>{t.delivery.reload}</a></p>
        {data.notice && <p class="notice" role="status">{data.notice}</p>}
        <header class="delivery-head">
          <h1>{view.process.title}</h1>
          <dl class="summary">
            <dt>{t.list.status}</dt><dd><span class={`status ${view.status}`}>{labelOf(t.status, view.status)}</span></dd>
            <dt>{t.delivery.phase}</dt>
            <dd>{view.step ? view.step.title : view.outcome ? t.delivery.ended(labelOf(t.status, view.outcome)) : '—'}{view.step && view.step.round > 1 ? ` ${t.aside(t.delivery.round(view.step.round))}` : ''}</dd>
            {executor && <><dt>{t.delivery.executor}</dt><dd>{executor}</dd></>}
            <dt>{t.list.started}</dt><dd><Time at={view.startedAt} zone={zone} locale={page.locale} /></dd>
            {data.validity && <><dt>{t.validity.title}</dt><dd class="validity"><ValidityText page={page} validity={data.validity} /></dd></>}
          </dl>
          {view.deadline && (
            <p class="deadline">
              <WithTime at={view.deadline.due} zone={zone} locale={page.locale} countdown
                text={view.deadline.kind === 'timeout'
                  ? (actsNow ? t.deadline.timeout : t.deadline.timeoutOther)(process.steps.get(view.step?.id ?? '')?.actions.get(view.deadline.name)?.title ?? view.deadline.name)
                  : t.deadline.window(process.windows.get(view.deadline.name)?.title ?? view.deadline.name)} />{' '}
              <span class="zone">{t.aside(t.deadline.processZone(zone))}</span>
            </p>
          )}
          <ReminderNotice page={page} view={view} process={process} />
          {view.failure && (
            <p class="alert" role="alert">{t.labelled(t.delivery.failure, t.delivery.failureText(view.failure.code, view.failure.message, view.failure.attempts))}</p>
          )}
        </header>

        <div class="columns">
          <Details page={page} process={process} view={view} />
          <div class="main-column">
            <section aria-labelledby="actions-title">
              <h2 id="actions-title">{t.delivery.actions}</h2>
              {view.actions.length === 0
                ? <p>{view.step && view.status === 'active' ? t.delivery.waitingOn(executor ?? '') : t.delivery.noActions}</p>
                : view.actions.map((action) => (
                  <ActionForm page={page} instanceId={view.id} step={view.step?.id ?? ''} revision={view.revision} action={action} refusal={data.refusal} files={data.files} />
                ))}
              {privileged && (view.status === 'active' || view.status === 'failed') && <AdminActions page={page} view={view} />}
            </section>
            <Steps page={page} process={process} view={view} history={data.history} />
            <details class="diagram" data-diagram={`${path}/diagram`} data-current={view.step?.id ?? ''}>
              <summary>{t.delivery.diagram}</summary>
              <div class="diagram-body" aria-live="polite"><p>{t.delivery.diagramLoading}</p></div>
            </details>
            <History page={page} process={process} history={data.history} files={data.files} />
          </div>
        </div>
      </div>
    </Layout>
  )
}

/** Terminate with a reason, and retry a failed delivery: for administrators. */
function AdminActions({ page, view }: { page: PageContext; view: InstanceView }) {
  const { t } = page
  const path = deliveryPath(view.id)
  return (
    <div class="admin-actions">
      {view.status === 'failed' && (
        <form method="post" action={`${path}/retry`}>
          <input type="hidden" name="_csrf" value={page.csrf ?? ''} />
          <input type="hidden" name="_revision" value={String(view.revision)} />
          <button type="submit">{t.delivery.retry}</button>
        </form>
      )}
      <form method="post" action={`${path}/terminate`} class="terminate" data-confirm={t.delivery.terminateConfirm}>
        <h3>{t.delivery.terminate}</h3>
        <input type="hidden" name="_csrf" value={page.csrf ?? ''} />
        <input type="hidden" name="_revision" value={String(view.revision)} />
        <div class="field">
          <label for="terminate-reason">{t.delivery.terminateReason} <span class="badge">{t.form.required}</span></label>
          <textarea id="terminate-reason" name="reason" rows={2} required maxlength={1000}></textarea>
        </div>
        <button type="submit" class="danger">{t.delivery.terminate}</button>
      </form>
    </div>
  )
}
