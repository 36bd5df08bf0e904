import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BUILT_IN_PROCESS_DIR, compileProcess } from '../../../engine/index.js'
import { ADMIN, CUSTOMER, DEMAND, ISV, openHarness } from '../../support/engine.js'
import type { Harness } from '../../support/engine.js'

let h: Harness
beforeEach(async () => { h = await openHarness() })
afterEach(async () => { await h.close() })

// step-by-step, with the functional design sent back at most twice before an administrator settles it.
const capped = readFileSync(`${BUILT_IN_PROCESS_DIR}/step-by-step.yaml`, 'utf8')
  .replace('id: step-by-step', 'id: step-by-step-capped')
  .replace('        goto: functional-design\n', '        goto: functional-design\n        maxRounds: 2\n        onMaxRounds: { goto: design-dispute }\n')
  + `  - id: design-dispute
    title: Design Dispute
    actor: admin
    actions:
      resume: { title: Resume the design, goto: functional-design }
      cancel: { title: Cancel the delivery, end: cancelled }
`

describe('capped return rounds', () => {
  it('sends the third rejection of a functional design with maxRounds: 2 to the dispute step, and the history lists the rounds', async () => {
    await h.engine.processes.register(capped, 'capped.yaml')
    const { id } = await h.engine.instances.start({ process: 'step-by-step-capped', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)
    await h.engine.instances.act(id, { action: 'submit', inputs: DEMAND }, CUSTOMER)
    for (let round = 1; round <= 3; round++) {
      await h.engine.instances.act(id, { action: 'finish', inputs: { summary: `design ${round}` } }, ISV)
      const after = await h.engine.instances.act(id, { action: 'reject', inputs: { reason: `not yet (${round})` } }, CUSTOMER)
      expect(after.step).toMatchObject(round < 3 ? { id: 'functional-design', round: round + 1 } : { id: 'design-dispute', actors: ['admin'] })
    }
    const history = (await h.engine.instances.history(id, ADMIN)).map((r) => r.event)
    const rounds = history.flatMap((e) => e.type === 'action-performed' && e.step.includes('functional-design') ? [`${e.step} ${e.action} ${JSON.stringify(e.inputs)}`] : [])
    expect(rounds).toEqual([
      'functional-design finish {"summary":"design 1"}', 'confirm-functional-design reject {"reason":"not yet (1)"}',
      'functional-design finish {"summary":"design 2"}', 'confirm-functional-design reject {"reason":"not yet (2)"}',
      'functional-design finish {"summary":"design 3"}', 'confirm-functional-design reject {"reason":"not yet (3)"}',
    ])
    const view = await h.engine.instances.get(id, ADMIN)
    expect(view.actions.map((a) => a.id)).toEqual(['resume', 'cancel'])
    expect(view.submissions['confirm-functional-design']?.map((s) => [s.round, s.action, s.inputs])).toEqual([
      [1, 'reject', { reason: 'not yet (1)' }], [2, 'reject', { reason: 'not yet (2)' }], [3, 'reject', { reason: 'not yet (3)' }],
    ])
    expect(view.submissions['functional-design']?.map((s) => s.round)).toEqual([1, 2, 3])
    expect(await h.engine.instances.act(id, { action: 'cancel' }, ADMIN)).toMatchObject({ status: 'completed', outcome: 'cancelled' })
  })

  it('requires a goto and an onMaxRounds with maxRounds', () => {
    const broken = capped.replace('        onMaxRounds: { goto: design-dispute }\n', '')
    const result = compileProcess(broken, 'capped.yaml')
    expect(!result.ok && result.errors.map((e) => e.code)).toEqual(['definition.schema'])
  })
})
