import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BaseLibrary, loadBuiltInSources, runScenarioFile, textSource } from '../../engine/index.js'
import { ROOT, runCli } from '../support/cli.js'

const FILES = join(ROOT, 'test', 'fixtures', 'scenario-files')
const library = new BaseLibrary([textSource('the built-in processes', loadBuiltInSources())])

/** Each problem of a report as `LINE:COL code`, scenario by scenario. */
async function located(file: string): Promise<{ file: string[]; scenarios: Array<[string, string[]]> }> {
  const report = await runScenarioFile(file, library)
  const at = (p: { location: { line: number; column: number }; code: string }): string => `${p.location.line}:${p.location.column} ${p.code}`
  return { file: report.problems.map(at), scenarios: report.results.map((r) => [r.name, r.problems.map(at)]) }
}

describe('running scenarios', () => {
  it('passes a scenario whose expectations hold, calendar months counted in the process\'s time zone', async () => {
    const report = await runScenarioFile(join(FILES, 'review.scenarios.yaml'), library)
    expect(report.problems).toEqual([])
    expect(report.results[0]).toMatchObject({ name: 'accepted when the month of review ends, a calendar month in Shanghai', problems: [] })
  })

  it('reports each failed expectation at its line, and stops a scenario at a refusal it did not expect', async () => {
    const { scenarios } = await located(join(FILES, 'review.scenarios.yaml'))
    expect(scenarios.slice(1)).toEqual([
      // executor at its key's value; the refused send at its move; what follows is not checked.
      ['fails where it should', ['25:41 scenario.expectation', '27:9 scenario.refused']],
      ['expects a refusal that does not come', ['45:18 scenario.accepted']],
    ])
    const report = await runScenarioFile(join(FILES, 'review.scenarios.yaml'), library)
    expect(report.results[1]?.problems.map((p) => p.message)).toEqual([
      'Expected executor ["author","admin"], but it is ["author"].',
      'The move was refused with input.invalid: The inputs of "send" are invalid: /inputs/pages must be at least 1. (at /inputs/pages)',
    ])
  })

  it('runs a built-in process named by its id: refusals expected by code and field, deadlines fired at their instant', async () => {
    const report = await runScenarioFile(join(FILES, 'basic.scenarios.yaml'), library)
    expect(report.problems).toEqual([])
    expect(report.results.map((r) => [r.name, r.problems.map(String)])).toEqual([
      ['The customer confirms in time', []],
      ['The system confirms after 14 days, and refusals on the way change nothing', []],
    ])
  })
})

