import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT, runCli } from '../support/cli.js'

interface Example {
  /** `README.md:246`: the document and the line of the opening fence. */
  readonly where: string
  readonly text: string
}

/**
 * Every fenced ```yaml block of README.md and docs/*.md that is a whole process definition: one
 * with `id:` and `steps:` or `extends:` at the top level (column 1). Other blocks are fragments
 * (a step, an action, the schema comment line, a calendar) shown inside a larger definition, and
 * are skipped.
 */
function processExamples(): Example[] {
  const documents = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).sort().map((name) => `docs/${name}`)]
  return documents.flatMap((document) => {
    const text = readFileSync(join(ROOT, document), 'utf8')
    return [...text.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].flatMap((match) => {
      const block = match[1] as string
      const top = (key: string): boolean => new RegExp(`^${key}:`, 'm').test(block)
      if (!top('id') || !(top('steps') || top('extends'))) return []
      return [{ where: `${document}:${text.slice(0, match.index).split('\n').length}`, text: block }]
    })
  })
}

describe('the YAML examples of README.md and docs/', () => {
  it('every whole process definition validates', { timeout: 60_000 }, async () => {
    const examples = processExamples()
    // At least the complete example and the derived one of docs/language.md: a change to the rule
    // above that skipped them all would make this test prove nothing.
    expect(examples.filter((e) => e.where.startsWith('docs/language.md:')).length).toBeGreaterThanOrEqual(2)
    expect(examples.some((e) => /^extends:/m.test(e.text))).toBe(true)
    const dir = mkdtempSync(join(tmpdir(), 'dc-examples-'))
    const files = examples.map((example) => {
      const file = join(dir, `${example.where.replace(/[/:]/g, '-')}.yaml`)
      writeFileSync(file, example.text)
      return file
    })
    const { code, stdout } = await runCli(['validate', ...files])
    const lines = stdout.trim().split('\n')
    expect(lines.filter((line) => !/: ok \(/.test(line)), 'every example validates').toEqual([])
    expect(lines).toHaveLength(examples.length)
    expect(code).toBe(0)
  })
})
