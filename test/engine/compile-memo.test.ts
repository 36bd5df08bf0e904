import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compileMemoised } from '../../engine/compile-memo.js'
import { definitionHead } from '../../engine/definition/head.js'

const PROCESSES = join(import.meta.dirname, '../../processes')
const basic = readFileSync(join(PROCESSES, 'basic.yaml'), 'utf8')
const contract = readFileSync(join(PROCESSES, 'contract.yaml'), 'utf8')

describe('compiling a definition once per process', () => {
  it('shares the result for the same text, file and bases, and compiles again when any of them differs', () => {
    const bases = new Map([['basic', { text: basic, file: 'basic@6' }]])
    const first = compileMemoised(contract, 'contract.yaml', bases)
    if (!first.ok) throw new Error(first.errors.map(String).join('\n'))
    expect(compileMemoised(contract, 'contract.yaml', new Map(bases))).toBe(first)

    // Another base text: the derived process follows it.
    const retitled = basic.replace(/^title: .*$/m, 'title: Retitled base')
    const other = compileMemoised(contract, 'contract.yaml', new Map([['basic', { text: retitled, file: 'basic@6' }]]))
    expect(other).not.toBe(first)
    expect(other.ok).toBe(true)
    // Without its base, the same text does not compile: nothing of the earlier result is reused.
    const alone = compileMemoised(contract, 'contract.yaml', new Map())
    expect(alone.ok).toBe(false)
    if (!alone.ok) expect(String(alone.errors[0])).toMatch(/^contract\.yaml:\d+:\d+ definition\.unknown-base /)
    // Another file name: its problems name that file.
    const elsewhere = compileMemoised(contract, 'elsewhere.yaml', new Map())
    expect(elsewhere.ok).toBe(false)
    if (!elsewhere.ok) expect(String(elsewhere.errors[0])).toMatch(/^elsewhere\.yaml:/)
  })

  it('forgets the least recently used results beyond the ones it keeps', () => {
    const bases = new Map()
    const kept = compileMemoised(basic, 'kept.yaml', bases)
    for (let i = 0; i < 100; i++) compileMemoised(basic, `other-${i}.yaml`, bases)
    expect(compileMemoised(basic, 'kept.yaml', bases)).not.toBe(kept)
  })
})

describe('the head of a definition', () => {
  it('is its id, version, base and roles when written as such, and nothing of a text that is not a mapping', () => {
    expect(definitionHead(contract)).toEqual({ id: 'contract', version: 6, extends: 'basic@6', roles: [] })
    expect(definitionHead('id: x\nversion: "2"\nextends: 7\nroles: [a, 3, b]\n')).toEqual({ id: 'x', version: undefined, extends: undefined, roles: ['a', 'b'] })
    expect(definitionHead('- a\n- b\n')).toEqual({ id: undefined, version: undefined, extends: undefined, roles: [] })
    expect(definitionHead(': : :')).toEqual({ id: undefined, version: undefined, extends: undefined, roles: [] })
  })
})
