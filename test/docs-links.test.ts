import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * Every relative link of README.md and docs/*.md leads somewhere: the file exists and, for a
 * link to a Markdown heading (`api.md#console-sign-in`, `#failed-instances`), the heading does,
 * under GitHub's rule for anchors (lower case, punctuation dropped, spaces as hyphens).
 * Links inside code blocks are not links; web addresses are not checked.
 */

const ROOT = join(import.meta.dirname, '..')
const documents = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)]

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(join(ROOT, file), 'utf8').replace(/^```[\s\S]*?^```$/gm, '')
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((match) =>
    (match[1] as string).trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')))
}

describe('the relative links of README.md and docs/', () => {
  it('lead to a file that exists and a heading it has', () => {
    const broken: string[] = []
    let checked = 0
    for (const document of documents) {
      const text = readFileSync(join(ROOT, document), 'utf8').replace(/^```[\s\S]*?^```$/gm, '')
      for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1] as string
        if (/^[a-z]+:/i.test(target)) continue
        checked += 1
        const [path = '', anchor] = target.split('#')
        const file = path === '' ? document : join(dirname(document), path)
        if (!existsSync(join(ROOT, file))) broken.push(`${document}: ${target} (no such file)`)
        else if (anchor !== undefined && file.endsWith('.md') && !anchorsOf(file).has(anchor)) broken.push(`${document}: ${target} (no such heading)`)
      }
    }
    expect(checked).toBeGreaterThan(30)
    expect(broken).toEqual([])
  })
})
