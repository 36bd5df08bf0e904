import { describe, expect, it } from 'vitest'
import type { Command, Decision, Principal, RejectionCode } from '../../../engine/index.js'
import { builtIn, compileForTest, decideAt, file, runtimeRejectionCodes, stateAfter } from '../../support/decide.js'

// Every rejection `decide` can return, for every command kind that returns it, on built-in
// processes where they reach the case and small inline ones where they do not. No database.

const T0 = '2026-01-01T00:00:00.000Z'
const ADMIN: Principal = { role: 'admin', subject: 'a-1' }
const CUSTOMER: Principal = { role: 'customer', subject: 'c-1' }
const ISV: Principal = { role: 'isv', subject: 'v-1' }
const PARTIES = { customer: 'c-1', isv: 'v-1' }
const DEMAND = { contact: { name: 'Li Lei', phone: '+86 138 0000 0000', email: 'li@example.com' }, demands: 'A shop website' }
const day = (n: number): string => new Date(Date.UTC(2026, 0, 1 + n)).toISOString()

const basic = builtIn('basic')
const contract = builtIn('contract')
const license = builtIn('license-supervision')
const doubleCheck = builtIn('double-check')
const listing = builtIn('listing-review')

const NEVER_ENDS = '($f := function($x){ $f($x) }; $f(1))'
/** A process whose expressions loop for ever when the instance's context says so. */
const looping = compileForTest(`
id: looping
version: 1
title: Looping expressions
roles: [customer, isv]
context:
  type: object
  properties:
    loopWhen: { type: boolean }
    loopRecord: { type: boolean }
steps:
  - id: deliver
    title: Deliver
    actor: isv
    when: ${JSON.stringify(`context.loopWhen = true ? ${NEVER_ENDS} : true`)}
    otherwise: { end: skipped }
    timeout: { after: P1D, action: expire }
    actions:
      finish: { title: Finish, end: completed, record: { value: ${JSON.stringify(`context.loopRecord = true ? ${NEVER_ENDS} : 1`)} } }
      expire: { title: Expire, actor: system, end: expired, record: { value: ${JSON.stringify(`context.loopRecord = true ? ${NEVER_ENDS} : 1`)} } }
`)

const start = (extra: Partial<Extract<Command, { type: 'start' }>> = {}): Command => ({ type: 'start', instanceId: 'i-1', by: ADMIN, parties: PARTIES, context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, ...extra })
const act = (by: Principal, action: string, more: Partial<Extract<Command, { type: 'act' }>> = {}): Command => ({ type: 'act', by, action, ...more })
const FAIL: Command = { type: 'fail', code: 'expression.failed', message: 'Firing failed.', attempts: 3 }

// States of a basic delivery, each reached through `decide` itself.
const atSubmit = await stateAfter(basic, [[T0, start()]])
const atConfirm = await stateAfter(basic, [[T0, start()], [T0, act(CUSTOMER, 'submit', { inputs: DEMAND })], [day(1), act(ISV, 'finish')]])
const completed = await stateAfter(basic, [[T0, start()], [T0, act(CUSTOMER, 'submit', { inputs: DEMAND })], [day(1), act(ISV, 'finish')], [day(2), act(CUSTOMER, 'confirm')]])
const terminated = await stateAfter(basic, [[T0, start()], [T0, { type: 'terminate', by: ADMIN, reason: 'Refunded' }]])
const failed = await stateAfter(basic, [[T0, start()], [T0, act(CUSTOMER, 'submit', { inputs: DEMAND })], [day(1), act(ISV, 'finish')], [day(15), FAIL]])
const atContract = await stateAfter(contract, [[T0, start()], [T0, act(CUSTOMER, 'submit', { inputs: DEMAND })]])
const ORDER = { orderId: 'o-1', productId: 'p-1', specification: '10 seats', orderPlacedAt: T0 }
const LICENSE_PROOF = { 'statement-of-work': [file('s', 'pdf', ISV)], 'acceptance-documents': [file('a', 'pdf', ISV)] }
const atProof = await stateAfter(license, [[T0, start({ parameters: { purchasedDuration: 'P1Y' }, context: ORDER })]])
const overdue = await stateAfter(license, [[T0, start({ parameters: { purchasedDuration: 'P1Y' }, context: ORDER })],
  [T0, act(ISV, 'deliver', { inputs: { deliveryContent: 'x' }, attachments: { 'statement-of-work': [file('s', 'pdf', ISV)], 'acceptance-documents': [file('a', 'pdf', ISV)] } })],
  [day(20), { type: 'fire-due' }]])
