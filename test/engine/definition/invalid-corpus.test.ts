import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { compileProcessBytes } from '../../../engine/index.js'
import type { DefinitionCode } from '../../../engine/index.js'

/**
 * The corpus of broken definitions (STYLE.md §7, "Definition goldens"): each
 * `test/fixtures/invalid/NAME.yaml` holds one mistake, and `NAME.errors.txt` lists the problems the
 * compiler must report, one `FILE:LINE:COL CODE` per line. Messages are left out on purpose: the
 * corpus pins codes and positions, never wording.
 */
const FIXTURE_DIR = 'test/fixtures/invalid'
const fixtureDir = fileURLToPath(new URL('../../fixtures/invalid/', import.meta.url))
const fixtures = readdirSync(fixtureDir).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -'.yaml'.length)).sort()

/**
 * Every definition code a fixture can show. One comes only from reading a file, and is tested in
 * test/engine/process-files.test.ts: `definition.unreadable`. (`definition.too-large` of a file
 * over 1 MiB is tested there too; a fixture shows it for too many property escapes.)
 */
type FileOnlyCode = Extract<DefinitionCode, 'definition.unreadable'>
const CORPUS_CODES = [
  'definition.yaml-syntax',
  'definition.too-deep',
  'definition.unknown-alias',
  'definition.alias-limit',
  'definition.empty',
  'definition.encoding',
  'definition.duplicate-key',
  'definition.schema',
  'definition.duplicate-step',
  'definition.duplicate-action',
  'definition.duplicate-window',
  'definition.unknown-step',
  'definition.conflicting-target',
  'definition.missing-target',
  'definition.unknown-role',
  'definition.unreachable-step',
  'definition.no-end',
  'definition.unknown-timeout-action',
  'definition.timeout-action-inputs',
  'definition.unknown-parameter',
  'definition.parameter-type',
  'definition.parameter-default',
  'definition.duration',
  'definition.duplicate-reminder',
  'definition.reminder-too-long',
  'definition.time-zone',
  'definition.expression',
  'definition.expression-function',
  'definition.expression-reference',
  'definition.unknown-base',
  'definition.derivation',
  'definition.unknown-calendar',
  'definition.calendar-date',
  'definition.attachment-type',
  'definition.attachment-count',
  'definition.attachment-size',
  'definition.unique',
  'definition.input-schema',
  'definition.context-schema',
  'definition.check-input',
  'definition.too-large',
] as const satisfies readonly DefinitionCode[]

// Fails to compile when a code is added to DefinitionCode but not to CORPUS_CODES.
const _everyCodeListed: [Exclude<DefinitionCode, (typeof CORPUS_CODES)[number] | FileOnlyCode>] extends [never] ? true : false = true

function expectedLines(name: string): string[] {
  return readFileSync(`${fixtureDir}${name}.errors.txt`, 'utf8').split('\n').filter((line) => line !== '')
}

/** Fixtures are read as bytes, as `validate` reads a file, so encoding problems show as they would there. */
function reportedLines(name: string): string[] {
  const file = `${FIXTURE_DIR}/${name}.yaml`
  const result = compileProcessBytes(readFileSync(`${fixtureDir}${name}.yaml`), file)
  if (result.ok) return []
  return result.errors.map((e) => `${e.location.file}:${e.location.line}:${e.location.column} ${e.code}`)
}

describe('invalid definitions corpus', () => {
  it.each(fixtures)('%s reports exactly its .errors.txt', (name) => {
    expect(reportedLines(name)).toEqual(expectedLines(name))
  })

  it('covers every definition code but those that need a file, with at least 30 fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(30)
    const covered = new Set(fixtures.flatMap(expectedLines).map((line) => line.slice(line.lastIndexOf(' ') + 1)))
    expect(CORPUS_CODES.filter((code) => !covered.has(code))).toEqual([])
    expect([...covered].filter((code) => !(CORPUS_CODES as readonly string[]).includes(code))).toEqual([])
  })

  it('gives every problem of every fixture a hint', () => {
    const unhinted = fixtures.flatMap((name) => {
      const result = compileProcessBytes(readFileSync(`${fixtureDir}${name}.yaml`), `${FIXTURE_DIR}/${name}.yaml`)
      return result.ok ? [] : result.errors.filter((e) => !e.hint).map(String)
    })
    expect(unhinted).toEqual([])
  })

  it('starts every fixture with the schema comment and has an .errors.txt for each', () => {
    const files = readdirSync(fixtureDir)
    for (const name of fixtures) {
      expect(readFileSync(`${fixtureDir}${name}.yaml`, 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=../../../schemas/process.schema.json')
      expect(files).toContain(`${name}.errors.txt`)
    }
    expect(files.filter((f) => f.endsWith('.errors.txt')).map((f) => f.slice(0, -'.errors.txt'.length)).sort()).toEqual(fixtures)
  })
})
