import type { CompiledProcess, CompiledStep } from '../definition/compiled.js'
import type { FieldProblem } from '../errors.js'
import type { Rejection } from './decision.js'
import { SYSTEM } from './state.js'
import type { InstanceState, Principal } from './state.js'
import { own } from './own.js'

// Who may do what, in one place, for the engine, the API and the console. Two roles exist in
// every process, `admin` and `system`; every other role is a process's own (its `roles`), and
// what a holder of one may do follows from the process: the steps it acts in, the instances it
// is a party of, the private processes it owns. A refusal is always `auth.forbidden`.

/** What a principal may do by its role alone, whatever the process. */
export type Permission =
  /** See every instance, process and attachment, and every instance's failure. */
  | 'see-all'
  /** Start instances. */
  | 'start'
  /** Terminate an instance in progress. */
  | 'terminate'
  /** Retry a failed instance. */
  | 'retry'
  /** Fire due deadlines: a round (moving the sandbox clock first), or one instance's. */
  | 'fire-deadlines'
  /** Register process definitions. */
  | 'register-processes'
  /** List and revoke API tokens. */
  | 'manage-tokens'
  /** Read the server's metrics. */
  | 'read-metrics'
  /** Create sign-in links to the console for parties. */
  | 'open-console-sessions'
  /** Manage webhook endpoints: create, change, rotate secrets, read attempts, resend. */
  | 'manage-webhooks'
  /**
   * Propose customised procedures (processes derived from ones the proposer may use), to be
   * registered private to the proposer once an administrator approves them: the marketplace's
   * ISVs (the `isv` role of the built-in processes). Administrators register processes themselves.
   */
  | 'propose-processes'

/** The built-in roles granted each permission. */
const GRANTED: Readonly<Record<Permission, readonly string[]>> = {
  'see-all': ['admin', 'system'],
  start: ['admin', 'system'],
  terminate: ['admin'],
  retry: ['admin'],
  'fire-deadlines': ['admin', 'system'],
  'register-processes': ['admin'],
  'manage-tokens': ['admin'],
  'read-metrics': ['admin', 'system'],
  'open-console-sessions': ['admin', 'system'],
  'manage-webhooks': ['admin', 'system'],
  'propose-processes': ['isv'],
}

/** What each permission lets one do, for refusals. */
const DOING: Readonly<Record<Permission, string>> = {
  'see-all': 'see every delivery',
  start: 'start a delivery',
  terminate: 'terminate a delivery',
  retry: 'retry a failed delivery',
  'fire-deadlines': 'fire deadlines',
  'register-processes': 'register process definitions',
  'manage-tokens': 'manage API tokens',
  'read-metrics': 'read the metrics',
  'open-console-sessions': 'create console sign-in links',
  'manage-webhooks': 'manage webhook endpoints',
  'propose-processes': 'propose customised procedures',
}

/** Whether `who` is the system itself (the scheduler, integrations), never a person. */
export function isSystem(who: Pick<Principal, 'role'>): boolean {
  return who.role === SYSTEM.role
}

/** Whether `who` holds `permission`. */
export function may(who: Principal, permission: Permission): boolean {
  return GRANTED[permission].includes(who.role)
}

/** The refusal of `permission` to `who`, naming the roles that hold it. */
export function forbidden(who: Principal, permission: Permission): Rejection {
  return { code: 'auth.forbidden', message: `Only ${GRANTED[permission].join(' or ')} may ${DOING[permission]}; ${who.role} "${who.subject}" may not.` }
}

/**
 * Whether `who` may start an instance of `process`: those whose role may start any process
 * (admin, system), and the roles the process names in `startedBy`.
 */
export function mayStart(process: Pick<CompiledProcess, 'startedBy'>, who: Principal): boolean {
  return may(who, 'start') || process.startedBy.includes(who.role)
}

/** The refusal of starting `process` to `who`, naming the roles that may. */
export function startForbidden(process: Pick<CompiledProcess, 'id' | 'startedBy'>, who: Principal): Rejection {
  const roles = [...new Set([...GRANTED.start, ...process.startedBy])]
  return { code: 'auth.forbidden', message: `Only ${roles.join(' or ')} may start a delivery of process "${process.id}"; ${who.role} "${who.subject}" may not.` }
}

/**
 * The refusal of an instance id chosen by `who` when `who` may not choose one. Only those who
 * start any delivery (admin and system: the marketplace, which may name deliveries after its
 * orders) choose ids. A party starting its own delivery would otherwise learn whether a delivery
 * it may not see has that id, and could take an id the marketplace means to use.
 */
export function chosenIdRefusal(who: Principal): Rejection | undefined {
  if (may(who, 'start')) return undefined
  const choosers = GRANTED.start.join(' or ')
  return {
    code: 'auth.forbidden',
    message: `Only ${choosers} choose a delivery's id; ${who.role} "${who.subject}" leaves \`id\` out, and one is made.`,
    problems: [{ pointer: '/id', rule: 'forbidden', message: `must be left out: only ${choosers} choose a delivery's id` }],
  }
}

/**
 * The refusal of a console sign-in link for `role` that `who` may not open. An admin's session
 * may do what only admins may (terminate, retry, register processes, review proposals), so only
 * an admin opens one; those who open links (admin, system) open any party's.
 */
