import type { Kysely } from 'kysely'
import type { ProcessOwner } from '../runtime/authorize.js'
import { OPEN_PROPOSAL_STATUSES, summariseProposal } from '../runtime/proposals.js'
import type { ProposalState, ProposalStatus, ProposalSummary } from '../runtime/proposals.js'
import type { Database } from './database.js'

/** Proposals of customised procedures, each stored whole as JSON with the columns it is found by. */
export class ProposalRepository {
  readonly #db: Kysely<Database>
  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async insert(state: ProposalState): Promise<void> {
    await this.#db.insertInto('process_proposal').values(rowOf(state)).execute()
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