const atListing = await stateAfter(listing, [[T0, { type: 'start', instanceId: 'i-1', by: ADMIN, parties: { isv: 'v-1' } }]])
const LISTING = {
  access: { accessType: 'SaaS', productName: 'Shop', activationMethod: 'compute-nest-deployment', serviceType: 'private', serviceId: 'service-1' },
  basic: { introduction: 'A shop.', highlights: 'Fast.', details: 'Pages.', afterSalesScope: { serviceScope: 'Setup', timeRange: '9-18', businessScope: 'Email', feeRange: 'None' } },
  business: { category: 'Web', seo: { keywords: ['shop'], description: 'A shop' } },
  sales: { salesModel: 'pay-per-use', enterpriseOnly: false, specificationName: 'Standard', price: 10, validityPeriod: 'P1Y' },
  agreement: { productAgreement: { template: 'own-template', text: 'Terms.' }, technicalFiling: 'Filed.' },
}
const opaqueLogo = { ...file('logo', 'png', ISV), image: { width: 290, height: 290, transparentBackground: false } }
const inWarranty = await stateAfter(doubleCheck, [[T0, start({ parameters: { warrantyPeriod: 'P10D' } })], [T0, act(CUSTOMER, 'submit', { inputs: DEMAND })],
  [day(1), act(ISV, 'finish')], [day(2), act(CUSTOMER, 'confirm')]])
const loopingRecord = await stateAfter(looping, [[T0, start({ context: { loopRecord: true } })]])
const loopingFailed = await stateAfter(looping, [[T0, start({ context: { loopRecord: true } })], [day(2), FAIL]])

interface Case {
  readonly name: string
  readonly command: Command['type']
  readonly code: RejectionCode
  /** The JSON Pointers of the failing fields, when the rejection names them. */
  readonly pointers?: readonly string[]
  readonly decide: () => Promise<Decision>
}

