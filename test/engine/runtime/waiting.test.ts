import { expect, it } from 'vitest'
import { Temporal } from 'temporal-polyfill'
import { decide, loadBuiltInProcesses } from '../../../engine/index.js'
import type { CompiledProcess, Command, InstanceState } from '../../../engine/index.js'
import { waitingChange } from '../../../engine/runtime/waiting.js'
import { ADMIN, CUSTOMER, DEMAND, ISV, T0 } from '../../support/engine.js'

const basic = loadBuiltInProcesses().find((p) => p.id === 'basic') as CompiledProcess
const now = Temporal.Instant.from(T0)

async function next(state: InstanceState | undefined, command: Command): Promise<InstanceState> {
  const decision = await decide(basic, state, command, now)
  if (!decision.ok) throw new Error(decision.rejection.message)
  return decision.state
}

it('names the parties an instance starts and stops waiting on, and no one when its step waits on the same', async () => {
  const started = await next(undefined, { type: 'start', instanceId: 'i-1', by: ADMIN, parties: { customer: 'c-1', isv: 'v-1' }, context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' } })
  expect(waitingChange(basic, undefined, started)).toEqual({ started: ['customer'], stopped: [], none: false })
  const submitted = await next(started, { type: 'act', by: CUSTOMER, action: 'submit', inputs: DEMAND })
  expect(waitingChange(basic, started, submitted)).toEqual({ started: ['isv'], stopped: ['customer'], none: false })
  expect(waitingChange(basic, submitted, submitted)).toEqual({ started: [], stopped: [], none: false })
  // A failed delivery waits on an administrator, not on its parties; a retry waits on them again.
  const failed = await next(submitted, { type: 'fail', code: 'expression.failed', message: 'x', attempts: 3 })
  expect(waitingChange(basic, submitted, failed)).toEqual({ started: [], stopped: ['isv'], none: true })
  const retried = await next(failed, { type: 'retry', by: ADMIN })
  expect(waitingChange(basic, failed, retried)).toEqual({ started: ['isv'], stopped: [], none: false })
  const finished = await next(submitted, { type: 'act', by: ISV, action: 'finish' })
  const confirmed = await next(finished, { type: 'act', by: CUSTOMER, action: 'confirm' })
  expect(waitingChange(basic, finished, confirmed)).toEqual({ started: [], stopped: ['customer'], none: true })
})
