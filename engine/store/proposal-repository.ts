import type { Kysely } from 'kysely'
import type { ProcessOwner } from '../runtime/authorize.js'
import { OPEN_PROPOSAL_STATUSES } from '../runtime/proposals.js'
import type { ProposalState, ProposalStatus } from '../runtime/proposals.js'
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

  /** The proposals of `proposer` (every proposal when undefined), in `status` if given, newest first. */
  async list(filter: { readonly proposer?: ProcessOwner | undefined; readonly status?: ProposalStatus | undefined }): Promise<ProposalState[]> {
    const { proposer, status } = filter
    const rows = await this.#db.selectFrom('process_proposal').select('state')
      .$if(proposer !== undefined, (q) => q.where('proposer_role', '=', proposer?.role ?? '').where('proposer', '=', proposer?.subject ?? ''))
      .$if(status !== undefined, (q) => q.where('status', '=', status ?? ''))
      .orderBy('created_at', 'desc').orderBy('id', 'desc').execute()
    return rows.map((row) => JSON.parse(row.state) as ProposalState)
  }
}

function rowOf(state: ProposalState): Database['process_proposal'] {
  return {
    id: state.id, proposer_role: state.proposer.role, proposer: state.proposer.subject, status: state.status,
    process_id: state.process.id, revision: state.revision, state: JSON.stringify(state), created_at: state.createdAt, updated_at: state.updatedAt,
  }
}
