import { join } from 'node:path'
import { Engine, ManualClock, Store } from '../../engine/index.js'
import type { Clock, Principal } from '../../engine/index.js'

/** The administrator who starts every benchmark delivery. */
export const ADMIN: Principal = { role: 'admin', subject: 'a-1' }
/** The customer party of every benchmark delivery. */
export const CUSTOMER: Principal = { role: 'customer', subject: 'c-1' }
/** The ISV party of every benchmark delivery. */
export const ISV: Principal = { role: 'isv', subject: 'v-1' }
/** The parties a benchmark delivery is started with. */
export const PARTIES = { customer: CUSTOMER.subject, isv: ISV.subject }
/** The order details the Delivery Center processes require (basic version 3 on). */
export const ORDER = { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }

/** What the customer submits in the first step of a basic delivery. */
export const DEMAND = {
  contact: { name: 'Li Lei', phone: '+86 138 0000 0000', email: 'li.lei@example.com' },
  demands: 'Set up the shop and train two staff',
}

/** The acts of a basic delivery after its start, in order, with who performs each. */
export const BASIC_ACTS: ReadonlyArray<{ readonly action: string; readonly by: Principal; readonly inputs?: unknown }> = [
  { action: 'submit', by: CUSTOMER, inputs: DEMAND },
  { action: 'finish', by: ISV },
  { action: 'confirm', by: CUSTOMER },
]

/** How a benchmark opens the store: the durability and group commit under test. */
export interface StoreSettings {
  readonly durability?: 'full' | 'normal'
  readonly groupCommit?: boolean
}

/** An engine on the database at `location` (a SQLite file, created and migrated if new, or a PostgreSQL URL), with the built-in processes registered. */
export async function openEngine(location: string, settings: StoreSettings = {}, clock: Clock = new ManualClock('2026-01-01T00:00:00Z')): Promise<{ engine: Engine; store: Store }> {
  const store = await Store.open(location, settings)
  const engine = new Engine({ store, clock })
  await engine.processes.registerBuiltIns()
  return { engine, store }
}

/** `dir/name.db`. */
export function dbFile(dir: string, name: string): string {
  return join(dir, `${name}.db`)
}

/**
 * Completes one basic delivery through the Engine facade: start, then submit (with contact and
 * demands), finish and confirm. Returns the number of commands performed (4).
 */
export async function completeDelivery(engine: Engine): Promise<number> {
  const { id } = await engine.instances.start({ process: 'basic', parties: PARTIES, context: { orderId: 'o-1001', specification: 'Standard', productId: 'p-1' } }, ADMIN)
  for (const { action, by, inputs } of BASIC_ACTS) {
    await engine.instances.act(id, inputs === undefined ? { action } : { action, inputs }, by)
  }
  return 1 + BASIC_ACTS.length
}