export function consoleSessionRefusal(who: Principal, role: string): Rejection | undefined {
  if (role !== 'admin' || who.role === 'admin') return undefined
  return {
    code: 'auth.forbidden',
    message: `Only admin may open an admin's console session; ${who.role} "${who.subject}" may open those of the parties of deliveries (customers, ISVs).`,
    problems: [{ pointer: '/role', rule: 'forbidden', message: 'must be a party role: only an admin token opens an admin\'s session' }],
  }
}

/**
 * The parties of an instance `who` starts: as given, except that a starter holding one of the
 * process's party roles (an ISV starting its own listing) starts only its own delivery: it
 * becomes that party when the parties leave the role out, and naming another subject in it is
 * refused (`auth.forbidden`). Administrators and the system start deliveries for any parties.
 */
export function starterParties(
  process: Pick<CompiledProcess, 'id' | 'roles'>, parties: Readonly<Record<string, string>>, who: Principal,
): { readonly parties: Readonly<Record<string, string>> } | { readonly rejection: Rejection } {
  if (may(who, 'start') || !process.roles.includes(who.role)) return { parties }
  const named = own(parties, who.role)
  if (named === undefined) return { parties: { ...parties, [who.role]: who.subject } }
  if (named === who.subject) return { parties }
  return { rejection: { code: 'auth.forbidden', message: `A ${who.role} starts only its own delivery of process "${process.id}": /parties/${who.role} must be "${who.subject}" (or left out), not "${named}".` } }
}

/** Whether `who` is a party of the instance in the role it holds. */
export function isParty(state: InstanceState, who: Principal): boolean {
  return own(state.parties, who.role) === who.subject
}

/** Whether `who` may see the instance: its parties, and those who see all. */
export function maySee(state: InstanceState, who: Principal): boolean {
  return may(who, 'see-all') || isParty(state, who)
}

/**
 * Whether `who` may ask whether the instance entitles its customer at an instant (its validity,
 * as CheckOutLicense): its parties, and those who see all, the system included (the service
 * that was sold checks its own licence).
 */
export function mayCheckValidity(state: InstanceState, who: Principal): boolean {
  return maySee(state, who)
}

/**
 * Whether `who` may see a public event about `delivery` (undefined for an event of no delivery,
 * such as a webhook endpoint's): as the delivery itself, by `maySee`'s rule.
 */
export function maySeeEvent(delivery: { readonly parties: Readonly<Record<string, string>> } | undefined, who: Principal): boolean {
  return may(who, 'see-all') || (delivery !== undefined && own(delivery.parties, who.role) === who.subject)
}

/** Whether `who` is an executor of `step`: a party in one of its actor roles, or an admin where admin acts. */
export function mayActIn(step: CompiledStep, state: InstanceState, who: Principal): boolean {
  if (!step.actors.includes(who.role)) return false
  return who.role === 'admin' || isParty(state, who)
}

/** Who a private process belongs to: a party role of the process and the subject holding it. */
export interface ProcessOwner {
  readonly role: string
  readonly subject: string
}

/** Whether `who` may see and use a process version private to `owner` (null: public). */
export function mayUseProcess(owner: ProcessOwner | null, who: Principal): boolean {
  return owner === null || may(who, 'see-all') || (who.role === owner.role && who.subject === owner.subject)
}

/** Why an instance of a process private to `owner` cannot start with these parties: its owner must hold the owner's role. */
export function ownerProblem(owner: ProcessOwner | null, parties: Readonly<Record<string, string>>): FieldProblem | undefined {
  if (owner === null || own(parties, owner.role) === owner.subject) return undefined
  return { pointer: `/parties/${owner.role}`, rule: 'const', message: `must be "${owner.subject}", the ${owner.role} this private process belongs to` }
}

/**
 * Whether `who` may download an attachment: its uploader, those who see all, and the parties of
 * the instance it is attached to (`instance`, when it is).
 */
export function mayDownload(uploadedBy: Principal, instance: InstanceState | undefined, who: Principal): boolean {
  const own = uploadedBy.role === who.role && uploadedBy.subject === who.subject
  return own || may(who, 'see-all') || (instance !== undefined && maySee(instance, who))
}

/** Whether `who` may propose a customised procedure (see the permission `propose-processes`). */
export function mayPropose(who: Principal): boolean {
  return may(who, 'propose-processes')
}

/** Whether `who` may approve or return proposals: those who register processes. */
export function mayReviewProposals(who: Principal): boolean {
  return may(who, 'register-processes')
}

/** Whether `who` may see a proposal of `proposer`: its proposer, and those who see all. */
export function maySeeProposal(proposer: ProcessOwner, who: Principal): boolean {
  return may(who, 'see-all') || (who.role === proposer.role && who.subject === proposer.subject)
}

/** The refusal of doing `what` to a proposal to `who`, naming who may. */
export function proposalForbidden(who: Principal, what: 'submit' | 'amend' | 'return' | 'approve' | 'withdraw'): Rejection {
  if (what === 'submit') return forbidden(who, 'propose-processes')
  const whoMay = what === 'return' || what === 'approve' ? GRANTED['register-processes'].join(' or ') : 'its proposer'
  return { code: 'auth.forbidden', message: `Only ${whoMay} may ${what} a proposal; ${who.role} "${who.subject}" may not.` }
}
