import { v7 as timeOrderedUuid } from 'uuid'
import type { Clock } from './clock.js'
import { CHECKED_DEFINITION } from './definition-check.js'
import { decodeDefinition } from './definition/decode.js'
import { decodeCursor, encodeCursor } from './cursor.js'
import { definitionHead } from './definition/head.js'
import { OneAtATime } from './one-at-a-time.js'
import { EngineError, InvalidDefinitionError, rejectionError } from './errors.js'
import type { ProcessCatalog } from './process-catalog.js'
import { may, mayPropose, mayReviewProposals, maySeeProposal, proposalForbidden } from './runtime/authorize.js'
import { decideProposal, MAX_DAILY_PROPOSALS, MAX_OPEN_PROPOSALS, proposalRefusal, submissionLimitRefusal } from './runtime/proposals.js'
import type { ProposalCommand, ProposalState, ProposalStatus, ProposalSummary, ProposedText } from './runtime/proposals.js'
import type { Principal } from './runtime/state.js'
import { iso } from './runtime/time.js'
import type { ProposalRepository } from './store/proposal-repository.js'

/** Times a submission is counted and inserted before it is refused, when other servers' submissions keep taking the last place. */
const SUBMIT_ATTEMPTS = 3

/** Approved proposals read at a time by {@link Proposals.completeApprovals}. */
const APPROVALS_CHECKED = 200

/** Proposals in a page of {@link Proposals.list} unless told otherwise. */
export const PROPOSAL_PAGE = 50

/** Which proposals a page of {@link Proposals.list} holds. */
export interface ProposalListQuery {
  readonly status?: ProposalStatus | undefined
  /** At most this many (1 to 200; default {@link PROPOSAL_PAGE}). */
  readonly limit?: number | undefined
  /** The `next` of the page before. */
  readonly cursor?: string | undefined
}

/** A review, a withdrawal or an amendment's note, made from the revision the caller saw. */
export interface ProposalChange {
  readonly comment?: string | undefined
  readonly expectedRevision?: number | undefined
}

/**
 * Proposals of customised procedures: a party (an ISV) submits a process derived from one it may
 * use; an administrator approves it, which registers it private to the proposer, or returns it
 * with a comment for the proposer to amend. Each change is decided by `decideProposal` and
 * written only if nobody changed the proposal meanwhile. Problems of the text are reported under
 * `definition.yaml`, as `POST /v1/processes/validate` reports them.
 */
export class Proposals {
  readonly #rows: ProposalRepository
  readonly #catalog: ProcessCatalog
  readonly #clock: Clock
  /** Each proposer's submissions, counted and inserted one at a time on this server. */
  readonly #submissions = new OneAtATime()

  constructor(rows: ProposalRepository, catalog: ProcessCatalog, clock: Clock) {
    this.#rows = rows
    this.#catalog = catalog
    this.#clock = clock
  }

