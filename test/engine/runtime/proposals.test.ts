import { describe, expect, it } from 'vitest'
import { decideProposal, MAX_DAILY_PROPOSALS, MAX_OPEN_PROPOSALS, MAX_PROPOSAL_COMMENT, MAX_PROPOSAL_ROUNDS, proposalAllows } from '../../../engine/runtime/proposals.js'
import type { ProposalCommand, ProposalState, ProposedText } from '../../../engine/runtime/proposals.js'

// The pure decision over proposals: who may do what, from which status and revision.

const ISV = { role: 'isv', subject: 'v-1' }
const OTHER_ISV = { role: 'isv', subject: 'v-9' }
const ADMIN = { role: 'admin', subject: 'a-1' }
const SYSTEM = { role: 'system', subject: 'scheduler' }
const CUSTOMER = { role: 'customer', subject: 'c-1' }
const AT = '2026-03-01T00:00:00.000Z'
const LATER = '2026-03-02T00:00:00.000Z'
const TEXT: ProposedText = { source: 'id: v-x\n', process: { id: 'v-x', version: 1, title: 'X' }, base: 'basic@6' }
const TEXT_2: ProposedText = { ...TEXT, source: 'id: v-x\n# amended\n' }

function submitted(): ProposalState {
  const decision = decideProposal(undefined, { type: 'submit', id: 'p-1', text: TEXT, open: 0, lastDay: 0 }, ISV, AT)
  if (!decision.ok) throw new Error(decision.rejection.message)
  return decision.state
}

function after(state: ProposalState, command: ProposalCommand, by = ADMIN): ProposalState {
  const decision = decideProposal(state, command, by, LATER)
  if (!decision.ok) throw new Error(decision.rejection.message)
  return decision.state
}

