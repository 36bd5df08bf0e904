import { readdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { BUILT_IN_PROCESS_DIR, compileProcess } from '../engine/index.js'

/** The built-in definitions by id (their file names), the bases of the derived ones. */
const BUILT_IN_TEXTS = new Map(readdirSync(BUILT_IN_PROCESS_DIR).filter((name) => name.endsWith('.yaml'))
  .map((name) => [basename(name, '.yaml'), { file: name, text: readFileSync(join(BUILT_IN_PROCESS_DIR, name), 'utf8') }]))
import { generateProcess } from './lib/generate-process.js'
import type { BenchOptions } from './lib/options.js'
import { byScale } from './lib/options.js'
import type { Report } from './lib/report.js'
import { Recorder, repeat } from './lib/report.js'

/**
 * `definitions`: load (parse the YAML with positions), validate (JSON Schema and semantic checks)
 * and compile each built-in process (a derived one with its base) and generated processes of 10, 100 and 1,000 steps: time per
 * definition, per step, and how it grows with the number of steps (linear is 1× per step).
 */
export async function run(options: BenchOptions): Promise<Report> {
  const sizes = byScale(options, [10, 100, 1000], [10, 30])
  const minMs = byScale(options, 200, 5)
  const definitions = [
    ...readdirSync(BUILT_IN_PROCESS_DIR).filter((name) => name.endsWith('.yaml')).sort().map((name) => ({
      key: basename(name, '.yaml'), label: `built-in ${name}`, text: readFileSync(join(BUILT_IN_PROCESS_DIR, name), 'utf8'), steps: 0,
    })),
    ...sizes.map((steps) => ({ key: `generated-${steps}`, label: `generated, ${steps.toLocaleString('en-US')} steps`, text: generateProcess(steps), steps })),
  ]
  const rec = new Recorder()
  for (const d of definitions) rec.measure(d.key, { label: `${d.label}: load, validate and compile`, unit: 'ms' })
  for (const steps of sizes) rec.measure(`per-step-${steps}`, { label: `generated, ${steps.toLocaleString('en-US')} steps: time per step`, unit: 'µs' })
  const smallest = sizes[0] as number
  for (const steps of sizes.slice(1)) {
    rec.ratio(`growth-${steps}`, `time ${steps} steps / ${smallest} steps (${steps / smallest}× the steps)`, `generated-${steps}`, `generated-${smallest}`)
    rec.ratio(`per-step-growth-${steps}`, `time per step, ${steps} / ${smallest} steps (1× is linear)`, `per-step-${steps}`, `per-step-${smallest}`)
  }

  await repeat(rec, options.runs, async () => {
    for (const d of definitions) {
      const ms = timeCompile(d.text, `${d.key}.yaml`, minMs)
      rec.add(d.key, ms)
      if (d.steps > 0) rec.add(`per-step-${d.steps}`, (ms * 1000) / d.steps)
    }
  })
  rec.note('Each run compiles a definition repeatedly for at least the minimum time and reports the mean per compilation; a fresh compileProcess() call each time. Its input schemas are compiled by ajv once: a schema written the same way again reuses its validator (engine/definition/json-schema.ts), as when a server checks a definition again; the rest (YAML, checks, graph) is done every time.')
  return rec.report('definitions', 'milliseconds to load, validate and compile one process definition', {
    'minimum ms per figure and run': minMs, runs: options.runs, 'warm-up runs': 1,
  })
}

/** Mean milliseconds of compileProcess(text) over repetitions lasting at least `minMs`. @throws if it does not compile. */
function timeCompile(text: string, file: string, minMs: number): number {
  let count = 0
  const started = performance.now()
  do {
    // A derived built-in (contract, double-check, step-by-step) is compiled with its base, as the server does.
    const result = compileProcess(text, file, { base: (ref) => BUILT_IN_TEXTS.get(ref.id) })
    if (!result.ok) throw new Error(`${file} does not compile: ${result.errors.map(String).join('; ')}`)
    count++
  } while (performance.now() - started < minMs)
  return (performance.now() - started) / count
}
