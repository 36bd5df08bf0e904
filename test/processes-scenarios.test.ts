import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BaseLibrary, BUILT_IN_PROCESS_DIR, loadBuiltInSources, runScenarioFile, textSource } from '../engine/index.js'

// The scenarios each built-in process ships with (processes/scenarios/), run as
// `npx delivery-center test processes/scenarios/*.yaml` runs them.
const DIR = join(BUILT_IN_PROCESS_DIR, 'scenarios')
const FILES = readdirSync(DIR).filter((name) => name.endsWith('.yaml')).sort()
const library = new BaseLibrary([textSource('the built-in processes', loadBuiltInSources())])

describe('the built-in processes\' scenarios', () => {
  it.each(FILES)('%s: every scenario passes', async (name) => {
    const report = await runScenarioFile(join(DIR, name), library)
    expect(report.problems.map(String)).toEqual([])
    expect(report.results.length).toBeGreaterThan(0)
    expect(report.results.filter((r) => r.problems.length > 0).map((r) => `${r.name}: ${r.problems.map(String).join('; ')}`)).toEqual([])
  })

  it('cover every built-in process', () => {
    const processes = readdirSync(BUILT_IN_PROCESS_DIR).filter((name) => name.endsWith('.yaml')).sort()
    expect(FILES.filter((name) => processes.includes(name))).toEqual(FILES)
    expect(processes.filter((name) => !FILES.includes(name))).toEqual([])
  })
})