describe('decideProposal', () => {
  it('submits for the ISV, one round, one history entry', () => {
    expect(submitted()).toEqual({
      id: 'p-1', ...TEXT, proposer: ISV, status: 'submitted', round: 1, revision: 1, previousSource: null, registered: null,
      history: [{ action: 'submitted', at: AT, by: ISV, round: 1, comment: null }], createdAt: AT, updatedAt: AT,
    })
  })

  it('returns, amends (a new round keeping the text before), approves', () => {
    const returned = after(submitted(), { type: 'return', comment: '  Say what is backed up.  ' })
    expect(returned).toMatchObject({ status: 'returned', revision: 2, round: 1, updatedAt: LATER })
    expect(returned.history.at(-1)).toEqual({ action: 'returned', at: LATER, by: ADMIN, round: 1, comment: 'Say what is backed up.' })
    const amended = after(returned, { type: 'amend', text: TEXT_2 }, ISV)
    expect(amended).toMatchObject({ status: 'submitted', revision: 3, round: 2, source: TEXT_2.source, previousSource: TEXT.source })
    expect(amended.history.at(-1)).toMatchObject({ action: 'amended', round: 2, comment: null })
    const approved = after(amended, { type: 'approve', registered: { id: 'v-x', version: 1 } })
    expect(approved).toMatchObject({ status: 'approved', revision: 4, round: 2, registered: { id: 'v-x', version: 1 } })
    expect(approved.history.map((h) => h.action)).toEqual(['submitted', 'returned', 'amended', 'approved'])
  })

  it('keeps a proposal to a bounded number of rounds, so its history cannot grow without end', () => {
    let state = submitted()
    for (let round = 1; round < MAX_PROPOSAL_ROUNDS; round++) state = after(state, { type: 'amend', text: round % 2 === 0 ? TEXT : TEXT_2, comment: 'x'.repeat(MAX_PROPOSAL_COMMENT) }, ISV)
    expect(state.round).toBe(MAX_PROPOSAL_ROUNDS)
    const refused = decideProposal(state, { type: 'amend', text: TEXT }, ISV, LATER)
    expect(refused).toMatchObject({ ok: false, rejection: { code: 'proposal.limit' } })
    // Still reviewable, and its proposer may still withdraw it.
    expect(after(state, { type: 'return', comment: 'x' })).toMatchObject({ status: 'returned' })
    expect(after(state, { type: 'withdraw' }, ISV)).toMatchObject({ status: 'withdrawn' })
  })

  const CASES: ReadonlyArray<{ name: string; state: () => ProposalState | undefined; command: ProposalCommand; by: typeof ISV; revision?: number; code: string; pointer?: string }> = [
    { name: 'an administrator submitting', state: () => undefined, command: { type: 'submit', id: 'p', text: TEXT, open: 0, lastDay: 0 }, by: ADMIN, code: 'auth.forbidden' },
    { name: 'the system submitting', state: () => undefined, command: { type: 'submit', id: 'p', text: TEXT, open: 0, lastDay: 0 }, by: SYSTEM, code: 'auth.forbidden' },
    { name: 'a customer submitting', state: () => undefined, command: { type: 'submit', id: 'p', text: TEXT, open: 0, lastDay: 0 }, by: CUSTOMER, code: 'auth.forbidden' },
    { name: 'a submission beyond the open proposals allowed', state: () => undefined, command: { type: 'submit', id: 'p', text: TEXT, open: MAX_OPEN_PROPOSALS, lastDay: 0 }, by: ISV, code: 'proposal.limit' },
    { name: 'a submission beyond the proposals allowed in a day', state: () => undefined, command: { type: 'submit', id: 'p', text: TEXT, open: 0, lastDay: MAX_DAILY_PROPOSALS }, by: ISV, code: 'proposal.limit' },
    { name: 'amending one that does not exist', state: () => undefined, command: { type: 'amend', text: TEXT }, by: ISV, code: 'proposal.not-found' },
    { name: 'another ISV amending', state: submitted, command: { type: 'amend', text: TEXT }, by: OTHER_ISV, code: 'proposal.not-found' },
    { name: 'another ISV withdrawing', state: submitted, command: { type: 'withdraw' }, by: OTHER_ISV, code: 'proposal.not-found' },
    { name: 'the ISV approving its own', state: submitted, command: { type: 'approve', registered: { id: 'v-x', version: 1 } }, by: ISV, code: 'auth.forbidden' },
    { name: 'the ISV returning its own', state: submitted, command: { type: 'return', comment: 'x' }, by: ISV, code: 'auth.forbidden' },
    { name: 'an administrator amending', state: submitted, command: { type: 'amend', text: TEXT }, by: ADMIN, code: 'auth.forbidden' },
    { name: 'a return from an older revision', state: submitted, command: { type: 'return', comment: 'x' }, by: ADMIN, revision: 7, code: 'conflict.stale' },
    { name: 'approving a returned one', state: () => after(submitted(), { type: 'return', comment: 'x' }), command: { type: 'approve', registered: { id: 'v-x', version: 1 } }, by: ADMIN, code: 'proposal.status' },
    { name: 'amending an approved one', state: () => after(submitted(), { type: 'approve', registered: { id: 'v-x', version: 1 } }), command: { type: 'amend', text: TEXT }, by: ISV, code: 'proposal.status' },
    { name: 'withdrawing a withdrawn one', state: () => after(submitted(), { type: 'withdraw' }, ISV), command: { type: 'withdraw' }, by: ISV, code: 'proposal.status' },
    { name: 'a return without a comment', state: submitted, command: { type: 'return', comment: ' \n ' }, by: ADMIN, code: 'input.invalid', pointer: '/comment' },
    { name: 'a comment too long', state: submitted, command: { type: 'approve', comment: 'x'.repeat(MAX_PROPOSAL_COMMENT + 1), registered: { id: 'v-x', version: 1 } }, by: ADMIN, code: 'input.invalid', pointer: '/comment' },
  ]

  it.each(CASES.map((c) => [c.name, c] as const))('refuses %s', (_name, c) => {
    const state = c.state()
    const decision = decideProposal(state, c.command, c.by, LATER, c.revision)
    expect(decision.ok ? 'accepted' : decision.rejection.code).toBe(c.code)
    if (decision.ok) return
    expect(decision.rejection.message.length).toBeGreaterThan(0)
    expect(decision.rejection.problems?.[0]?.pointer).toBe(c.pointer)
  })

  it('tells the console which forms a status allows', () => {
    expect(proposalAllows({ status: 'submitted' }, 'approve')).toBe(true)
    expect(proposalAllows({ status: 'returned' }, 'approve')).toBe(false)
    expect(proposalAllows({ status: 'returned' }, 'amend')).toBe(true)
    expect(proposalAllows({ status: 'approved' }, 'withdraw')).toBe(false)
  })
})
