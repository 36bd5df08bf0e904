import type { FieldProblem } from '../errors.js'
import type { ProcessOwner } from './authorize.js'
import { mayPropose, mayReviewProposals, maySeeProposal, proposalForbidden } from './authorize.js'
import type { Rejection } from './decision.js'
import type { Principal } from './state.js'
import { CONTROL, CONTROL_RULE, isBlank } from './free-text.js'

// A proposal of a customised procedure: a process derived (`extends`) from one its proposer may
// use, submitted for an administrator to approve (it is then registered, private to the
// proposer) or return with comments (the proposer amends it and submits it again). What may
// happen to one, and by whom, is decided here; checking the text and registering it are the
// catalog's (engine/proposals.ts).

/** Where a proposal stands: waiting for review, back with its proposer, or closed. */
export type ProposalStatus = 'submitted' | 'returned' | 'approved' | 'withdrawn'

export const PROPOSAL_STATUSES: readonly ProposalStatus[] = ['submitted', 'returned', 'approved', 'withdrawn']

/** What was done to a proposal, and by whom. */
export type ProposalAction = 'submitted' | 'amended' | 'returned' | 'approved' | 'withdrawn'

/** One entry of a proposal's history: each submission, amendment and review, with its comment. */
export interface ProposalEntry {
  readonly action: ProposalAction
  readonly at: string
  readonly by: Principal
  /** The submission the entry is about (1 for the first, raised by each amendment). */
  readonly round: number
  readonly comment: string | null
}

/** A proposal as stored and shown. */
export interface ProposalState {
  readonly id: string
  /** The process it would register: its id, version and title, read from its text. */
  readonly process: { readonly id: string; readonly version: number; readonly title: string }
  /** The process version it derives from, pinned when it was (last) submitted: `ID@VERSION`. */
  readonly base: string
  /** Who proposed it, and who the process would be private to. */
  readonly proposer: ProcessOwner
  readonly status: ProposalStatus
  /** The submission under review or last reviewed: 1, then one more for each amendment. */
  readonly round: number
  /** Raised by every change; a change may be made only from the revision the changer saw. */
  readonly revision: number
  /** The definition's YAML text as last submitted. */
  readonly source: string
  /** The text of the round before, when it was amended (what the reviewer compares with). */
  readonly previousSource: string | null
  readonly history: readonly ProposalEntry[]
  /** The version registered when it was approved. */
  readonly registered: { readonly id: string; readonly version: number } | null
  readonly createdAt: string
  readonly updatedAt: string
}

/** A proposal as lists show it: without its texts and history. */
export type ProposalSummary = Omit<ProposalState, 'source' | 'previousSource' | 'history'>

/** The summary of `state` (see {@link ProposalSummary}). */
export function summariseProposal(state: ProposalState): ProposalSummary {
  const { source: _source, previousSource: _previous, history: _history, ...summary } = state
  return summary
}

/** A checked text to submit or amend with (what the catalog read from it). */
export interface ProposedText {
  readonly source: string
  readonly process: ProposalState['process']
  readonly base: string
}

/** What may be asked of a proposal. */
export type ProposalCommand =
  /**
   * `open`: how many of the proposer's proposals are submitted or returned already; `lastDay`: how
   * many it submitted in the 24 hours before.
   */
  | { readonly type: 'submit'; readonly id: string; readonly text: ProposedText; readonly open: number; readonly lastDay: number }
  | { readonly type: 'amend'; readonly text: ProposedText; readonly comment?: string | undefined }
  | { readonly type: 'return'; readonly comment: string }
  | { readonly type: 'approve'; readonly comment?: string | undefined; readonly registered: { readonly id: string; readonly version: number } }
  | { readonly type: 'withdraw'; readonly comment?: string | undefined }

/** The longest comment, in characters. */
export const MAX_PROPOSAL_COMMENT = 4000

/**
 * The rounds a proposal may go through: each amendment adds one, with its text before and a
 * history entry, so a proposal amended without end would grow without end.
 */
export const MAX_PROPOSAL_ROUNDS = 100

/** How many proposals one proposer may have open (submitted or returned) at once. */
export const MAX_OPEN_PROPOSALS = 20

/**
 * How many proposals one proposer may submit in 24 hours: one submitted and withdrawn again and
 * again would otherwise store texts without end.
 */
export const MAX_DAILY_PROPOSALS = 100

/** The statuses in which a proposal is open: waiting for its reviewer or its proposer. */
export const OPEN_PROPOSAL_STATUSES: readonly ProposalStatus[] = ['submitted', 'returned']

export type ProposalDecision =
  | { readonly ok: true; readonly state: ProposalState }
  | { readonly ok: false; readonly rejection: Rejection }

/**
 * The refusal of a submission by a proposer with `open` proposals open and `lastDay` submitted in
 * the last 24 hours, when that is as many as may be (`proposal.limit`).
 */
export function submissionLimitRefusal(open: number, lastDay: number): Rejection | undefined {
  if (open >= MAX_OPEN_PROPOSALS) {
    return { code: 'proposal.limit', message: `You have ${open} proposals open (submitted or returned); at most ${MAX_OPEN_PROPOSALS} may be. Amend or withdraw one first.` }
  }
  if (lastDay >= MAX_DAILY_PROPOSALS) {
    return { code: 'proposal.limit', message: `You submitted ${lastDay} proposals in the last 24 hours; at most ${MAX_DAILY_PROPOSALS} may be. Amend one, or submit again tomorrow.` }
  }
  return undefined
}

