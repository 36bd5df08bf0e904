import type { ErrorCode } from '../engine/index.js'
import { id, json, LOCATION, queryOf } from './openapi-parts.js'
import type { Operation } from './openapi-parts.js'

// The operations of proposals of customised procedures, for the OpenAPI document (server/openapi.ts); see docs/proposals.md.

const PROPOSER = 'Callers: its proposer.'
const REVIEWERS = 'Callers: administrators.'
const TEXT_ERRORS: readonly ErrorCode[] = ['definition.invalid', 'definition.too-large', 'input.invalid', 'process.owner-conflict', 'process.version-conflict']
const CHANGE_ERRORS: readonly ErrorCode[] = ['auth.forbidden', 'proposal.not-found', 'proposal.status', 'conflict.stale']
export const PROPOSAL_OPERATIONS: readonly Operation[] = [
  {
    method: 'post', path: '/v1/proposals', operationId: 'submitProposal', tag: 'proposals', bearer: true, summary: 'Propose a customised procedure',
    description: 'Submits a process derived from one the caller may use (`extends`: a public process or the caller\'s own) for an administrator to review. The text is checked as registering it would check it (problems located in `definition.yaml`, as `POST /v1/processes/validate` reports them); without `extends` it is `input.invalid` at `/definition` (rule `extends`); its id must be new or the caller\'s own process, its version above the registered ones. Nothing is registered until it is approved. An ISV may have 20 proposals open (submitted or returned) at once, and submit 100 in 24 hours (`proposal.limit`, 409). Callers: parties (an ISV); administrators register processes themselves.',
    body: { shape: 'ProposalSubmitRequest', required: true },
    responses: { 201: json('Proposal', 'The proposal, submitted.', LOCATION) }, errors: ['auth.forbidden', 'proposal.limit', 'check.busy', ...TEXT_ERRORS],
  },
  {
    method: 'get', path: '/v1/proposals', operationId: 'listProposals', tag: 'proposals', bearer: true, summary: 'List proposals',
    description: 'A page of the proposals the caller may see, newest first: its own; every one for administrators and the system. Each without its texts and history (read the proposal for them); at most `limit` (default 50, at most 200), with `next` when there may be more: pass it as `cursor`. Callers: any token.',
    parameters: queryOf('ProposalListQuery'), responses: { 200: json('ProposalList', 'The proposals.') }, errors: ['request.invalid'],
  },
  {
    method: 'get', path: '/v1/proposals/{id}', operationId: 'getProposal', tag: 'proposals', bearer: true, summary: 'Read a proposal',
    description: 'One proposal with its text and history (every submission, amendment and review, with comments). Anyone but its proposer, administrators and the system is answered 404. Callers: any token.',
    parameters: [id('proposal')], responses: { 200: json('Proposal', 'The proposal.') }, errors: ['proposal.not-found'],
  },
  {
    method: 'post', path: '/v1/proposals/{id}/amend', operationId: 'amendProposal', tag: 'proposals', bearer: true, summary: 'Amend a proposal',
    description: `Replaces the text of a submitted or returned proposal, checked as at submission; it is submitted again, one round on, and the text before is kept as \`previousSource\` for the reviewer. ${PROPOSER}`,
    parameters: [id('proposal')], body: { shape: 'ProposalAmendRequest', required: true },
    responses: { 200: json('Proposal', 'The proposal, submitted again.') }, errors: [...CHANGE_ERRORS, 'check.busy', ...TEXT_ERRORS],
  },
  {
    method: 'post', path: '/v1/proposals/{id}/return', operationId: 'returnProposal', tag: 'proposals', bearer: true, summary: 'Return a proposal with comments',
    description: `Sends a submitted proposal back to its proposer with a comment saying what to change (\`input.invalid\` at \`/comment\` when blank). ${REVIEWERS}`,
    parameters: [id('proposal')], body: { shape: 'ProposalReturnRequest', required: true },
    responses: { 200: json('Proposal', 'The proposal, returned.') }, errors: [...CHANGE_ERRORS, 'input.invalid'],
  },
  {
    method: 'post', path: '/v1/proposals/{id}/approve', operationId: 'approveProposal', tag: 'proposals', bearer: true, summary: 'Approve a proposal',
    description: `Registers the proposal's process as private to its proposer (new deliveries of that process use it; running ones keep their version) and closes the proposal as approved. If its id or version was taken meanwhile the registration's refusal is answered and nothing changes. ${REVIEWERS}`,
    parameters: [id('proposal')], body: { shape: 'ProposalDecisionRequest', required: false },
    responses: { 200: json('Proposal', 'The proposal, approved, with the version registered.') }, errors: [...CHANGE_ERRORS, 'process.owner-conflict', 'process.version-conflict'],
  },
  {
    method: 'post', path: '/v1/proposals/{id}/withdraw', operationId: 'withdrawProposal', tag: 'proposals', bearer: true, summary: 'Withdraw a proposal',
    description: `Closes a submitted or returned proposal without registering it. ${PROPOSER}`,
    parameters: [id('proposal')], body: { shape: 'ProposalDecisionRequest', required: false },
    responses: { 200: json('Proposal', 'The proposal, withdrawn.') }, errors: CHANGE_ERRORS,
  },
]
