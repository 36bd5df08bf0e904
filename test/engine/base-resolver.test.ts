import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BaseLibrary, databaseSource, textSource } from '../../engine/base-resolver.js'
import { Engine, ManualClock, Store, compileProcess } from '../../engine/index.js'
import { freshDatabase } from '../support/database.js'
import type { TestDatabase } from '../support/database.js'

/** A process of one step, `work`, whose description says where it was written. */
function process(id: string, version: number, origin: string, extra = ''): string {
  return `id: ${id}\nversion: ${version}\ntitle: ${id}\ndescription: ${origin}\n${extra}roles: [isv]\nsteps:\n  - id: work\n    title: Work\n    actor: isv\n    actions: { done: { end: completed } }\n`
}

/** Derived from `base`, it keeps the base's description (which tells the base used). */
function derived(id: string, version: number, base: string): string {
  return `id: ${id}\nversion: ${version}\ntitle: ${id}\nextends: ${base}\nsteps:\n  - { id: extra, title: Extra, actor: isv, before: work, actions: { next: {} } }\n`
}

async function originOf(library: BaseLibrary, text: string, file = 'derived.yaml'): Promise<string> {
  const { resolver, problem } = await library.chain(text, file)
  expect(problem).toBeUndefined()
  const result = compileProcess(text, file, { base: resolver })
  if (!result.ok) throw new Error(result.errors.map(String).join('\n'))
  return result.process.description ?? ''
}

let database: TestDatabase
let store: Store
beforeEach(async () => {
  database = await freshDatabase('dc-bases-')
  store = await Store.open(database.location)
})
afterEach(async () => {
  await store.close()
  await database.drop()
})

describe('BaseLibrary', () => {
  it('takes the highest version any source holds; on equal versions, the earlier source', async () => {
    const files = textSource('files', [{ file: 'b1.yaml', text: process('b', 1, 'from a file, v1') }])
    const builtIn = textSource('built-ins', [{ file: 'b1-builtin.yaml', text: process('b', 1, 'built in, v1') }, { file: 'b2.yaml', text: process('b', 2, 'built in, v2') }])
    const library = new BaseLibrary([files, builtIn])
    expect(await originOf(library, derived('d', 1, 'b'))).toBe('built in, v2')
    expect(await originOf(library, derived('d', 1, 'b@1'))).toBe('from a file, v1')
  })

  it('reads texts given as a function only when a base is first looked for, and then once', async () => {
    let reads = 0
    const builtIn = textSource('built-ins', () => {
      reads++
      return [{ file: 'b1.yaml', text: process('b', 1, 'built in, v1') }]
    })
    const library = new BaseLibrary([builtIn])
    expect((await library.chain(process('plain', 1, 'extends nothing'), 'plain.yaml')).problem).toBeUndefined()
    expect(reads).toBe(0)
    expect(await originOf(library, derived('d', 1, 'b'))).toBe('built in, v1')
    expect(await originOf(library, derived('e', 1, 'b@1'))).toBe('built in, v1')
    expect(reads).toBe(1)
  })

  it('never resolves a definition to itself: a new version extends the one before', async () => {
    const v2 = derived('b', 2, 'b')
    const library = new BaseLibrary([textSource('files', [{ file: 'b2.yaml', text: v2 }, { file: 'b1.yaml', text: process('b', 1, 'the first') }])])
    expect(await originOf(library, v2, 'b2.yaml')).toBe('the first')
  })

  it('follows, through a registered derived version, the base pinned when it was registered', async () => {
    const engine = new Engine({ store, clock: new ManualClock('2026-01-01T00:00:00Z') })
    await engine.processes.register(process('base', 1, 'base v1'), 'base.yaml')
    await engine.processes.register(derived('middle', 1, 'base'), 'middle.yaml')
    await engine.processes.register(process('base', 2, 'base v2'), 'base.yaml')
    const library = new BaseLibrary([databaseSource('the database', store.processes)])
    expect(await originOf(library, derived('top', 1, 'middle'))).toBe('base v1')
    expect(await originOf(library, derived('top', 1, 'base'))).toBe('base v2')
  })
})
