import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadBuiltInProcesses, toMermaid } from '../engine/index.js'

const doc = readFileSync(join(import.meta.dirname, '../docs/processes.md'), 'utf8')

describe('docs/processes.md', () => {
  it.each(loadBuiltInProcesses().map((p) => [p.id, p] as const))('documents %s with its current diagram and every step', (_, process) => {
    expect(doc).toContain(`(\`${process.id}\`)`)
    expect(doc).toContain('```mermaid\n' + toMermaid(process))
    for (const step of process.steps.values()) expect(doc).toContain(`(\`${step.id}\`)`)
  })
})