const CASES: readonly Case[] = [
  { name: 'a start of an instance that exists', command: 'start', code: 'instance.exists', pointers: ['/id'], decide: () => decideAt(basic, atSubmit, start(), T0) },
  { name: 'a start by a customer', command: 'start', code: 'auth.forbidden', decide: () => decideAt(basic, undefined, start({ by: CUSTOMER }), T0) },
  { name: 'a start by an ISV of its own listing, its hundredth of the hour', command: 'start', code: 'start.quota',
    decide: () => decideAt(listing, undefined, { type: 'start', instanceId: 'i-2', by: ISV, parties: {}, partyStarts: { count: 100, earliest: T0 } }, T0) },
  { name: 'a start with a context of more than 64 KiB', command: 'start', code: 'input.invalid', pointers: ['/context'],
    decide: () => decideAt(basic, undefined, start({ context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1', notes: 'x'.repeat(64 * 1024) } }), T0) },
  { name: 'a start without a party, with an unknown role', command: 'start', code: 'input.invalid', pointers: ['/parties/isv', '/parties/auditor'],
    decide: () => decideAt(basic, undefined, start({ parties: { customer: 'c-1', auditor: 'x' } }), T0) },
  { name: 'a start with a parameter of the wrong type, an unknown one and a required one missing', command: 'start', code: 'input.invalid',
    pointers: ['/parameters/purchasedDuration', '/parameters/acceptanceWindow', '/parameters/colour'],
    decide: () => decideAt(license, undefined, start({ parameters: { acceptanceWindow: 'two weeks', colour: 'red' }, context: ORDER }), T0) },
  { name: 'a start with a duration no deadline can reach', command: 'start', code: 'input.invalid', pointers: ['/parameters/confirmWindow'],
    decide: () => decideAt(basic, undefined, start({ parameters: { confirmWindow: 'P300000Y' } }), T0) },
  { name: 'a start with an invalid order context', command: 'start', code: 'input.invalid', pointers: ['/context/orderId'],
    decide: () => decideAt(license, undefined, start({ parameters: { purchasedDuration: 'P1Y' }, context: { ...ORDER, orderId: 5 } }), T0) },
  { name: 'a start without the order details its context requires', command: 'start', code: 'input.invalid',
    pointers: ['/context/orderId'],
    decide: () => decideAt(license, undefined, start({ parameters: { purchasedDuration: 'P1Y' }, context: { renewal: false } }), T0) },
  { name: 'a start whose first step\'s condition never ends', command: 'start', code: 'expression.failed',
    decide: () => decideAt(looping, undefined, start({ context: { loopWhen: true } }), T0) },

  { name: 'an act on no instance', command: 'act', code: 'instance.not-found', decide: () => decideAt(basic, undefined, act(CUSTOMER, 'submit'), T0) },
  { name: 'an act on a completed instance', command: 'act', code: 'instance.ended', decide: () => decideAt(basic, completed, act(CUSTOMER, 'confirm'), day(3)) },
  { name: 'an act on a terminated instance', command: 'act', code: 'instance.ended', decide: () => decideAt(basic, terminated, act(CUSTOMER, 'submit', { inputs: DEMAND }), T0) },
  { name: 'an act on a failed instance', command: 'act', code: 'instance.failed', decide: () => decideAt(basic, failed, act(CUSTOMER, 'confirm'), day(15)) },
  { name: 'an act whose input breaks a check of the action (an enabling time after the act)', command: 'act', code: 'input.invalid', pointers: ['/inputs/enablingTime'],
    decide: () => decideAt(license, atProof, act(ISV, 'deliver', { inputs: { deliveryContent: 'x', enablingTime: day(2) }, attachments: LICENSE_PROOF }), day(1)) },
  { name: 'an act expecting another revision', command: 'act', code: 'conflict.stale', pointers: ['/expectedRevision'],
    decide: () => decideAt(basic, atSubmit, act(CUSTOMER, 'submit', { inputs: DEMAND, expectedRevision: 2 }), T0) },
  { name: 'an act naming a step that is not current', command: 'act', code: 'step.not-current', pointers: ['/step'],
    decide: () => decideAt(basic, atSubmit, act(CUSTOMER, 'submit', { step: 'confirm-delivery', inputs: DEMAND }), T0) },
  { name: 'an act of an action of another step', command: 'act', code: 'step.not-current', pointers: ['/action'], decide: () => decideAt(basic, atSubmit, act(CUSTOMER, 'confirm'), T0) },
  { name: 'an act of an action no step has', command: 'act', code: 'action.unknown', pointers: ['/action'], decide: () => decideAt(basic, atSubmit, act(CUSTOMER, 'approve'), T0) },
  { name: 'an act by a role that is not the step\'s actor', command: 'act', code: 'auth.forbidden', decide: () => decideAt(basic, atSubmit, act(ISV, 'submit', { inputs: DEMAND }), T0) },
  { name: 'an act by an administrator where only the customer acts', command: 'act', code: 'auth.forbidden', decide: () => decideAt(basic, atSubmit, act(ADMIN, 'submit', { inputs: DEMAND }), T0) },
  { name: 'an act by another customer than the instance\'s', command: 'act', code: 'auth.forbidden',
    decide: () => decideAt(basic, atSubmit, act({ role: 'customer', subject: 'c-2' }, 'submit', { inputs: DEMAND }), T0) },
  { name: 'an act by an actor of the step but not of the action', command: 'act', code: 'auth.forbidden', decide: () => decideAt(license, overdue, act(ISV, 'accept'), day(21)) },
  { name: 'an act once the step\'s timeout has passed', command: 'act', code: 'deadline.passed', decide: () => decideAt(basic, atConfirm, act(CUSTOMER, 'confirm'), day(15)) },
  { name: 'an act once a window has expired', command: 'act', code: 'deadline.passed', decide: () => decideAt(doubleCheck, inWarranty, act(CUSTOMER, 'confirm'), day(12)) },
  { name: 'an act with invalid inputs', command: 'act', code: 'input.invalid', pointers: ['/inputs/contact/email'],
    decide: () => decideAt(basic, atSubmit, act(CUSTOMER, 'submit', { inputs: { ...DEMAND, contact: { ...DEMAND.contact, email: 'no' } } }), T0) },
  { name: 'an act with inputs no action takes', command: 'act', code: 'input.invalid', pointers: ['/inputs/note'],
    decide: () => decideAt(basic, atConfirm, act(CUSTOMER, 'confirm', { inputs: { note: 'x' } }), day(2)) },
  { name: 'an attachment in a slot the action does not have', command: 'act', code: 'attachment.unknown-slot', pointers: ['/attachments/photos'],
    decide: () => decideAt(contract, atContract, act(ISV, 'submit', { attachments: { contract: [file('k', 'pdf', ISV)], photos: [file('p', 'png', ISV)] } }), T0) },
  { name: 'a required attachment missing', command: 'act', code: 'attachment.count', pointers: ['/attachments/contract'],
    decide: () => decideAt(contract, atContract, act(ISV, 'submit'), T0) },
  { name: 'the same file given twice', command: 'act', code: 'attachment.count', pointers: ['/attachments/contract/1', '/attachments/contract'],
    decide: () => decideAt(contract, atContract, act(ISV, 'submit', { attachments: { contract: [file('k', 'pdf', ISV), file('k', 'pdf', ISV)] } }), T0) },
  { name: 'a file someone else uploaded', command: 'act', code: 'attachment.not-found', pointers: ['/attachments/contract/0'],
    decide: () => decideAt(contract, atContract, act(ISV, 'submit', { attachments: { contract: [file('k', 'pdf', CUSTOMER)] } }), T0) },
  { name: 'a file attached to another instance', command: 'act', code: 'attachment.not-found', pointers: ['/attachments/contract/0'],
    decide: () => decideAt(contract, atContract, act(ISV, 'submit', { attachments: { contract: [file('k', 'pdf', ISV, 10, 'i-2')] } }), T0) },
  { name: 'a file of a type the slot does not take', command: 'act', code: 'attachment.type', pointers: ['/attachments/contract/0'],
    decide: () => decideAt(contract, atContract, act(ISV, 'submit', { attachments: { contract: [file('k', 'xls', ISV)] } }), T0) },
  { name: 'a file of an unrecognised type', command: 'act', code: 'attachment.type', pointers: ['/attachments/contract/0'],
    decide: () => decideAt(contract, atContract, act(ISV, 'submit', { attachments: { contract: [file('k', undefined, ISV)] } }), T0) },
  { name: 'a file larger than the slot takes', command: 'act', code: 'attachment.size', pointers: ['/attachments/contract/0'],
    decide: () => decideAt(contract, atContract, act(ISV, 'submit', { attachments: { contract: [file('k', 'pdf', ISV, 5 * 1024 * 1024 + 1)] } }), T0) },
  { name: 'a logo whose background is not transparent', command: 'act', code: 'attachment.image', pointers: ['/attachments/logo/0'],
    decide: () => decideAt(listing, atListing, act(ISV, 'submit', { inputs: LISTING, attachments: { logo: [opaqueLogo], 'user-guide': [file('g', 'pdf', ISV)] } }), T0) },
  { name: 'an act whose recorded value never ends', command: 'act', code: 'expression.failed', decide: () => decideAt(looping, loopingRecord, act(ISV, 'finish'), T0) },

  { name: 'firing deadlines of no instance', command: 'fire-due', code: 'instance.not-found', decide: () => decideAt(basic, undefined, { type: 'fire-due' }, T0) },
  { name: 'firing a timeout whose recorded value never ends', command: 'fire-due', code: 'expression.failed', decide: () => decideAt(looping, loopingRecord, { type: 'fire-due' }, day(2)) },

  { name: 'a termination by a customer', command: 'terminate', code: 'auth.forbidden', decide: () => decideAt(basic, atSubmit, { type: 'terminate', by: CUSTOMER, reason: 'No' }, T0) },
  { name: 'a termination of a completed instance', command: 'terminate', code: 'instance.ended', decide: () => decideAt(basic, completed, { type: 'terminate', by: ADMIN, reason: 'No' }, day(3)) },
  { name: 'a termination expecting another revision', command: 'terminate', code: 'conflict.stale', pointers: ['/expectedRevision'],
    decide: () => decideAt(basic, atSubmit, { type: 'terminate', by: ADMIN, reason: 'No', expectedRevision: 7 }, T0) },
  { name: 'a termination without a reason', command: 'terminate', code: 'input.invalid', pointers: ['/reason'],
    decide: () => decideAt(basic, atSubmit, { type: 'terminate', by: ADMIN, reason: '  ' }, T0) },
  { name: 'a termination whose reason shows nothing (zero-width and direction marks)', command: 'terminate', code: 'input.invalid', pointers: ['/reason'],
    decide: () => decideAt(basic, atSubmit, { type: 'terminate', by: ADMIN, reason: '\u200b\u202e ' }, T0) },
  { name: 'a termination whose reason is longer than 2,000 characters', command: 'terminate', code: 'input.invalid', pointers: ['/reason'],
    decide: () => decideAt(basic, atSubmit, { type: 'terminate', by: ADMIN, reason: 'x'.repeat(2_001) }, T0) },
  { name: 'a termination whose reason holds a control character', command: 'terminate', code: 'input.invalid', pointers: ['/reason'],
    decide: () => decideAt(basic, atSubmit, { type: 'terminate', by: ADMIN, reason: 'ring\u0007' }, T0) },
  { name: 'a termination of no instance', command: 'terminate', code: 'instance.not-found', decide: () => decideAt(basic, undefined, { type: 'terminate', by: ADMIN, reason: 'No' }, T0) },

  { name: 'marking a terminated instance failed', command: 'fail', code: 'instance.ended', decide: () => decideAt(basic, terminated, FAIL, T0) },
  { name: 'marking a failed instance failed again', command: 'fail', code: 'instance.ended', decide: () => decideAt(basic, failed, FAIL, day(16)) },

  { name: 'a retry by the ISV', command: 'retry', code: 'auth.forbidden', decide: () => decideAt(basic, failed, { type: 'retry', by: ISV }, day(16)) },
  { name: 'a retry of an active instance', command: 'retry', code: 'instance.not-failed', decide: () => decideAt(basic, atConfirm, { type: 'retry', by: ADMIN }, day(2)) },
  { name: 'a retry expecting another revision', command: 'retry', code: 'conflict.stale', pointers: ['/expectedRevision'], decide: () => decideAt(basic, failed, { type: 'retry', by: ADMIN, expectedRevision: 1 }, day(16)) },
  { name: 'a retry whose deadline still fails to fire', command: 'retry', code: 'expression.failed', decide: () => decideAt(looping, loopingFailed, { type: 'retry', by: ADMIN }, day(3)) },
]

describe('decide refuses', () => {
  it.each(CASES.map((c) => [c.command, c.code, c.name, c] as const))('%s %s: %s', async (_command, code, _name, c) => {
    const decision = await c.decide()
    expect(decision.ok ? decision.events : decision.rejection.code).toBe(code)
    if (decision.ok) return
    expect(decision.rejection.message.length).toBeGreaterThan(0)
    expect(decision.rejection.problems?.map((p) => p.pointer)).toEqual(c.pointers)
  })

  it('with every rejection code the runtime can return, and only those', () => {
    const { runtime, elsewhere } = runtimeRejectionCodes()
    expect([...new Set(CASES.map((c) => c.code))].sort()).toEqual(runtime)
    // Returned outside `decide`: the process catalog, attachment storage, token administration, webhooks, the store (a unique value taken), proposals (decideProposal: test/engine/runtime/proposals.test.ts).
    expect(elsewhere).toEqual(['attachment.empty', 'attachment.too-large', 'event.not-found', 'process.not-found', 'process.owner-conflict', 'process.version-conflict', 'proposal.limit', 'proposal.not-found', 'proposal.status', 'token.not-found', 'unique.taken', 'webhook-endpoint.not-found', 'webhook-endpoint.secret-unreadable'])
  })

  it('for every command kind', () => {
    expect([...new Set(CASES.map((c) => c.command))].sort()).toEqual(['act', 'fail', 'fire-due', 'retry', 'start', 'terminate'])
  })
})

