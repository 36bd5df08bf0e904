import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import type { ProcessOwner } from '../runtime/authorize.js'
import { OPEN_PROPOSAL_STATUSES, summariseProposal } from '../runtime/proposals.js'
import type { ProposalState, ProposalStatus, ProposalSummary } from '../runtime/proposals.js'
import type { Database } from './database.js'
import type { StoreDialect } from './dialect.js'

/** How many proposals one proposer may have: open at once, and submitted at `since` or later. */
export interface SubmissionLimits {
  readonly open: number
  readonly since: string
  readonly sinceThen: number
}

/** Proposals of customised procedures, each stored whole as JSON with the columns it is found by. */
export class ProposalRepository {
  readonly #db: Kysely<Database>
  readonly #serialised: StoreDialect['serialised']
  /** `serialised` (the dialect's): runs a submission so that no other one of the same proposer runs meanwhile, on any server. */
  constructor(db: Kysely<Database>, serialised: StoreDialect['serialised']) {
    this.#db = db
    this.#serialised = serialised
  }

  /**
   * Inserts a submitted proposal unless its proposer already has `limits.open` open or submitted
   * `limits.sinceThen` since `limits.since`; returns whether it was inserted. One statement,
   * serialised with the proposer's other submissions by the dialect: servers submitting for one
   * proposer at once cannot together pass a limit.
   */
  async insertWithin(state: ProposalState, limits: SubmissionLimits): Promise<boolean> {
    const row = rowOf(state)
    return this.#serialised(`process_proposal:${row.proposer_role}:${row.proposer}`, async (db) => {
      const mine = sql`proposer_role = ${row.proposer_role} and proposer = ${row.proposer}`
      const result = await sql`insert into process_proposal (id, proposer_role, proposer, status, process_id, revision, state, summary, created_at, updated_at)
        select ${row.id}, ${row.proposer_role}, ${row.proposer}, ${row.status}, ${row.process_id}, cast(${row.revision} as integer), ${row.state}, ${row.summary}, ${row.created_at}, ${row.updated_at}
        where (select count(*) from process_proposal where ${mine} and status in (${sql.join([...OPEN_PROPOSAL_STATUSES])})) < cast(${limits.open} as integer)
          and (select count(*) from process_proposal where ${mine} and created_at >= ${limits.since}) < cast(${limits.sinceThen} as integer)`.execute(db)
      return (result.numAffectedRows ?? 0n) > 0n
    })
  }

  /** The proposal with this id, or undefined. */
  async find(id: string): Promise<ProposalState | undefined> {
    const row = await this.#db.selectFrom('process_proposal').select('state').where('id', '=', id).executeTakeFirst()
    return row && JSON.parse(row.state) as ProposalState
  }

  /** Writes `state` if the stored proposal is still at `revision`; returns whether it was. */
  async update(state: ProposalState, revision: number): Promise<boolean> {
    const { id, ...changed } = rowOf(state)
    const result = await this.#db.updateTable('process_proposal').set(changed).where('id', '=', id).where('revision', '=', revision).executeTakeFirst()
    return result.numUpdatedRows > 0n
  }

  /** How many proposals of `proposer` are open (submitted or returned). */
  async countOpen(proposer: ProcessOwner): Promise<number> {
    const row = await this.#db.selectFrom('process_proposal').select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .where('proposer_role', '=', proposer.role).where('proposer', '=', proposer.subject).where('status', 'in', [...OPEN_PROPOSAL_STATUSES]).executeTakeFirst()
    return Number(row?.n ?? 0)
  }

  /** How many proposals `proposer` submitted at `since` or later. */
  async countSince(proposer: ProcessOwner, since: string): Promise<number> {
    const row = await this.#db.selectFrom('process_proposal').select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .where('proposer_role', '=', proposer.role).where('proposer', '=', proposer.subject).where('created_at', '>=', since).executeTakeFirst()
    return Number(row?.n ?? 0)
  }

  /**
   * The summaries of `proposer`'s proposals (every proposal's when undefined), in `status` if
   * given, newest first (ties by id), at most `limit`, after the proposal created at
   * `after.createdAt` with id `after.id` when given.
   */
  async list(filter: { readonly proposer?: ProcessOwner | undefined; readonly status?: ProposalStatus | undefined },
    page: { readonly limit: number; readonly after?: { readonly createdAt: string; readonly id: string } | undefined }): Promise<ProposalSummary[]> {
    const { proposer, status } = filter
    const { after } = page
    const rows = await this.#db.selectFrom('process_proposal').select(['id', 'summary'])
      .$if(proposer !== undefined, (q) => q.where('proposer_role', '=', proposer?.role ?? '').where('proposer', '=', proposer?.subject ?? ''))
      .$if(status !== undefined, (q) => q.where('status', '=', status ?? ''))
      .$if(after !== undefined, (q) => q.where((eb) => eb.or([
        eb('created_at', '<', after?.createdAt ?? ''),
        eb.and([eb('created_at', '=', after?.createdAt ?? ''), eb('id', '<', after?.id ?? '')]),
      ])))
      .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit).execute()
    // Migration 0016 gave every row its summary; a row without one is read whole.
    return Promise.all(rows.map(async (row) => {
      if (row.summary !== null) return JSON.parse(row.summary) as ProposalSummary
      const state = await this.find(row.id)
      if (!state) throw new Error(`Proposal ${row.id} vanished while it was listed.`)
      return summariseProposal(state)
    }))
  }
}

function rowOf(state: ProposalState): Database['process_proposal'] {
  return {
    id: state.id, proposer_role: state.proposer.role, proposer: state.proposer.subject, status: state.status,
    process_id: state.process.id, revision: state.revision, state: JSON.stringify(state), summary: JSON.stringify(summariseProposal(state)),
    created_at: state.createdAt, updated_at: state.updatedAt,
  }
}
