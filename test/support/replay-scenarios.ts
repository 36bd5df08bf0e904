import type { AttachmentFacts } from '../../engine/runtime/commands.js'
import type { Command, Principal } from '../../engine/index.js'
import type { Given } from './replay.js'

/**
 * The deliveries the replay goldens record (test/fixtures/replay/*.json), several per built-in
 * process, covering their paths: rejection loops and rounds, timeouts and windows fired by the
 * system (late, and several in one firing), skipped steps, recorded values, refusals on the way,
 * termination, failure and retry. Generator: test/support/generate-replay-goldens.ts.
 */
export interface Scenario {
  readonly name: string
  readonly description: string
  readonly process: string
  readonly commands: readonly Given[]
}

const ADMIN: Principal = { role: 'admin', subject: 'a-1' }
const CUSTOMER: Principal = { role: 'customer', subject: 'c-1' }
const ISV: Principal = { role: 'isv', subject: 'v-1' }
const PARTIES = { customer: 'c-1', isv: 'v-1' }
const DEMAND = { contact: { name: 'Li Lei', phone: '+86 138 0000 0000', email: 'li@example.com' }, demands: 'A shop website' }

/** The instant `days` days (and `hours` hours) after 2026-01-01T00:00Z. */
function day(days: number, hours = 0): string {
  return new Date(Date.UTC(2026, 0, 1 + days, hours)).toISOString()
}

function file(id: string, type: string, by: Principal = ISV, size = 1000): AttachmentFacts {
  return { id, type, size, uploadedBy: by, instanceId: undefined }
}

const start = (at: string, extra: Partial<Extract<Command, { type: 'start' }>> = {}): Given =>
  ({ at, command: { type: 'start', instanceId: 'i-1', by: ADMIN, parties: PARTIES, ...extra } })
const act = (at: string, by: Principal, action: string, more: Partial<Extract<Command, { type: 'act' }>> = {}): Given =>
  ({ at, command: { type: 'act', by, action, ...more } })
const fire = (at: string): Given => ({ at, command: { type: 'fire-due' } })
const terminate = (at: string, reason: string): Given => ({ at, command: { type: 'terminate', by: ADMIN, reason } })
const fail = (at: string): Given => ({ at, command: { type: 'fail', code: 'expression.failed', message: 'Firing the deadline failed.', attempts: 3 } })
const retry = (at: string): Given => ({ at, command: { type: 'retry', by: ADMIN } })

/** The order details the Delivery Center processes require (version 3 on). */
const ORDER = { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }
/** A Delivery Center delivery started with its order details. */
const ordered = (at: string, extra: Partial<Extract<Command, { type: 'start' }>> = {}): Given => start(at, { context: ORDER, ...extra })

/** Started on day `at` and the demand submitted two hours later: the opening of most deliveries. */
const submitted = (at: number): Given[] => [ordered(day(at)), act(day(at, 2), CUSTOMER, 'submit', { inputs: DEMAND })]