  /**
   * Submits `definition` (YAML) for review.
   * @throws {EngineError} `auth.forbidden` for those who register processes themselves and the
   * system; {InvalidDefinitionError}; and the refusals of ProcessCatalog.proposable.
   */
  async submit(definition: string, by: Principal): Promise<ProposalState> {
    if (!mayPropose(by)) throw rejectionError(proposalForbidden(by, 'submit'))
    const proposer = { role: by.role, subject: by.subject }
    const counts = async (): Promise<{ open: number; lastDay: number; since: string }> => {
      const since = iso(this.#clock.now().subtract({ hours: 24 }))
      return { open: await this.#rows.countOpen(proposer), lastDay: await this.#rows.countSince(proposer, since), since }
    }
    // The limits before the text: a proposer at its limit is told so without its text being
    // checked (which would tell it, at no cost, whether another owner's process has an id).
    const before = await counts()
    const overLimit = submissionLimitRefusal(before.open, before.lastDay)
    if (overLimit) throw rejectionError(overLimit)
    const text = await this.#proposed(definition, by)
    // Counted again one submission at a time per proposer here (submissions sent together would
    // each count the same open ones), and inserted only within the limits on every server.
    return this.#submissions.run(`${by.role}:${by.subject}`, async () => {
      for (let attempt = 1; ; attempt++) {
        const now = this.#clock.now()
        const { open, lastDay, since } = await counts()
        const decision = decideProposal(undefined, { type: 'submit', id: timeOrderedUuid(), text, open, lastDay }, by, iso(now))
        if (!decision.ok) throw rejected(decision)
        if (await this.#rows.insertWithin(decision.state, { open: MAX_OPEN_PROPOSALS, since, sinceThen: MAX_DAILY_PROPOSALS })) return decision.state
        // Another server's submission took the last place since the count: counted again, and
        // refused unless a place was freed meanwhile.
        if (attempt === SUBMIT_ATTEMPTS) throw new EngineError('proposal.limit', `You have as many proposals open, or submitted in the last 24 hours, as may be (${MAX_OPEN_PROPOSALS} open, ${MAX_DAILY_PROPOSALS} a day).`)
      }
    })
  }

  /** The proposal `id` if `by` may see it (its proposer, those who see all). @throws {EngineError} `proposal.not-found` */
  async get(id: string, by: Principal): Promise<ProposalState> {
    const state = await this.#rows.find(id)
    if (!state || !maySeeProposal(state.proposer, by)) {
      throw new EngineError('proposal.not-found', `There is no proposal "${id}" that you may see.`)
    }
    return state
  }

  /**
   * A page of the proposals `by` may see (its own; every one for those who see all), newest first,
   * in `status` if given: at most `limit` (default {@link PROPOSAL_PAGE}), after `cursor` (the
   * `next` of the page before), with the `next` cursor when there may be more.
   * @throws {EngineError} `request.invalid` at `/cursor` for a cursor this list did not give.
   */
  async list(by: Principal, query: ProposalListQuery = {}): Promise<{ items: ProposalSummary[]; next: string | undefined }> {
    const limit = query.limit ?? PROPOSAL_PAGE
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, 'newest')
    const items = await this.#rows.list(
      { proposer: may(by, 'see-all') ? undefined : { role: by.role, subject: by.subject }, status: query.status },
      { limit: limit + 1, after },
    )
    const page = items.slice(0, limit)
    const last = page.at(-1)
    return { items: page, next: items.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id, order: 'newest' }) : undefined }
  }

  /** The proposer replaces the text (while it is submitted or returned): it is submitted again, one round on. */
  async amend(id: string, definition: string, change: ProposalChange, by: Principal): Promise<ProposalState> {
    const state = await this.#rows.find(id)
    // Refusals that do not depend on the text come first (who may, which status), then the text's.
    const refusal = proposalRefusal(state, 'amend', by, change.expectedRevision)
    if (refusal) throw rejectionError(refusal)
    const text = await this.#proposed(definition, by, state?.process.id)
    return this.#change(state, { type: 'amend', text, comment: change.comment }, by, change.expectedRevision)
  }

  /** An administrator returns a submitted proposal to its proposer with a comment saying what to change. */
  async return(id: string, change: ProposalChange & { readonly comment: string }, by: Principal): Promise<ProposalState> {
    return this.#change(await this.#rows.find(id), { type: 'return', comment: change.comment }, by, change.expectedRevision)
  }

  /**
   * An administrator approves a submitted proposal: its process is registered private to the
   * proposer (new deliveries of that process use it), on the base version pinned when it was
   * submitted (what was reviewed, whatever versions of the base came since), then the proposal
   * is closed as approved.
   * @throws the refusals of registering (the id or version taken meanwhile) with nothing changed.
   */
  async approve(id: string, change: ProposalChange, by: Principal): Promise<ProposalState> {
    const state = await this.#rows.find(id)
    const registered = { id: state?.process.id ?? '', version: state?.process.version ?? 0 }
    const decision = decideProposal(state, { type: 'approve', comment: change.comment, registered }, by, iso(this.#clock.now()), change.expectedRevision)
    if (!decision.ok || !state) throw rejected(decision)
    // The proposal is approved first, from the revision read: a withdrawal or an amendment that
    // came in meanwhile makes this approval stale before anything is registered, and none can
    // come in after it (an approved proposal takes no command). Registering the text read then
    // cannot register a text withdrawn or amended since.
    const approved = await this.#write(decision.state, state.revision)
    try {
      await this.#catalog.register(state.source, `${state.process.id}.yaml`, { owner: state.proposer, expectId: state.process.id, base: state.base })
    } catch (error) {
      // Refused (the id or version taken meanwhile): the proposal is put back as it was.
      await this.#rows.update(state, approved.revision)
      throw error
    }
    return approved
  }

  /**
   * Completes the approvals a stop interrupted: approving marks the proposal approved, then
   * registers its text, so a server stopped between the two left an approved proposal without its
   * process. Registers the text of each approved proposal whose version is missing, as approving
   * would have; the same text registered again is a no-op, so servers starting together agree.
   * Returns the versions registered (`ID@VERSION`) and the proposals whose text could not be (the
   * id or version taken meanwhile), for the log.
   */
  async completeApprovals(): Promise<{ registered: string[]; failed: Array<{ proposal: string; error: EngineError }> }> {
    const registered: string[] = []
    const failed: Array<{ proposal: string; error: EngineError }> = []
    for (let after: { createdAt: string; id: string } | undefined; ;) {
      const page = await this.#rows.list({ status: 'approved' }, { limit: APPROVALS_CHECKED, after })
      for (const summary of page) {
        const version = summary.registered
        if (!version || await this.#catalog.has(version.id, version.version, summary.proposer)) continue
        const state = await this.#rows.find(summary.id)
        if (!state) continue
        try {
          await this.#catalog.register(state.source, `${state.process.id}.yaml`, { owner: state.proposer, expectId: state.process.id, base: state.base })
          registered.push(`${version.id}@${version.version}`)
        } catch (error) {
          if (!(error instanceof EngineError)) throw error
          failed.push({ proposal: state.id, error })
        }
      }
      const last = page.at(-1)
      if (page.length < APPROVALS_CHECKED || !last) return { registered, failed }
      after = { createdAt: last.createdAt, id: last.id }
    }
  }

  /** The proposer withdraws a proposal not yet approved. */
  async withdraw(id: string, change: ProposalChange, by: Principal): Promise<ProposalState> {
    return this.#change(await this.#rows.find(id), { type: 'withdraw', comment: change.comment }, by, change.expectedRevision)
  }

  /** Whether `by` may propose (for the console's links). */
  mayPropose(by: Principal): boolean {
    return mayPropose(by)
  }

  /** Whether `by` may approve and return proposals (for the console's forms). */
  mayReview(by: Principal): boolean {
    return mayReviewProposals(by)
  }

  async #change(state: ProposalState | undefined, command: ProposalCommand, by: Principal, expectedRevision: number | undefined): Promise<ProposalState> {
    const decision = decideProposal(state, command, by, iso(this.#clock.now()), expectedRevision)
    if (!decision.ok || !state) throw rejected(decision)
    return this.#write(decision.state, state.revision)
  }

  async #write(next: ProposalState, revision: number): Promise<ProposalState> {
    if (!await this.#rows.update(next, revision)) {
      throw new EngineError('conflict.stale', `Proposal "${next.id}" changed meanwhile. Read it again.`)
    }
    return next
  }

  /**
   * The text checked as a proposal of `by`'s: decoded, compiled, deriving from a base, its id and
   * version free. An amendment's must keep the proposal's process id (`id`), checked first: an
   * amendment is of one process, and may not ask whether other ids are taken.
   */
  async #proposed(definition: string, by: Principal, id?: string): Promise<ProposedText> {
    const decoded = decodeDefinition(new TextEncoder().encode(definition), CHECKED_DEFINITION)
    if (!decoded.ok) throw decoded.problem.code === 'definition.too-large' ? decoded.problem : new InvalidDefinitionError(CHECKED_DEFINITION, [decoded.problem])
    if (id !== undefined && definitionHead(decoded.text).id !== id) {
      throw new EngineError('input.invalid', `An amendment keeps the proposal's process id "${id}"; propose another process as a new proposal.`, {
        fields: [{ pointer: '/definition', rule: 'const', message: `must keep the process id "${id}"` }],
      })
    }
    const { process, base } = await this.#catalog.proposable(decoded.text, CHECKED_DEFINITION, { role: by.role, subject: by.subject })
    return { source: decoded.text, process: { id: process.id, version: process.version, title: process.title }, base }
  }
}

function rejected(decision: ReturnType<typeof decideProposal>): EngineError {
  return rejectionError(decision.ok ? { code: 'proposal.not-found', message: 'There is no such proposal that you may see.' } : decision.rejection)
}
