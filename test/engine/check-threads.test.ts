import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { BUILT_IN_PROCESS_DIR, checkTexts, Engine, ManualClock, Store, threadedChecker } from '../../engine/index.js'
import type { CheckInput } from '../../engine/index.js'
import { migratedDatabase } from '../support/database.js'
import { ADMIN, T0 } from '../support/engine.js'
import { wideDefinition } from '../support/wide-definition.js'

// Checks of definitions on worker threads: the same answers as on the event loop, while the event
// loop stays free; a check past its time is stopped with its thread, and the next runs on a new one.

const basic = readFileSync(`${BUILT_IN_PROCESS_DIR}/basic.yaml`, 'utf8')
const derived: CheckInput = {
  text: 'id: my-basic\nversion: 1\nextends: basic@6\ntitle: My basic\nparameters:\n  confirmWindow: { default: P7D }\n',
  file: 'definition.yaml', bases: [['basic', { text: basic, file: 'basic@6' }]],
  scenarios: [
    'process: my-basic',
    'scenarios:',
    '  - name: confirmed by the system after the 7 days of this product',
    '    start: { parties: { customer: c-1, isv: v-1 }, context: { orderId: o-1, specification: S, productId: p-1 } }',
    '    then:',
    '      - { act: submit, by: customer, inputs: { contact: { name: Li Lei, phone: "+86 138 0000 0000", email: li@example.com }, demands: A site } }',
    '      - { act: finish, by: isv }',
    '      - { wait: P7D, expect: { status: completed, outcome: completed } }',
    '',
  ].join('\n'),
}
const broken: CheckInput = { text: 'id: broken\nversion: 1\ntitle: Broken\nroles: [customer]\nsteps:\n  - id: a\n    title: A\n    actor: custmer\n    actions: { go: { title: Go, end: done } }\n', file: 'definition.yaml', bases: [] }

const checkers = [threadedChecker({ threads: 2, timeLimitMs: 20_000, heapMb: 512 })]
afterAll(() => Promise.all(checkers.map((checker) => checker.close())))

describe('threadedChecker', () => {
  it('answers as a check on the event loop does: a derived definition with its scenarios run, and one with problems', async () => {
    const [threaded] = checkers
    for (const input of [derived, broken]) expect(await threaded?.check(input)).toEqual(await checkTexts(input))
    const answer = await threaded?.check(derived)
    expect(answer).toMatchObject({ valid: true, process: { id: 'my-basic' }, scenarios: { problems: [], results: [{ passed: true }] } })
    expect(await threaded?.check(broken)).toMatchObject({ valid: false, problems: [{ message: expect.stringContaining('"custmer", which is not a role'), location: { line: 8 } }] })
  })

  it('leaves the event loop free while a definition that takes long to check compiles', async () => {
    const [threaded] = checkers
    const input: CheckInput = { text: wideDefinition(1_000), file: 'wide.yaml', bases: [] }
    let ticks = 0
    const ticking = setInterval(() => ticks++, 5)
    try {
      // On the event loop nothing else runs until the check is done...
      const before = ticks
      const onLoop = checkTexts(input)
      expect(ticks).toBe(before)
      await onLoop
      // ...on a thread, timers keep firing meanwhile.
      const started = ticks
      expect(await threaded?.check(input)).toMatchObject({ valid: true, process: { id: 'wide' } })
      expect(ticks - started).toBeGreaterThan(10)
    } finally {
      clearInterval(ticking)
    }
  })

  it('reads the base a text names on a thread, so that finding the bases of a text any party sends holds up nothing', async () => {
    const [threaded] = checkers
    if (!threaded) throw new Error('no checker')
    expect(await threaded.extendsOf(derived.text)).toBe('basic@6')
    expect(await threaded.extendsOf(broken.text)).toBeUndefined()
    const database = await migratedDatabase('dc-check-threads-')
    const store = await Store.open(database.location)
    try {
      const engine = new Engine({ store, clock: new ManualClock(T0), checker: threaded })
      await engine.processes.registerBuiltIns()
      expect(await engine.processes.check({ definition: derived.text }, ADMIN)).toMatchObject({ valid: true, process: { id: 'my-basic' } })
      // 150 KB of nested brackets under an `extends`: about a second to read as YAML.
      const heavy = `id: heavy\nversion: 1\nextends: basic@6\n${Array.from({ length: 6_000 }, (_, i) => `k${i}: [[[[[[[[[[]]]]]]]]]]`).join('\n')}\n`
      let longest = 0
      let last = performance.now()
      const ticking = setInterval(() => { const now = performance.now(); longest = Math.max(longest, now - last); last = now }, 5)
      const checked = await engine.processes.check({ definition: heavy }, ADMIN).finally(() => {
        clearInterval(ticking)
        longest = Math.max(longest, performance.now() - last)
      })
      expect(checked.valid).toBe(false)
      expect(longest).toBeLessThan(300)
    } finally {
      await store.close()
      await database.drop()
    }
  })

  it('stops a check that outlasts its time with its thread, answering definition.too-large; the next check runs on a new thread', async () => {
    const quick = threadedChecker({ threads: 1, timeLimitMs: 1_000, heapMb: 512 })
    checkers.push(quick)
    // About 3 s of compiling, on a machine at rest.
    const input: CheckInput = { text: wideDefinition(8_000), file: 'wide.yaml', bases: [] }
    expect(await quick.check(input)).toEqual({
      valid: false,
      problems: [{ code: 'definition.too-large', message: 'Checking this definition takes longer than 1 s; make it smaller (fewer steps, fields or patterns).', location: { file: 'wide.yaml', line: 1, column: 1, pointer: '' } }],
    })
    // Two at once on one thread: one waits for the other.
    const [first, second] = await Promise.all([quick.check(broken), quick.check(broken)])
    expect([first?.valid, second?.valid]).toEqual([false, false])
    expect(first).toEqual(await checkTexts(broken))
  })

  it('refuses checks once closed, and ends those running or waiting for a thread when it closes', async () => {
    const closing = threadedChecker({ threads: 1, timeLimitMs: 20_000, heapMb: 512 })
    const running = closing.check({ text: wideDefinition(8_000), file: 'wide.yaml', bases: [] })
    const waiting = closing.check(broken)
    await new Promise((resolve) => setTimeout(resolve, 200))
    await closing.close()
    const [first, second] = await Promise.allSettled([running, waiting])
    expect([first.status, second.status]).toEqual(['rejected', 'rejected'])
    await expect(closing.check(broken)).rejects.toThrow('closed')
  })
})