const LISTING = {
  access: { accessType: 'SaaS', productName: 'Shop', activationMethod: 'compute-nest-deployment', serviceType: 'private', serviceId: 'service-1', integratesLicenseCheck: true },
  basic: { introduction: 'A shop.', highlights: 'Fast.', details: 'Pages.', afterSalesScope: { serviceScope: 'Setup', timeRange: '9-18', businessScope: 'Email', feeRange: 'None' } },
  business: { category: 'Web', seo: { keywords: ['shop'], description: 'A shop' } },
  sales: { salesModel: 'pay-per-use', enterpriseOnly: false, specificationName: 'Standard', price: 10, validityPeriod: 'P1Y' },
  agreement: { productAgreement: { template: 'own-template', text: 'Terms.' }, technicalFiling: 'Filed.' },
}
const LISTING_FILES = { logo: [{ ...file('logo', 'png'), image: { width: 290, height: 290, transparentBackground: true } }], 'user-guide': [file('guide', 'pdf')] }
const SELF_TEST = { specificationsBound: true, binding: { specification: 'Standard', templatePackage: 'pkg-1' }, licenseIntegrationTested: true }
const PROOF = { 'statement-of-work': [file('sow', 'pdf')], 'acceptance-documents': [file('acc', 'docx')] }
/** The order details license supervision requires (version 2 on). */
const LICENSE_ORDER = { orderId: 'o-1', productId: 'p-1', specification: '10 seats', orderPlacedAt: '2026-01-01T00:00:00Z' }
const LICENSE = { parameters: { purchasedDuration: 'P1Y' }, context: LICENSE_ORDER }

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'basic-dispute-reworked', process: 'basic',
    description: 'The customer disputes the delivery with a reason and a file; firing past the confirmation window confirms nothing; the administrator sends it back for rework, the ISV finishes again, the customer confirms.',
    commands: [...submitted(0), act(day(1), ISV, 'finish'),
      act(day(3), CUSTOMER, 'dispute', { inputs: { reason: 'The payment page is missing.' }, attachments: { evidence: [file('e-1', 'png', CUSTOMER)] } }),
      fire(day(20)), act(day(21), ADMIN, 'rework', { inputs: { reason: 'The demands list a payment page.' } }), act(day(22), ISV, 'finish'), act(day(23), CUSTOMER, 'confirm')],
  },
  {
    name: 'basic-dispute-terminated', process: 'basic',
    description: 'The customer disputes the delivery; the ISV cannot act on it; the dispute step has no action that ends it; the administrator terminates it.',
    commands: [...submitted(0), act(day(1), ISV, 'finish'), act(day(2), CUSTOMER, 'dispute', { inputs: { reason: 'Nothing was delivered.' } }),
      act(day(3), ISV, 'rework', { inputs: { reason: 'x' } }), act(day(4), ADMIN, 'terminate', { inputs: { reason: 'x' } }), terminate(day(4), 'The ISV could not show a delivery.')],
  },
  {
    name: 'basic-escalated', process: 'basic',
    description: 'The ISV does not finish: reminded a day before the ISV response time ends, then escalated to an administrator, who hands it back with a note; the ISV finishes, the customer confirms.',
    commands: [...submitted(0), fire(day(6, 3)), fire(day(7, 3)), act(day(8), ADMIN, 'return-to-isv', { inputs: { note: 'Please call the customer.' } }),
      act(day(9), ISV, 'finish'), act(day(10), CUSTOMER, 'confirm')],
  },
  {
    name: 'basic-confirmed', process: 'basic',
    description: 'The customer submits, the ISV finishes, the customer confirms in time; a stale revision is refused on the way.',
    commands: [...submitted(0), act(day(1), ISV, 'finish', { expectedRevision: 1 }), act(day(1), ISV, 'finish', { expectedRevision: 2 }), act(day(3), CUSTOMER, 'confirm')],
  },
  {
    name: 'basic-confirm-timeout', process: 'basic',
    description: 'Nothing fires before the 14-day window; the customer is refused once it has passed; the system confirms, fired an hour late.',
    commands: [...submitted(0), act(day(1), ISV, 'finish'), fire(day(14, 23)), act(day(15, 0), CUSTOMER, 'confirm'), fire(day(15, 1))],
  },
  {
    name: 'basic-reminded', process: 'basic',
    description: 'The customer is reminded 3 days and 1 day before the system confirms, each reminder once, at its instant; then the system confirms.',
    commands: [...submitted(0), act(day(1), ISV, 'finish'), fire(day(11, 23)), fire(day(12)), fire(day(12, 1)), fire(day(14)), fire(day(15))],
  },
  {
    name: 'basic-short-window', process: 'basic',
    description: 'Started with a P3D confirmation window: the system confirms after three days.',
    commands: [ordered(day(0), { parameters: { confirmWindow: 'P3D' } }), act(day(0, 1), CUSTOMER, 'submit', { inputs: DEMAND }), act(day(1), ISV, 'finish'), fire(day(4))],
  },
  {
    name: 'basic-refusals', process: 'basic',
    description: 'Refused commands change nothing: the wrong actor, invalid inputs, an unknown action, an action of a later step.',
    commands: [ordered(day(0)), act(day(0, 1), ISV, 'submit', { inputs: DEMAND }), act(day(0, 1), CUSTOMER, 'submit', { inputs: { demands: '' } }),
      act(day(0, 1), CUSTOMER, 'approve'), act(day(0, 1), CUSTOMER, 'confirm'), act(day(0, 2), CUSTOMER, 'submit', { inputs: DEMAND })],
  },
  {
    name: 'basic-terminated', process: 'basic',
    description: 'An administrator terminates the delivery while the ISV works; acts afterwards are refused.',
    commands: [...submitted(0), terminate(day(2), 'The order was refunded.'), act(day(3), ISV, 'finish')],
  },
  {
    name: 'basic-failed-retried', process: 'basic',
    description: 'Firing the confirmation fails; the delivery is marked failed, refuses acts, and a retry fires the overdue confirmation.',
    commands: [...submitted(0), act(day(1), ISV, 'finish'), fail(day(15)), act(day(15, 1), CUSTOMER, 'confirm'), retry(day(16))],
  },
  {
    name: 'basic-failed-terminated', process: 'basic',
    description: 'A failed delivery is terminated by an administrator instead of retried; a retry afterwards is refused.',
    commands: [...submitted(0), act(day(1), ISV, 'finish'), fail(day(15)), terminate(day(16), 'Closed by support.'), retry(day(17))],
  },
  {
    name: 'contract-confirmed', process: 'contract',
    description: 'Demand with a document, the signed contract uploaded, delivery finished and confirmed.',
    commands: [ordered(day(0)), act(day(0, 1), CUSTOMER, 'submit', { inputs: DEMAND, attachments: { 'demand-documents': [file('d-1', 'pdf', CUSTOMER)] } }),
      act(day(1), ISV, 'submit', { attachments: { contract: [file('k-1', 'pdf')] } }), act(day(5), ISV, 'finish'), act(day(6), CUSTOMER, 'confirm')],
  },
  {
    name: 'contract-timeout', process: 'contract',
    description: 'A contract of the wrong type is refused, the right one accepted; the system confirms after 14 days.',
    commands: [...submitted(0), act(day(1), ISV, 'submit', { attachments: { contract: [file('k-0', 'xls')] } }),
      act(day(1), ISV, 'submit', { attachments: { contract: [file('k-1', 'docx')] } }), act(day(2), ISV, 'finish'), fire(day(16))],
  },
  {
    name: 'double-check-warranty-confirmed', process: 'double-check',
    description: 'Confirmed delivery opens the warranty window; two service rounds (rounds 2 and 3 of Confirm Warranty); the customer confirms the warranty.',
    commands: [ordered(day(0), { parameters: { warrantyPeriod: 'P90D' } }), act(day(0, 1), CUSTOMER, 'submit', { inputs: DEMAND }), act(day(1), ISV, 'finish'),
      act(day(2), CUSTOMER, 'confirm'), act(day(10), CUSTOMER, 'request-service', { inputs: { issue: 'Login fails' } }), act(day(11), ISV, 'resolve', { inputs: { resolution: 'Fixed' } }),
      act(day(20), CUSTOMER, 'request-service', { inputs: { issue: 'Slow' } }), act(day(21), ISV, 'resolve'), act(day(30), CUSTOMER, 'confirm')],
  },
  {
    name: 'double-check-warranty-expires', process: 'double-check',
    description: 'The warranty window expires while the ISV is servicing a request: the delivery ends warranty-expired.',
    commands: [ordered(day(0), { parameters: { warrantyPeriod: 'P30D' } }), act(day(0, 1), CUSTOMER, 'submit', { inputs: DEMAND }), act(day(1), ISV, 'finish'),
      act(day(2), CUSTOMER, 'confirm'), act(day(25), CUSTOMER, 'request-service', { inputs: { issue: 'Broken' } }), act(day(32, 1), ISV, 'resolve'), fire(day(32, 1))],
  },
  {
    name: 'double-check-one-firing', process: 'double-check',
    description: 'One late firing applies the confirmation timeout and then the warranty window it opened, each at its own due instant.',
    commands: [ordered(day(0), { parameters: { warrantyPeriod: 'P7D' } }), act(day(0, 1), CUSTOMER, 'submit', { inputs: DEMAND }), act(day(1), ISV, 'finish'), fire(day(40))],
  },
  {
    name: 'license-enabling-time', process: 'license-supervision',
    description: 'The ISV gives the enabling time (refused in the future, accepted up to the upload of the proof); the customer accepts and the validity period starts at the enabling time for a year, counted in Beijing time.',
    commands: [start(day(0), LICENSE), act(day(1), ISV, 'deliver', { inputs: { deliveryContent: 'Licence key sent' } }),
      act(day(1), ISV, 'deliver', { inputs: { deliveryContent: 'Licence key sent', enablingTime: '2026-01-03T08:00:00.000Z' }, attachments: PROOF }),
      act(day(1), ISV, 'deliver', { inputs: { deliveryContent: 'Licence key sent', enablingTime: '2026-01-02T08:00:00.000Z' }, attachments: PROOF }),
      act(day(3), CUSTOMER, 'accept')],
  },
  {
    name: 'license-accepted', process: 'license-supervision',
    description: 'No enabling time: the validity period starts when the customer accepts on 31 January and lasts the purchased month, to 28 February.',
    commands: [start(day(0), { parameters: { purchasedDuration: 'P1M', acceptanceWindow: 'P60D' }, context: LICENSE_ORDER }), act(day(1), ISV, 'deliver', { inputs: { deliveryContent: 'Installed' }, attachments: PROOF }),
      act(day(30, 5), CUSTOMER, 'accept')],
  },
  {
    name: 'license-renewal', process: 'license-supervision',
    description: 'A renewal skips Upload Delivery Proof (its `when` is false) and ends not-supervised at once.',
    commands: [start(day(0), { parameters: { purchasedDuration: 'P1Y' }, context: { ...LICENSE_ORDER, orderId: 'o-2', renewal: true } }), act(day(1), ISV, 'deliver', { inputs: { deliveryContent: 'x' } })],
  },
  {
    name: 'license-appeal', process: 'license-supervision',
    description: 'The acceptance window passes (the system allows an appeal); the ISV appeals, an administrator dismisses it, the ISV appeals again and the administrator accepts on the customer\'s behalf.',
    commands: [start(day(0), { parameters: { purchasedDuration: 'P6M', acceptanceWindow: 'P7D' }, context: LICENSE_ORDER }), act(day(1), ISV, 'deliver', { inputs: { deliveryContent: 'Done' }, attachments: PROOF }),
      fire(day(8)), act(day(9), ISV, 'appeal', { inputs: { reason: 'No answer' } }), act(day(10), ADMIN, 'dismiss', { inputs: { reason: 'Wait a week' } }),
      act(day(17), ISV, 'appeal', { inputs: { reason: 'Still no answer' } }), act(day(18), ADMIN, 'accept-on-behalf')],
  },
  {
    name: 'license-overdue-accepted', process: 'license-supervision',
    description: 'After the acceptance window the customer still accepts; the ISV may not accept for the customer.',
    commands: [start(day(0), LICENSE), act(day(1), ISV, 'deliver', { inputs: { deliveryContent: 'Done' }, attachments: PROOF }),
      fire(day(20)), act(day(21), ISV, 'accept'), act(day(21), CUSTOMER, 'accept')],
  },
  {
    name: 'listing-approved', process: 'listing-review',
    description: 'The ISV starts its own listing (another ISV is refused), which passes category review, self-test and functional review the first time; an opaque logo is refused on the way.',
    commands: [{ at: day(0), command: { type: 'start', instanceId: 'i-1', by: { role: 'isv', subject: 'v-2' }, parties: { isv: 'v-1' } } },
      { at: day(0), command: { type: 'start', instanceId: 'i-1', by: ISV, parties: {} } },
      act(day(0, 1), ISV, 'submit', { inputs: LISTING, attachments: { ...LISTING_FILES, logo: [{ ...file('opaque', 'png'), image: { width: 290, height: 290, transparentBackground: false } }] } }),
      act(day(0, 1), ISV, 'submit', { inputs: LISTING, attachments: LISTING_FILES }), act(day(1), ADMIN, 'approve'),
      act(day(2), ISV, 'complete', { inputs: SELF_TEST }), act(day(2), ISV, 'submit'), act(day(3), ADMIN, 'approve')],
  },
  {
    name: 'listing-returned', process: 'listing-review',
    description: 'Returned at category review once and at functional review twice: rounds 2 and 3 of Self-Test; a self-test without bound specifications, or with the license integration it has untested, is refused.',
    commands: [{ at: day(0), command: { type: 'start', instanceId: 'i-1', by: ADMIN, parties: { isv: 'v-1' } } },
      act(day(0, 1), ISV, 'submit', { inputs: LISTING, attachments: LISTING_FILES }), act(day(1), ADMIN, 'return', { inputs: { reason: 'Wrong category' } }),
      act(day(2), ISV, 'submit', { inputs: { ...LISTING, business: { ...LISTING.business, category: 'Shops' } }, attachments: LISTING_FILES }), act(day(3), ADMIN, 'approve'),
      act(day(4), ISV, 'complete', { inputs: { ...SELF_TEST, specificationsBound: false } }), act(day(4), ISV, 'complete', { inputs: { ...SELF_TEST, licenseIntegrationTested: false } }),
      act(day(4), ISV, 'complete', { inputs: SELF_TEST }), act(day(4), ISV, 'submit'),
      act(day(5), ADMIN, 'return', { inputs: { reason: 'Crashes' } }), act(day(6), ISV, 'complete', { inputs: { ...SELF_TEST, notes: 'Fixed' } }), act(day(6), ISV, 'submit'),
      act(day(7), ADMIN, 'return', { inputs: { reason: 'Still crashes' } }), act(day(8), ISV, 'complete', { inputs: SELF_TEST }), act(day(8), ISV, 'submit'),
      act(day(9), ADMIN, 'approve')],
  },
  {
    name: 'step-by-step-confirmed', process: 'step-by-step',
    description: 'Every step confirmed the first time; the system confirms the whole delivery after 14 days.',
    commands: [...submitted(0), act(day(1), ISV, 'finish'), act(day(2), CUSTOMER, 'confirm'), act(day(3), ISV, 'finish'), act(day(4), CUSTOMER, 'confirm'),
      act(day(5), ISV, 'finish', { attachments: { documents: [file('t-1', 'pdf')] } }), act(day(6), CUSTOMER, 'confirm'), fire(day(20))],
  },
  {
    name: 'step-by-step-rejections', process: 'step-by-step',
    description: 'The customer rejects the functional design twice, the UED once and the inspection once, then confirms everything.',
    commands: [...submitted(0), act(day(1), ISV, 'finish', { inputs: { summary: 'v1' } }), act(day(2), CUSTOMER, 'reject', { inputs: { reason: 'Too small' } }),
      act(day(3), ISV, 'finish', { inputs: { summary: 'v2' } }), act(day(4), CUSTOMER, 'reject', { inputs: { reason: 'Still small' } }),
      act(day(5), ISV, 'finish', { inputs: { summary: 'v3' } }), act(day(6), CUSTOMER, 'confirm'), act(day(7), ISV, 'finish'),
      act(day(8), CUSTOMER, 'reject', { inputs: { reason: 'Colours' } }), act(day(9), ISV, 'finish'), act(day(10), CUSTOMER, 'confirm'),
      act(day(11), ISV, 'finish'), act(day(12), CUSTOMER, 'reject', { inputs: { reason: 'Bug' } }), act(day(13), ISV, 'finish'),
      act(day(14), CUSTOMER, 'confirm'), act(day(15), CUSTOMER, 'confirm')],
  },
  {
    name: 'step-by-step-terminated', process: 'step-by-step',
    description: 'Terminated during UED after one rejection.',
    commands: [...submitted(0), act(day(1), ISV, 'finish'), act(day(2), CUSTOMER, 'confirm'), act(day(3), ISV, 'finish'),
      act(day(4), CUSTOMER, 'reject', { inputs: { reason: 'No' } }), terminate(day(5), 'The customer cancelled the order.')],
  },
]
