import type { CompiledProcess, InstanceView, ProcessSummary, ProposalSummary } from '../../engine/index.js'
import { INSTANCE_STATUSES, may } from '../../engine/index.js'
import { Time, WithTime } from '../format.js'
import { labelOf } from '../i18n.js'
import { Layout } from '../layout.js'
import type { PageContext } from '../view.js'
import { deliveryPath } from './delivery.js'
import { proposalPath } from './proposals.js'
import { ReminderNotice } from './reminder-notice.js'

/** The filters of a list of deliveries, as the query string carries them (empty when not set). */
export interface ListQuery {
  readonly process: string
  readonly status: string
  readonly phase: string
  readonly orderId: string
  /** Administrators only. */
  readonly partyRole: string
  readonly partySubject: string
  /** Dates (YYYY-MM-DD), the days starting in `tz`, the viewer's zone the page's script sends (else UTC). */
  readonly startedFrom: string
  readonly startedTo: string
  readonly tz: string
  readonly cursor: string
}

export const LIST_QUERY_KEYS = ['process', 'status', 'phase', 'orderId', 'partyRole', 'partySubject', 'startedFrom', 'startedTo', 'tz', 'cursor'] as const

/** One page of deliveries, each with its compiled process (for titles and deadlines). */
export interface DeliveryRows {
  readonly items: ReadonlyArray<{ readonly view: InstanceView; readonly process: CompiledProcess }>
  readonly next: string | undefined
}

export interface ListPageData {
  readonly query: ListQuery
  readonly processes: readonly ProcessSummary[]
  /** Steps of every process the viewer may see, for the phase filter. */
  readonly phases: ReadonlyArray<{ readonly process: string; readonly steps: ReadonlyArray<{ readonly id: string; readonly title: string }> }>
  readonly rows: DeliveryRows
  /** On the inbox: what waits on the viewer, shown first. */
  readonly waiting?: DeliveryRows | undefined
  /** On the inbox: the proposals waiting on the viewer (an administrator's to review, an ISV's returned to it). */
  readonly proposals?: readonly ProposalSummary[] | undefined
}