describe('a scenario file that cannot be run', () => {
  let dir: string
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'dc-scenarios-')) })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  const write = (text: string): string => {
    const file = join(dir, 'x.scenarios.yaml')
    writeFileSync(file, text)
    return file
  }

  it.each([
    ['a misspelt move, at its key', 'process: basic\nscenarios:\n  - name: x\n    start: { parties: { customer: c } }\n    then:\n      - wiat: P1D\n', ['6:9 scenario.invalid']],
    ['a move of two kinds', 'process: basic\nscenarios:\n  - name: x\n    start: { parties: { customer: c } }\n    then:\n      - { wait: P1D, act: submit, by: customer }\n', ['6:9 scenario.invalid']],
    ['an unknown expectation, with the close one', 'process: basic\nscenarios:\n  - name: x\n    start: { parties: { customer: c }, expect: { stauts: active } }\n', ['4:50 scenario.invalid']],
    ['a size that is none', 'process: basic\nscenarios:\n  - name: x\n    start: { parties: { customer: c } }\n    then:\n      - act: submit\n        by: customer\n        files: { a: [{ type: pdf, size: big }] }\n', ['8:41 scenario.invalid']],
    ['no scenarios', 'process: basic\nscenarios: []\n', ['2:12 scenario.invalid']],
    ['an unknown process', 'process: basci\nscenarios:\n  - name: x\n    start: { parties: { customer: c } }\n', ['1:10 scenario.process']],
    ['a process file with problems', 'process: ./broken.yaml\nscenarios:\n  - name: x\n    start: { parties: { customer: c } }\n', ['1:10 scenario.process']],
    ['broken YAML', 'process: basic\nscenarios: [\n', ['2:12 definition.yaml-syntax']],
  ])('%s', async (_what, text, expected) => {
    writeFileSync(join(dir, 'broken.yaml'), 'id: broken\nversion: 1\n')
    const { file, scenarios } = await located(write(text))
    expect(file).toEqual(expected)
    expect(scenarios).toEqual([])
  })

  it('refuses, at the place, instants the clock cannot take: more than nine fraction digits, past 9999-12-31', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dc-scenario-instants-'))
    try {
      const start = '{ parties: { customer: c-1, isv: v-1 }, context: { orderId: o, specification: s, productId: p } }'
      const file = join(dir, 'instants.scenarios.yaml')
      writeFileSync(file, `process: basic\nscenarios:\n  - name: fine\n    start: { at: "2026-01-02T00:00:00.123456789Z", ${start.slice(2)}\n  - name: too fine\n    start: { at: "2026-01-02T00:00:00.1234567891Z", ${start.slice(2)}\n`)
      const fine = await runScenarioFile(file, library)
      expect(fine.problems.map((p) => `${p.location.line}:${p.location.column} ${p.code} ${p.location.pointer}`)).toEqual([expect.stringMatching(/^6:\d+ scenario\.invalid \/scenarios\/1\/start\/at$/)])
      writeFileSync(file, `process: basic\nscenarios:\n  - name: late\n    start: ${start}\n    then:\n      - until: "9999-12-31T23:59:59-23:59"\n  - name: later\n    start: { at: "9999-12-31T23:59:59-23:59", ${start.slice(2)}\n`)
      // Past year 9999 once in UTC: not an instant the file may give, found where the file is read.
      expect(await located(file)).toEqual({ file: ['6:16 scenario.invalid', expect.stringMatching(/^8:\d+ scenario\.invalid$/)], scenarios: [] })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('says what a misspelt expectation was meant to be', async () => {
    const report = await runScenarioFile(write('process: basic\nscenarios:\n  - name: x\n    start: { parties: { customer: c }, expect: { stauts: active } }\n'), library)
    expect(report.problems.map((p) => p.message)).toEqual(['Unknown property "stauts" in "/scenarios/0/start/expect". Did you mean "status"?'])
  })
})

describe('delivery-center test', () => {
  it('prints every failure as FILE:LINE:COL code message and exits 1; exits 0 when all pass', async () => {
    const failing = await runCli(['test', 'test/fixtures/scenario-files/review.scenarios.yaml', 'test/fixtures/scenario-files/basic.scenarios.yaml'])
    expect(failing.code).toBe(1)
    expect(failing.stdout).toContain('test/fixtures/scenario-files/review.scenarios.yaml:25:41 scenario.expectation Expected executor ["author","admin"], but it is ["author"].')
    expect(failing.stdout).toContain('test/fixtures/scenario-files/basic.scenarios.yaml: ok: The customer confirms in time')
    expect(failing.stderr).toContain('3 scenarios passed, 2 failed.')
    const passing = await runCli(['test', 'test/fixtures/scenario-files/basic.scenarios.yaml'])
    expect(passing.code).toBe(0)
    expect(passing.stderr).toContain('2 scenarios passed, 0 failed.')
  })
})

describe('the example of docs/scenarios.md', () => {
  it('passes, run beside the process it names', async () => {
    const doc = readFileSync(join(ROOT, 'docs', 'scenarios.md'), 'utf8')
    const example = /## The format[\s\S]*?```yaml\n([\s\S]*?)```/.exec(doc)?.[1]
    expect(example).toContain('process: review.yaml')
    const dir = mkdtempSync(join(tmpdir(), 'dc-scenario-doc-'))
    try {
      writeFileSync(join(dir, 'review.yaml'), readFileSync(join(FILES, 'review.yaml')))
      writeFileSync(join(dir, 'review.scenarios.yaml'), example ?? '')
      const report = await runScenarioFile(join(dir, 'review.scenarios.yaml'), library)
      expect(report.problems).toEqual([])
      expect(report.results.map((r) => [r.name, r.problems.map(String)])).toEqual([[expect.any(String), []]])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
