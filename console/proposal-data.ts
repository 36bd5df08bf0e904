import type { Engine, Principal, ProcessSummary, ProposalState, ProposalStatus, ProposalSummary } from '../engine/index.js'
import { EngineError, forbidden, PROPOSAL_STATUSES, proposalAllows } from '../engine/index.js'
import type { Comparison } from './process-data.js'
import { compareLines, compareVersions } from './process-data.js'
import { PAGE_SIZE } from './delivery-data.js'

/** The proposals a person sees: an ISV its own, an administrator every one; `status` narrows them. */
export interface ProposalListData {
  readonly proposals: readonly ProposalSummary[]
  /** The cursor of the next page, when there may be one. */
  readonly next: string | undefined
  readonly status: ProposalStatus | undefined
  /** Whether the viewer may propose (an ISV), and so sees the link to a new proposal. */
  readonly mayPropose: boolean
}

/** One proposal, with what a reviewer compares it with and the forms the viewer may use. */
export interface ProposalPageData {
  readonly proposal: ProposalState
  /** Its steps and text against the base it derives from (when the base can still be read). */
  readonly againstBase?: Comparison
  /** Its text against the round before, once amended. */
  readonly sinceLastRound?: Comparison['lines']
  readonly may: { readonly review: boolean; readonly amend: boolean; readonly withdraw: boolean }
}

/** What the page for a new proposal offers: the processes one may customise, and the text to start from. */
export interface NewProposalData {
  readonly bases: readonly ProcessSummary[]
  readonly base: ProcessSummary | undefined
  readonly source: string
}

export async function proposalListData(engine: Engine, by: Principal, status: string | undefined, cursor: string | undefined): Promise<ProposalListData> {
  const narrowed = PROPOSAL_STATUSES.find((s) => s === status)
  const { items, next } = await engine.proposals.list(by, { status: narrowed, cursor, limit: PAGE_SIZE })
  return { proposals: items, next, status: narrowed, mayPropose: engine.proposals.mayPropose(by) }
}

/** Runs a check of a proposal's text in the server's queue of checks, as the caller's (`queuedCheck`): a page shown again and again cannot crowd out other people's checks. */
export type QueueCheck = <T>(check: () => Promise<T>) => Promise<T>

export async function proposalPageData(engine: Engine, id: string, by: Principal, queue: QueueCheck): Promise<ProposalPageData> {
  const proposal = await engine.proposals.get(id, by)
  const own = proposal.proposer.role === by.role && proposal.proposer.subject === by.subject
  const may = {
    review: engine.proposals.mayReview(by) && proposalAllows(proposal, 'approve'),
    amend: own && proposalAllows(proposal, 'amend'),
    withdraw: own && proposalAllows(proposal, 'withdraw'),
  }
  const sinceLastRound = proposal.previousSource === null ? undefined : compareLines(proposal.previousSource, proposal.source)
  const againstBase = await baseComparison(engine, proposal, by, queue)
  return { proposal, may, ...(againstBase ? { againstBase } : {}), ...(sinceLastRound ? { sinceLastRound } : {}) }
}

/** The proposal's steps and text against its base's, as the proposer's process would be compiled. */
async function baseComparison(engine: Engine, proposal: ProposalState, by: Principal, queue: QueueCheck): Promise<Comparison | undefined> {
  const [id = '', version] = proposal.base.split('@')
  try {
    const base = await engine.processes.describe(id, by, version === undefined ? undefined : Number(version))
    const checked = await queue(() => engine.processes.check({ definition: proposal.source }, by, proposal.proposer, proposal.base))
    if (!checked.process) return undefined
    return compareVersions(base, { version: checked.process.version, steps: checked.process.steps, source: proposal.source })
  } catch (error) {
    if (error instanceof EngineError && error.code === 'process.not-found') return undefined
    throw error
  }
}

/** The Mermaid diagram of the proposal's process, compiled as its proposer's. */
export async function proposalDiagram(engine: Engine, id: string, by: Principal, queue: QueueCheck): Promise<string> {
  const proposal = await engine.proposals.get(id, by)
  const checked = await queue(() => engine.processes.check({ definition: proposal.source }, by, proposal.proposer, proposal.base))
  return checked.diagram ?? ''
}

export async function newProposalData(engine: Engine, by: Principal, baseId: string | undefined): Promise<NewProposalData> {
  if (!engine.proposals.mayPropose(by)) throw forbiddenToPropose(by)
  const bases = await engine.processes.list(by)
  const base = bases.find((p) => p.id === baseId)
  return { bases, base, source: base ? proposalTemplate(base, by) : '' }
}

/** Pure: a derived definition of `base` for `by` to start from: it inherits everything. */
export function proposalTemplate(base: Pick<ProcessSummary, 'id' | 'title' | 'latestVersion'>, by: Principal): string {
  const prefix = by.subject.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')
  const id = `${/^[a-z]/.test(prefix) ? prefix : `p-${prefix}`}-${base.id}`.replace(/-+/g, '-').slice(0, 64).replace(/-+$/, '')
  // The title is the base's, written by someone else: quoted as a JSON string (which YAML reads
  // as its double-quoted form), and on one line in the comment, it stays text.
  return `# A customised ${base.title.replace(/\s+/g, ' ')}: everything not written here is inherited from ${base.id}@${base.latestVersion}.
id: ${id}
version: 1
extends: ${base.id}@${base.latestVersion}
title: ${JSON.stringify(`${base.title} (customised)`)}
# To change a step, name it and what differs, e.g.:
# steps:
#   - id: STEP-ID
#     merge: true
#     title: A new title
`
}

function forbiddenToPropose(by: Principal): EngineError {
  const { code, message } = forbidden(by, 'propose-processes')
  return new EngineError(code, message)
}
