import { expect, it } from 'vitest'
import { loadBuiltInProcesses } from '../engine/index.js'

it('compiles every built-in process', () => {
  expect(loadBuiltInProcesses().map((p) => p.id)).toEqual(['basic', 'contract', 'double-check', 'step-by-step'])
})
