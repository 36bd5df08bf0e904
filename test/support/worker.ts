/**
 * A separate OS process driving the engine on a shared database, for the concurrency, race and
 * crash tests. Reads one JSON command per stdin line and answers one JSON line on stdout per
 * acknowledged result, written only after the engine has committed it. It opens the database
 * given as its argument, if any, and another whenever told to (`open`): so one process, started
 * once, serves test after test, each on a fresh database.
 */
import { createInterface } from 'node:readline'
import { Temporal } from 'temporal-polyfill'
import { Engine, EngineError, Store } from '../../engine/index.js'
import type { Clock, Principal } from '../../engine/index.js'

export type WorkerCommand =
  | { op: 'open'; database: string; writerThread: boolean }
  | { op: 'close' }
  | { op: 'act'; id: string; action: string; by: Principal; now: string; inputs?: unknown }
  | { op: 'advance'; now: string }
  | { op: 'advance-instance'; id: string; now: string }
  | { op: 'hammer'; ids: string[]; iterations: number; now: string; seed: number }
  | { op: 'exit' }

let now = Temporal.Instant.from('2026-01-01T00:00:00Z')
const clock: Clock = { kind: 'manual', now: () => now }
let opened: { store: Store; engine: Engine } | undefined
async function open(database: string, writerThread: boolean): Promise<void> {
  await opened?.store.close()
  opened = undefined
  const store = await Store.open(database, { writerThread })
  opened = { store, engine: new Engine({ store, clock }) }
}
function engineOf(): Engine {
  if (!opened) throw new Error('no database is open: send {"op":"open"} first')
  return opened.engine
}
if (process.argv[2]) await open(process.argv[2], process.argv[3] === 'writer-thread')
const CUSTOMER: Principal = { role: 'customer', subject: 'c-1' }
const ISV: Principal = { role: 'isv', subject: 'v-1' }
const ADMIN: Principal = { role: 'admin', subject: 'a-1' }

const say = (value: unknown): boolean => process.stdout.write(`${JSON.stringify(value)}\n`)
const codeOf = (error: unknown): string => {
  if (error instanceof EngineError) return error.code
  throw error
}

/** Drives step-by-step instances around the functional-design rejection loop, forever. */
async function hammer(ids: string[], iterations: number, seed: number): Promise<void> {
  const engine = engineOf()
  let random = seed
  const next = (): number => (random = (random * 1103515245 + 12345) % 2147483648)
  for (let i = 0; i < iterations; i++) {
    const id = ids[next() % ids.length] as string
    const view = await engine.instances.get(id, ADMIN)
    const step = view.step?.id
    const [action, by, inputs] = step === 'submit-demand'
      ? ['submit', CUSTOMER, { contact: { name: 'N', phone: '+86 100 0000 0000', email: 'n@example.com' }, demands: 'd' }]
      : step === 'functional-design' ? ['finish', ISV, { summary: `round ${view.revision}` }]
        : ['reject', CUSTOMER, { reason: `iteration ${i}` }]
    try {
      const after = await engine.instances.act(id, { action, inputs, expectedRevision: view.revision }, by)
      say({ ack: id, revision: after.revision })
    } catch (error) {
      say({ refused: id, code: codeOf(error) })
    }
  }
}

for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as WorkerCommand
  if (command.op === 'exit') break
  if (command.op === 'open') {
    await open(command.database, command.writerThread)
    say({ opened: command.database })
    continue
  }
  if (command.op === 'close') {
    await opened?.store.close()
    opened = undefined
    say({ closed: true })
    continue
  }
  now = Temporal.Instant.from(command.now)
  const engine = engineOf()
  if (command.op === 'act') {
    try {
      const view = await engine.instances.act(command.id, { action: command.action, inputs: command.inputs }, command.by)
      say({ ok: true, revision: view.revision })
    } catch (error) {
      say({ ok: false, code: codeOf(error) })
    }
  } else if (command.op === 'advance') {
    say({ ok: true, ...(await engine.deadlines.advance()) })
  } else if (command.op === 'advance-instance') {
    const before = (await engine.instances.history(command.id, ADMIN)).length
    await engine.deadlines.advanceInstance(command.id, ADMIN)
    const fired = (await engine.instances.history(command.id, ADMIN)).slice(before)
      .filter((r) => r.event.type === 'action-performed' && r.event.trigger === 'timeout').length
    say({ ok: true, fired })
  } else {
    await hammer(command.ids, command.iterations, command.seed)
    say({ done: true })
  }
}
await opened?.store.close()
process.exit(0) // stdin stays open after the loop ends; nothing else is pending