/** The inbox (what waits on me first, then all my deliveries) and the search of deliveries. */
export function DeliveriesPage({ page, data, inbox }: { page: PageContext; data: ListPageData; inbox: boolean }) {
  const { t } = page
  const privileged = page.principal !== undefined && may(page.principal, 'see-all')
  const title = inbox ? t.inbox.title : privileged ? t.nav.admin : t.nav.deliveries
  return (
    <Layout page={page} title={title}>
      <h1>{title}</h1>
      {data.waiting && (
        <section aria-labelledby="waiting-title">
          <h2 id="waiting-title">{t.inbox.waiting}</h2>
          {data.waiting.items.length === 0 && (data.proposals ?? []).length === 0
            ? <p>{t.inbox.waitingNone}</p>
            : <ul class="cards">{data.waiting.items.map(({ view, process }) => <WaitingCard page={page} view={view} process={process} />)}</ul>}
          {data.proposals && data.proposals.length > 0 && (
            <ul class="cards">
              {data.proposals.map((p) => (
                <li class="card">
                  <a class="card-title" href={proposalPath(p.id)}>{t.proposals.pageTitle(p.process.title)}</a>
                  <p>{p.status === 'returned' ? t.inbox.proposalReturned : t.inbox.proposalToReview(`${p.proposer.subject} (${labelOf(t.roles, p.proposer.role)})`)}</p>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      <section aria-labelledby="list-title">
        <h2 id="list-title">{inbox ? t.inbox.mine : t.list.results}</h2>
        <Filters page={page} data={data} action={inbox ? '/console' : '/console/deliveries'} privileged={privileged} />
        {data.rows.items.length === 0 ? <p>{t.inbox.none}</p> : <DeliveryTable page={page} rows={data.rows} />}
        {data.rows.next && <p><a rel="next" href={nextPage(page.path, data.rows.next)}>{t.list.next}</a></p>}
      </section>
    </Layout>
  )
}

/** A delivery waiting on the viewer: its phase, what is asked, and the deadline in words with a countdown. */
function WaitingCard({ page, view, process }: { page: PageContext; view: InstanceView; process: CompiledProcess }) {
  const { t } = page
  const deadline = view.deadline
  return (
    <li class="card">
      <a href={deliveryPath(view.id)} class="card-title">{`${view.process.title} · ${view.step?.title ?? ''}`}</a>
      <p class="muted">{contextLine(view)}</p>
      {view.failure
        ? <p class="alert">{t.labelled(t.delivery.failure, t.delivery.failureText(view.failure.code, view.failure.message, view.failure.attempts))}</p>
        : <p>{t.labelled(t.inbox.asked, view.actions.map((action) => action.title).join(' / ') || view.step?.description || '')}</p>}
      {deadline && !view.failure && (
        <p class="deadline">
          <WithTime at={deadline.due} zone={process.timeZone} locale={page.locale} countdown
            text={deadline.kind === 'timeout'
              ? t.deadline.timeout(process.steps.get(view.step?.id ?? '')?.actions.get(deadline.name)?.title ?? deadline.name)
              : t.deadline.window(process.windows.get(deadline.name)?.title ?? deadline.name)} />{' '}
          <span class="zone">{t.aside(t.deadline.processZone(process.timeZone))}</span>
        </p>
      )}
      {!view.failure && <ReminderNotice page={page} view={view} process={process} />}
    </li>
  )
}

/** The order ID (or else the delivery ID) a person recognises a delivery by. */
function contextLine(view: InstanceView): string {
  const orderId = view.context['orderId']
  return typeof orderId === 'string' ? orderId : view.id
}

function DeliveryTable({ page, rows }: { page: PageContext; rows: DeliveryRows }) {
  const { t } = page
  return (
    // On a narrow screen the table scrolls on its own, not the page; focusable, so keyboards can scroll it.
    <div class="table-scroll" role="region" aria-labelledby="list-title" tabindex={0}>
    <table class="deliveries">
      <thead>
        <tr><th scope="col">{t.list.delivery}</th><th scope="col">{t.list.status}</th><th scope="col">{t.list.phase}</th><th scope="col">{t.list.executor}</th><th scope="col">{t.list.deadline}</th><th scope="col">{t.list.started}</th></tr>
      </thead>
      <tbody>
        {rows.items.map(({ view, process }) => (
          <tr>
            <td><a href={deliveryPath(view.id)}>{view.process.title}</a><br /><span class="muted">{contextLine(view)}</span></td>
            <td><span class={`status ${view.status}`}>{labelOf(t.status, view.status)}</span></td>
            <td>{view.step?.title ?? (view.outcome ? t.delivery.ended(labelOf(t.status, view.outcome)) : '—')}</td>
            <td>{view.step && view.status === 'active' ? view.step.actors.map((role) => labelOf(t.roles, role)).join(' / ') : '—'}</td>
            <td>{view.deadline ? <Time at={view.deadline.due} zone={process.timeZone} locale={page.locale} /> : '—'}</td>
            <td><Time at={view.startedAt} zone={process.timeZone} locale={page.locale} /></td>
          </tr>
        ))}
      </tbody>
    </table>
    </div>
  )
}

function Filters({ page, data, action, privileged }: { page: PageContext; data: ListPageData; action: string; privileged: boolean }) {
  const { t } = page
  const q = data.query
  return (
    <form method="get" action={action} class="filters" role="search">
      <div class="field">
        <label for="filter-process">{t.list.process}</label>
        <select id="filter-process" name="process">
          <option value="">{t.list.any}</option>
          {data.processes.map((p) => <option value={p.id} selected={q.process === p.id}>{p.title}</option>)}
        </select>
      </div>
      <div class="field">
        <label for="filter-status">{t.list.status}</label>
        <select id="filter-status" name="status">
          <option value="">{t.list.any}</option>
          {INSTANCE_STATUSES.map((status) => <option value={status} selected={q.status === status}>{t.status[status]}</option>)}
        </select>
      </div>
      <div class="field">
        <label for="filter-phase">{t.list.phase}</label>
        <select id="filter-phase" name="phase">
          <option value="">{t.list.any}</option>
          {data.phases.map((group) => (
            <optgroup label={data.processes.find((p) => p.id === group.process)?.title ?? group.process}>
              {group.steps.map((step) => <option value={phaseValue(group.process, step.id)} selected={q.phase === phaseValue(group.process, step.id)}>{step.title}</option>)}
            </optgroup>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="filter-order">{t.list.orderId}</label>
        <input id="filter-order" name="orderId" value={q.orderId} maxlength={200} />
      </div>
      {privileged && (
        <>
          <div class="field">
            <label for="filter-party-role">{t.list.partyRole}</label>
            <input id="filter-party-role" name="partyRole" value={q.partyRole} maxlength={100} />
          </div>
          <div class="field">
            <label for="filter-party-subject">{t.list.partySubject}</label>
            <input id="filter-party-subject" name="partySubject" value={q.partySubject} maxlength={200} />
          </div>
          <div class="field">
            <label for="filter-from">{t.list.startedFrom}</label>
            <input id="filter-from" type="date" name="startedFrom" value={q.startedFrom} />
          </div>
          <div class="field">
            <label for="filter-to">{t.list.startedTo}</label>
            <input id="filter-to" type="date" name="startedTo" value={q.startedTo} />
          </div>
        </>
      )}
      <input type="hidden" name="tz" value={q.tz} data-viewer-zone />
      <div class="filter-buttons">
        <button type="submit">{t.list.filter}</button>
        <a href={action}>{t.list.clear}</a>
      </div>
    </form>
  )
}

/** A phase as the filter sends it: `PROCESS:STEP`, since processes share step ids (`submit-demand`). */
export const phaseValue = (process: string, step: string): string => `${process}:${step}`

/** The same list from the cursor on. */
/** `path` (with its query) asking for the page after `cursor`. */
export function nextPage(path: string, cursor: string): string {
  const url = new URL(path, 'http://console')
  url.searchParams.set('cursor', cursor)
  return `${url.pathname}${url.search}`
}
