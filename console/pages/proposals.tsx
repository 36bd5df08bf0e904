import { may, PROPOSAL_STATUSES } from '../../engine/index.js'
import type { ProposalState } from '../../engine/index.js'
import { Time } from '../format.js'
import { labelOf } from '../i18n.js'
import { Layout } from '../layout.js'
import type { NewProposalData, ProposalListData, ProposalPageData } from '../proposal-data.js'
import type { PageContext } from '../view.js'
import { nextPage } from './deliveries.js'
import { ComparisonSection, LineDiff, SourceText, StudioForm } from './processes.js'
import type { EditorData } from './processes.js'

/** Where a proposal's page is. */
export function proposalPath(id: string): string {
  return `/console/proposals/${encodeURIComponent(id)}`
}

/** The proposals the viewer sees (an ISV its own, an administrator every one), narrowed by status. */
export function ProposalsPage({ page, data }: { page: PageContext; data: ProposalListData }) {
  const { t } = page
  const all = page.principal !== undefined && may(page.principal, 'see-all')
  return (
    <Layout page={page} title={t.proposals.title}>
      <h1>{t.proposals.title}</h1>
      <p class="muted">{all ? t.proposals.introAdmin : t.proposals.introIsv}</p>
      {data.mayPropose && <p><a class="button" href="/console/proposals/new">{t.proposals.propose}</a></p>}
      <nav aria-label={t.proposals.filter} class="versions">
        <span>{`${t.proposals.filter}: `}</span>
        {[undefined, ...PROPOSAL_STATUSES].map((status, i) => <>{i > 0 && ' · '}{status === data.status
          ? <strong aria-current="page">{status === undefined ? t.proposals.all : t.proposals.statuses[status]}</strong>
          : <a href={status === undefined ? '/console/proposals' : `/console/proposals?status=${status}`}>{status === undefined ? t.proposals.all : t.proposals.statuses[status]}</a>}</>)}
      </nav>
      {data.proposals.length === 0 ? <p>{t.proposals.none}</p> : (
        <div class="table-scroll">
          <table class="deliveries proposals">
            <thead>
              <tr><th scope="col">{t.proposals.process}</th><th scope="col">{t.proposals.base}</th><th scope="col">{t.proposals.proposer}</th><th scope="col">{t.proposals.status}</th><th scope="col">{t.proposals.updated}</th></tr>
            </thead>
            <tbody>
              {data.proposals.map((p) => (
                <tr>
                  <td><a href={proposalPath(p.id)}>{p.process.title}</a><br /><code>{`${p.process.id}@${p.process.version}`}</code></td>
                  <td><code>{p.base}</code></td>
                  <td>{`${p.proposer.subject} (${labelOf(t.roles, p.proposer.role)})`}</td>
                  <td><span class={`status ${p.status}`}>{t.proposals.statuses[p.status]}</span>{p.round > 1 && <> <span class="badge round">{`${t.proposals.round} ${p.round}`}</span></>}</td>
                  <td><Time at={p.updatedAt} zone="UTC" locale={page.locale} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data.next && <p><a rel="next" href={nextPage(page.path, data.next)}>{t.list.next}</a></p>}
    </Layout>
  )
}

/** A new proposal: the process to customise, then the editor starting from a derived definition of it. */
export function NewProposalPage({ page, data, problems }: { page: PageContext; data: NewProposalData; problems?: EditorData['problems'] }) {
  const { t } = page
  return (
    <Layout page={page} title={t.proposals.newTitle} script={data.source === '' ? undefined : 'studio'}>
      <p><a href="/console/proposals">{t.proposals.title}</a></p>
      <h1>{t.proposals.newTitle}</h1>
      <p class="muted">{t.proposals.newIntro}</p>
      <form method="get" action="/console/proposals/new" class="filters">
        <div class="field">
          <label for="base">{t.proposals.chooseBase}</label>
          <select id="base" name="base">
            {data.bases.map((b) => <option value={b.id} selected={b.id === data.base?.id}>{`${b.title} (${b.id}@${b.latestVersion})`}</option>)}
          </select>
        </div>
        <div class="filter-buttons"><button type="submit" class="secondary">{t.proposals.start}</button></div>
      </form>
      {data.source !== '' && <>
        {problems && problems.length > 0 && <p class="alert" role="alert">{t.proposals.notSubmitted}</p>}
        <StudioForm page={page} action="/console/proposals" data={{ source: data.source, scenarios: '', problems: problems ?? [] }} submit={t.proposals.submit} />
      </>}
    </Layout>
  )
}

/** The proposer amending a proposal: the editor with its text, and a note for the reviewer. */
export function ProposalEditPage({ page, proposal, data, note }: { page: PageContext; proposal: ProposalState; data: EditorData; note: string }) {
  const { t } = page
  return (
    <Layout page={page} title={t.proposals.editTitle(proposal.process.title)} script="studio">
      <p><a href={proposalPath(proposal.id)}>{t.proposals.pageTitle(proposal.process.title)}</a></p>
      <h1>{t.proposals.editTitle(proposal.process.title)}</h1>
      <p class="muted">{t.proposals.editIntro}</p>
      <LastComment page={page} proposal={proposal} />
      {data.problems.length > 0 && <p class="alert" role="alert">{t.proposals.notSubmitted}</p>}
      <StudioForm page={page} action={`${proposalPath(proposal.id)}/amend`} data={data} submit={t.proposals.resubmit}>
        <input type="hidden" name="_revision" value={String(proposal.revision)} />
        <div class="field">
          <label for="comment">{t.proposals.changeNote}</label>
          <textarea id="comment" name="comment" rows={3} maxlength={4000}>{note}</textarea>
        </div>
      </StudioForm>
    </Layout>
  )
}

/** A proposal: its status and history, its changes against its base (and the last round), its diagram and text, and the forms the viewer may use. */
export function ProposalPage({ page, data, refusal }: { page: PageContext; data: ProposalPageData; refusal?: string }) {
  const { t } = page
  const { proposal } = data
  const path = proposalPath(proposal.id)
  return (
    <Layout page={page} title={t.proposals.pageTitle(proposal.process.title)}>
      <p><a href="/console/proposals">{t.proposals.title}</a></p>
      <h1>{t.proposals.pageTitle(proposal.process.title)}</h1>
      {refusal && <p class="alert" role="alert">{`${t.proposals.refused} ${refusal}`}</p>}
      <dl class="value">
        <dt>{t.proposals.status}</dt><dd><span class={`status ${proposal.status}`}>{t.proposals.statuses[proposal.status]}</span>{` · ${t.proposals.round} ${proposal.round}`}</dd>
        <dt>{t.proposals.process}</dt><dd><code>{`${proposal.process.id}@${proposal.process.version}`}</code></dd>
        <dt>{t.proposals.base}</dt><dd><code>{proposal.base}</code></dd>
        <dt>{t.proposals.proposer}</dt><dd>{`${proposal.proposer.subject} (${labelOf(t.roles, proposal.proposer.role)})`}</dd>
      </dl>
      {proposal.registered && <p class="notice" role="status">{t.proposals.registered(proposal.registered.id, proposal.registered.version)}</p>}
      <LastComment page={page} proposal={proposal} />
      {(data.may.amend || data.may.withdraw) && (
        <div class="filter-buttons">
          {data.may.amend && <a class="button" href={`${path}/edit`}>{t.proposals.amend}</a>}
          {data.may.withdraw && (
            <form method="post" action={`${path}/withdraw`} class="inline">
              <input type="hidden" name="_csrf" value={page.csrf ?? ''} />
              <input type="hidden" name="_revision" value={String(proposal.revision)} />
              <button type="submit" class="secondary">{t.proposals.withdraw}</button>
            </form>
          )}
        </div>
      )}
      {data.sinceLastRound && (
        <section aria-labelledby="round-title">
          <h2 id="round-title">{t.proposals.sinceLastRound}</h2>
          <LineDiff lines={data.sinceLastRound} />
        </section>
      )}
      {data.againstBase && <ComparisonSection page={page} comparison={data.againstBase} title={t.proposals.againstBase(proposal.base)} text={false} />}
      {data.may.review && (
        <section aria-labelledby="review-title" class="review">
          <h2 id="review-title">{t.proposals.review}</h2>
          <form method="post" action={`${path}/review`}>
            <input type="hidden" name="_csrf" value={page.csrf ?? ''} />
            <input type="hidden" name="_revision" value={String(proposal.revision)} />
            <div class="field">
              <label for="comment">{t.proposals.comment}</label>
              <p class="help" id="comment-help">{t.proposals.commentHelp}</p>
              <textarea id="comment" name="comment" rows={4} maxlength={4000} aria-describedby="comment-help"></textarea>
            </div>
            <div class="filter-buttons">
              <button type="submit" name="decision" value="approve">{t.proposals.approve}</button>
              <button type="submit" name="decision" value="return" class="secondary">{t.proposals.return}</button>
            </div>
          </form>
        </section>
      )}
      <details class="diagram" data-diagram={`${path}/diagram`} data-current="">
        <summary>{t.studio.diagram}</summary>
        <div class="diagram-body" aria-live="polite"><p>{t.studio.diagramLoading}</p></div>
      </details>
      <section aria-labelledby="source-title">
        <h2 id="source-title">{t.studio.source}</h2>
        <SourceText text={proposal.source} />
      </section>
      <section aria-labelledby="history-title">
        <h2 id="history-title">{t.proposals.history}</h2>
        <ol class="history">
          {proposal.history.map((entry) => (
            <li>
              <Time at={entry.at} zone="UTC" locale={page.locale} />{' '}
              {t.proposals.entry(`${entry.by.subject} (${labelOf(t.roles, entry.by.role)})`, t.proposals.actions[entry.action], entry.round)}
              {entry.comment !== null && <blockquote>{entry.comment}</blockquote>}
            </li>
          ))}
        </ol>
      </section>
    </Layout>
  )
}

/** The reviewer's comment when a proposal was returned, where its proposer looks first. */
function LastComment({ page, proposal }: { page: PageContext; proposal: ProposalState }) {
  const last = proposal.history.at(-1)
  if (proposal.status !== 'returned' || !last || last.comment === null) return null
  return (
    <div class="alert" role="note">
      <p><strong>{page.t.proposals.statuses.returned}</strong>{` · ${last.by.subject} (${labelOf(page.t.roles, last.by.role)})`}</p>
      <blockquote>{last.comment}</blockquote>
    </div>
  )
}