/**
 * Pure: what `command` by `by` at `at` makes of `state` (undefined before it is submitted), with
 * `expectedRevision` (when given) the revision the caller saw. Refused: one who may not see it
 * (`proposal.not-found`, so its existence is not revealed), one who may not do this
 * (`auth.forbidden`), a change from an older revision (`conflict.stale`), a command its status
 * does not allow (`proposal.status`), a return without a comment (`input.invalid` at `/comment`), a
 * submission beyond {@link MAX_OPEN_PROPOSALS} open ones or {@link MAX_DAILY_PROPOSALS} in a day, or an amendment beyond
 * {@link MAX_PROPOSAL_ROUNDS} rounds (`proposal.limit`).
 */
export function decideProposal(state: ProposalState | undefined, command: ProposalCommand, by: Principal, at: string, expectedRevision?: number): ProposalDecision {
  if (command.type === 'submit') {
    if (!mayPropose(by)) return refuse(proposalForbidden(by, 'submit'))
    const overLimit = submissionLimitRefusal(command.open, command.lastDay)
    if (overLimit) return refuse(overLimit)
    const entry: ProposalEntry = { action: 'submitted', at, by, round: 1, comment: null }
    return {
      ok: true,
      state: {
        id: command.id, ...command.text, proposer: { role: by.role, subject: by.subject }, status: 'submitted', round: 1, revision: 1,
        previousSource: null, history: [entry], registered: null, createdAt: at, updatedAt: at,
      },
    }
  }
  const refusal = proposalRefusal(state, command.type, by, expectedRevision)
  if (refusal || !state) return refuse(refusal ?? NOT_FOUND)
  const written = command.comment?.trim() ?? ''
  if (written.length > MAX_PROPOSAL_COMMENT) return refuse(commentProblem(`must be at most ${MAX_PROPOSAL_COMMENT} characters`, 'maxLength'))
  if (CONTROL.test(written)) return refuse(commentProblem(CONTROL_RULE, 'pattern'))
  // A comment of nothing visible (spaces, zero-width or direction marks) says nothing: it is none.
  const comment = isBlank(written) ? '' : written
  if (command.type === 'return' && comment === '') return refuse(commentProblem('must say what to change: a proposal is returned with a comment', 'minLength'))
  const round = command.type === 'amend' ? state.round + 1 : state.round
  const entry: ProposalEntry = { action: PAST[command.type], at, by, round, comment: comment === '' ? null : comment }
  const changed = { revision: state.revision + 1, history: [...state.history, entry], updatedAt: at, round }
  switch (command.type) {
    case 'amend':
      return { ok: true, state: { ...state, ...changed, ...command.text, status: 'submitted', previousSource: state.source } }
    case 'return':
      return { ok: true, state: { ...state, ...changed, status: 'returned' } }
    case 'approve':
      return { ok: true, state: { ...state, ...changed, status: 'approved', registered: command.registered } }
    case 'withdraw':
      return { ok: true, state: { ...state, ...changed, status: 'withdrawn' } }
  }
}

/**
 * Pure: why `by` may not `command` the proposal `state` from `expectedRevision`, whatever comes
 * with the command (a text, a comment), or undefined when it may (see decideProposal).
 */
export function proposalRefusal(state: ProposalState | undefined, command: Exclude<ProposalCommand['type'], 'submit'>, by: Principal, expectedRevision?: number): Rejection | undefined {
  if (!state || !maySeeProposal(state.proposer, by)) return NOT_FOUND
  const allowed = command === 'return' || command === 'approve' ? mayReviewProposals(by) : isProposer(state, by)
  if (!allowed) return proposalForbidden(by, command)
  if (expectedRevision !== undefined && expectedRevision !== state.revision) {
    return { code: 'conflict.stale', message: `Proposal "${state.id}" is at revision ${state.revision}, not ${expectedRevision}: it changed meanwhile. Read it again.` }
  }
  const from = ALLOWED_FROM[command]
  if (!from.includes(state.status)) {
    return { code: 'proposal.status', message: `Proposal "${state.id}" is ${state.status}; it may be ${PAST[command]} only when ${from.join(' or ')}.` }
  }
  if (command === 'amend' && state.round >= MAX_PROPOSAL_ROUNDS) {
    return { code: 'proposal.limit', message: `Proposal "${state.id}" has been through ${MAX_PROPOSAL_ROUNDS} rounds, as many as a proposal may. Withdraw it and submit the text as a new proposal.` }
  }
  return undefined
}

/** Whether `state`'s status lets it be `command`ed (for the console's forms). */
export function proposalAllows(state: Pick<ProposalState, 'status'>, command: Exclude<ProposalCommand['type'], 'submit'>): boolean {
  return ALLOWED_FROM[command].includes(state.status)
}

const NOT_FOUND: Rejection = { code: 'proposal.not-found', message: 'There is no such proposal that you may see.' }

const ALLOWED_FROM: Readonly<Record<Exclude<ProposalCommand['type'], 'submit'>, readonly ProposalStatus[]>> = {
  amend: ['submitted', 'returned'],
  return: ['submitted'],
  approve: ['submitted'],
  withdraw: ['submitted', 'returned'],
}

const PAST = { submit: 'submitted', amend: 'amended', return: 'returned', approve: 'approved', withdraw: 'withdrawn' } as const

function isProposer(state: ProposalState, by: Principal): boolean {
  return state.proposer.role === by.role && state.proposer.subject === by.subject
}

function commentProblem(message: string, rule: string): Rejection {
  const problem: FieldProblem = { pointer: '/comment', rule, message }
  return { code: 'input.invalid', message: `The comment ${message}.`, problems: [problem] }
}

function refuse(rejection: Rejection): ProposalDecision {
  return { ok: false, rejection }
}
