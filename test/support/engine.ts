import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Engine, ManualClock, Store } from '../../engine/index.js'
import type { Principal } from '../../engine/index.js'
import { migratedDatabase } from './database.js'

export { snapshot } from './database.js'

/** 2026-01-01T00:00:00Z: every scenario starts here. */
export const T0 = '2026-01-01T00:00:00.000Z'

export const ADMIN: Principal = { role: 'admin', subject: 'a-1' }
export const CUSTOMER: Principal = { role: 'customer', subject: 'c-1' }
export const ISV: Principal = { role: 'isv', subject: 'v-1' }
export const OTHER_CUSTOMER: Principal = { role: 'customer', subject: 'c-2' }
export const OTHER_ISV: Principal = { role: 'isv', subject: 'v-2' }

export const CONTACT = { name: 'Li Lei', phone: '+86 138 0000 0000', email: 'li.lei@example.com' }
export const DEMAND = { contact: CONTACT, demands: 'A shop website with payments' }

export interface Harness {
  readonly engine: Engine
  readonly clock: ManualClock
  readonly store: Store
  /** The database, as `Store.open` takes it: for other processes and snapshots. */
  readonly database: string
  /** Closes the store and deletes the database. */
  close(): Promise<void>
  /** Deletes the database alone (after closing the store yourself). */
  drop(): Promise<void>
}

/** An engine on a fresh database (see test/support/database.ts), with a manual clock at {@link T0} and the built-in processes. */
export async function openHarness(): Promise<Harness> {
  const database = await migratedDatabase('dc-engine-')
  const store = await Store.open(database.location)
  const clock = new ManualClock(T0)
  const engine = new Engine({ store, clock })
  await engine.processes.registerBuiltIns()
  return {
    engine, clock, store, database: database.location, drop: database.drop,
    close: async () => {
      await store.close()
      await database.drop()
    },
  }
}

/**
 * Starts `count` basic deliveries (of `version`, the latest by default) and drives each to
 * Confirm Delivery, so their deadlines fall due together (14 days after the clock's time), a
 * few dozen at a time. Returns their ids in the order started.
 */
export async function awaitingConfirmation(engine: Engine, count: number, version?: number): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < count; i += AT_ONCE) {
    ids.push(...await Promise.all(Array.from({ length: Math.min(AT_ONCE, count - i) }, async () => {
      const { id } = await engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, ...(version === undefined ? {} : { version }), parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)
      await engine.instances.act(id, { action: 'submit', inputs: DEMAND }, CUSTOMER)
      await engine.instances.act(id, { action: 'finish' }, ISV)
      return id
    })))
  }
  return ids
}

/** The order details the Delivery Center processes require when a delivery starts (version 3 on). */
export const ORDER = { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }

/**
 * Registers version 2 of the basic process (test/fixtures/processes-v2/basic.yaml, as it was
 * shipped), which took any context: for deliveries started before order details were required.
 */
export async function registerBasicVersion2(engine: Engine): Promise<void> {
  const file = join(import.meta.dirname, '..', 'fixtures', 'processes-v2', 'basic.yaml')
  await engine.processes.register(readFileSync(file, 'utf8'), file)
}

/** Deliveries {@link awaitingConfirmation} drives at once. */
const AT_ONCE = 50
