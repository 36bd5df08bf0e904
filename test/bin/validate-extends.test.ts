import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { Engine, ManualClock, Store } from '../../engine/index.js'
import { runCli } from '../support/cli.js'
import { freshDatabase } from '../support/database.js'

const DERIVED = `id: v1-basic
version: 1
title: Basic Delivery with Kick-off
extends: basic
parameters:
  confirmWindow: { default: P7D }
steps:
  - id: kick-off
    title: Kick-off Call
    actor: isv
    after: submit-demand
    actions: { held: {} }
`

/** A minimal process of one step; `extra` is added at the top level. */
function process(id: string, extra = ''): string {
  return `id: ${id}\nversion: 1\ntitle: ${id}\n${extra}roles: [isv]\nsteps:\n  - id: work\n    title: Work\n    actor: isv\n    actions: { done: { end: completed } }\n`
}

/** A derived process adding one step to `base`. */
function derived(id: string, base: string): string {
  return `id: ${id}\nversion: 1\ntitle: ${id}\nextends: ${base}\nsteps:\n  - { id: ${id}-step, title: More, actor: isv, before: work, actions: { next: {} } }\n`
}

function files(contents: Record<string, string>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'dc-extends-'))
  return Object.fromEntries(Object.entries(contents).map(([name, text]) => {
    writeFileSync(join(dir, name), text)
    return [name, join(dir, name)]
  }))
}

describe('validate and graph resolve `extends`', () => {
  it('from the built-in processes: the example of docs/language.md validates and draws', async () => {
    const { 'v1-basic.yaml': file } = files({ 'v1-basic.yaml': DERIVED }) as { 'v1-basic.yaml': string }
    expect(await runCli(['validate', file])).toMatchObject({ code: 0, stdout: `${file}: ok (v1-basic v1, 6 steps)\n` })
    const graph = await runCli(['graph', file])
    expect(graph.code).toBe(0)
    expect(graph.stdout).toContain('n_kick_off["Kick-off Call<br/><i>isv</i>"]')
  })

  it('from the other files named, in any order, through a chain', async () => {
    const named = files({ 'top.yaml': derived('top', 'middle'), 'middle.yaml': derived('middle', 'bottom@1'), 'bottom.yaml': process('bottom') })
    const { code, stdout } = await runCli(['validate', named['top.yaml'] as string, named['middle.yaml'] as string, named['bottom.yaml'] as string])
    expect(stdout).toBe([
      `${named['top.yaml']}: ok (top v1, 3 steps)`,
      `${named['middle.yaml']}: ok (middle v1, 2 steps)`,
      `${named['bottom.yaml']}: ok (bottom v1, 1 steps)`,
    ].join('\n') + '\n')
    expect(code).toBe(0)
    const graph = await runCli(['graph', named['top.yaml'] as string, named['bottom.yaml'] as string, named['middle.yaml'] as string])
    expect(graph.stdout).toContain('n_middle_step')
  })

  it('reports a cycle at `extends` with the whole chain, and a missing base with "did you mean"', async () => {
    const named = files({ 'a.yaml': derived('a', 'b'), 'b.yaml': derived('b', 'a'), 'self.yaml': derived('self', 'self'), 'typo.yaml': derived('typo', 'basc'), 'old.yaml': derived('old', 'basic@9') })
    const { code, stdout } = await runCli(['validate', ...Object.values(named)])
    expect(code).toBe(1)
    expect(stdout.trim().split('\n')).toEqual([
      `${named['a.yaml']}:4:10 definition.derivation The chain of \`extends\` is a cycle: a@1 (this file) → b@1 (${named['b.yaml']}) → a@1. Hint: A process cannot extend itself, directly or through others: make one of them extend a process outside the cycle.`,
      `${named['b.yaml']}:4:10 definition.derivation The chain of \`extends\` is a cycle: b@1 (this file) → a@1 (${named['a.yaml']}) → b@1. Hint: A process cannot extend itself, directly or through others: make one of them extend a process outside the cycle.`,
      `${named['self.yaml']}:4:10 definition.derivation The chain of \`extends\` is a cycle: self@1 (this file) → self@1. Hint: A process cannot extend itself, directly or through others: make one of them extend a process outside the cycle.`,
      expect.stringMatching(new RegExp(`^${named['typo.yaml']}:4:10 definition.unknown-base There is no process "basc" to extend in the files named on the command line or the built-in processes\\. Hint: Did you mean "basic"\\?`)),
      expect.stringMatching(new RegExp(`^${named['old.yaml']}:4:10 definition.unknown-base There is no version 9 of "basic" to extend`)),
    ])
  })

  it('from the processes registered in a database given with --db, which must exist', async () => {
    const { location, drop } = await freshDatabase('dc-extends-db-')
    onTestFinished(drop)
    const store = await Store.open(location)
    try {
      await new Engine({ store, clock: new ManualClock('2026-01-01T00:00:00Z') }).processes.register(process('registered-base'), 'registered-base.yaml')
    } finally {
      await store.close()
    }
    const { 'x.yaml': file } = files({ 'x.yaml': derived('x', 'registered-base') }) as { 'x.yaml': string }
    const without = await runCli(['validate', file])
    expect(without.code).toBe(1)
    expect(without.stdout).toContain('definition.unknown-base There is no process "registered-base"')
    expect(await runCli(['validate', file, '--db', location])).toMatchObject({ code: 0, stdout: `${file}: ok (x v1, 2 steps)\n` })
    expect((await runCli(['graph', file, '--db', location])).stdout).toContain('n_x_step')

    const missing = join(mkdtempSync(join(tmpdir(), 'dc-extends-')), 'nope.db')
    const refused = await runCli(['validate', file, '--db', missing])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(`There is no database at ${missing}`)
    expect(existsSync(missing)).toBe(false)
  })

  it('keeps reporting a derived file\'s own problems, located in it', async () => {
    const { 'bad.yaml': file } = files({ 'bad.yaml': DERIVED.replace('after: submit-demand', 'after: submit-demnd') }) as { 'bad.yaml': string }
    const { code, stdout } = await runCli(['validate', file])
    expect(code).toBe(1)
    expect(stdout).toMatch(new RegExp(`^${file}:11:12 definition.derivation There is no step "submit-demnd"`))
    expect(readFileSync(file, 'utf8').split('\n')[10]).toContain('after: submit-demnd')
  })
})
