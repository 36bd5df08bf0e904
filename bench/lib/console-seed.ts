import BetterSqlite3 from 'better-sqlite3'
import { ManualClock } from '../../engine/index.js'
import type { Principal } from '../../engine/index.js'
import { ADMIN, DEMAND, ISV, openEngine } from './deliveries.js'
import { cloneInstances } from './seed.js'

/** One kind of delivery in a party's mix: a process, its start parameters and the acts it is left after. */
interface Kind {
  readonly process: string
  readonly parameters?: Readonly<Record<string, unknown>>
  /** Order details the process requires besides the order ID. */
  readonly order?: Readonly<Record<string, unknown>>
  /** The acts performed after the start, in order; `customer` is the template's customer. */
  readonly acts: ReadonlyArray<{ readonly action: string; readonly by: 'customer' | 'isv'; readonly inputs?: unknown }>
}

const SUBMIT = { action: 'submit', by: 'customer', inputs: DEMAND } as const
const FINISH = { action: 'finish', by: 'isv' } as const
const CONFIRM = { action: 'confirm', by: 'customer' } as const

/**
 * A customer's mix of deliveries: four built-in processes at different steps, six of the ten
 * waiting on the customer (submit-demand, confirm-delivery, confirm-warranty), four not (on the
 * ISV, or completed).
 */
const KINDS: readonly Kind[] = [
  { process: 'basic', acts: [] },
  { process: 'basic', acts: [SUBMIT] },
  { process: 'basic', acts: [SUBMIT, FINISH] },
  { process: 'basic', acts: [SUBMIT, FINISH, CONFIRM] },
  { process: 'contract', acts: [] },
  { process: 'contract', acts: [SUBMIT] },
  { process: 'double-check', parameters: { warrantyPeriod: 'P30D' }, acts: [] },
  { process: 'double-check', parameters: { warrantyPeriod: 'P30D' }, acts: [SUBMIT, FINISH] },
  { process: 'double-check', parameters: { warrantyPeriod: 'P30D' }, acts: [SUBMIT, FINISH, CONFIRM] },
  { process: 'license-supervision', parameters: { purchasedDuration: 'P1Y' }, order: { productId: 'p-license', specification: '10 seats', orderPlacedAt: '2026-01-01T00:00:00Z' }, acts: [] },
]

/** The processes of the mix, for the search by process. */
export const SEEDED_PROCESSES = [...new Set(KINDS.map((kind) => kind.process))]

/**
 * Runs one real delivery of each kind per customer through the Engine (started at `at`, the ISV
 * being {@link ISV} for all) and leaves each where its kind says. Returns their ids per customer.
 */
export async function createConsoleTemplates(file: string, customers: readonly string[], at: string): Promise<Map<string, string[]>> {
  const { engine, store } = await openEngine(file, { durability: 'normal' }, new ManualClock(at))
  const templates = new Map<string, string[]>()
  try {
    for (const customer of customers) {
      const by: Record<'customer' | 'isv', Principal> = { customer: { role: 'customer', subject: customer }, isv: ISV }
      const ids: string[] = []
      for (const kind of KINDS) {
        const { id } = await engine.instances.start({
          process: kind.process, parties: { customer, isv: ISV.subject }, context: { orderId: 'template', specification: 'Standard', productId: 'p-1', ...kind.order },
          ...(kind.parameters ? { parameters: kind.parameters } : {}),
        }, ADMIN)
        for (const act of kind.acts) await engine.instances.act(id, 'inputs' in act ? { action: act.action, inputs: act.inputs } : { action: act.action }, by[act.by])
        ids.push(id)
      }
      templates.set(customer, ids)
    }
  } finally {
    await store.close()
  }
  return templates
}

/**
 * Seeds the console's population: `perCustomer[subject]` clones of that customer's templates
 * (see {@link cloneInstances}), then gives every instance an order ID of its own (`ord-N`, in
 * the column and in its stored context), so a search by order ID finds one delivery, and a start
 * N minutes before its template's (the columns and the state's `startedAt`), so the lists are
 * ordered as a real history would be, not by id among equal instants. Returns the seconds it took.
 */
export function seedConsole(file: string, templates: ReadonlyMap<string, readonly string[]>, perCustomer: ReadonlyMap<string, number>): number {
  const started = performance.now()
  for (const [customer, count] of perCustomer) cloneInstances(file, templates.get(customer) ?? [], count)
  const db = new BetterSqlite3(file)
  try {
    // SET expressions read the row as it was: `created_at` is the template's instant throughout.
    db.exec(`update instance set order_id = 'ord-' || rowid, created_at = ${EARLIER},
      state = replace(replace(state, '"orderId":"template"', '"orderId":"ord-' || rowid || '"'), '"startedAt":"' || created_at || '"', '"startedAt":"' || ${EARLIER} || '"')`)
    db.exec('update instance_party set instance_created_at = (select created_at from instance where instance.id = instance_party.instance_id)')
    db.exec('update waiting_party set instance_created_at = (select created_at from instance where instance.id = waiting_party.instance_id)')
  } finally {
    db.close()
  }
  return (performance.now() - started) / 1000
}

/** Instance N's start: N minutes before its template's (its `created_at` before the update). */
const EARLIER = `strftime('%Y-%m-%dT%H:%M:%fZ', created_at, '-' || rowid || ' minutes')`

/** Ids, order IDs and processes of `limit` random instances of which `customer` is the customer. */
export function sampleDeliveries(file: string, customer: string, limit: number): Array<{ id: string; orderId: string; process: string }> {
  const db = new BetterSqlite3(file, { readonly: true })
  try {
    return db.prepare(`select i.id, i.order_id as orderId, i.process_id as process from instance i
      join instance_party p on p.instance_id = i.id where p.role = 'customer' and p.subject = ? order by random() limit ?`)
      .all(customer, limit) as Array<{ id: string; orderId: string; process: string }>
  } finally {
    db.close()
  }
}
