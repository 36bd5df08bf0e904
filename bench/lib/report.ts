import type { Summary } from './stats.js'
import { summarise } from './stats.js'

/** A goal from the performance issue: `value op target`, judged on the median. */
export interface Target {
  readonly op: '>=' | '<='
  readonly value: number
}

/** What one measured figure is, in words a user understands. */
export interface MeasureSpec {
  /** e.g. "completed basic deliveries per second, FULL + group commit (default)". */
  readonly label: string
  /** e.g. "/s", "ms", "MB". */
  readonly unit: string
  readonly target?: Target
}

/** A figure over the measured runs: its spec, every sample and their median, min and max. */
export interface MeasureResult extends MeasureSpec, Summary {
  readonly key: string
  readonly samples: readonly number[]
  /** Whether the median meets the target; absent when there is none. */
  readonly met?: boolean
}

/** A ratio of two figures measured side by side: one ratio per run, summarised. */
export interface RatioResult extends Summary {
  readonly key: string
  readonly label: string
  readonly samples: readonly number[]
  readonly target?: Target
  readonly met?: boolean
}

/** A correctness check made while measuring (e.g. "each deadline fired exactly once"). */
export interface Check {
  readonly label: string
  readonly ok: boolean
  readonly detail: string
}

/** Everything one benchmark reports: printed as tables and written to bench/results/NAME.json. */
export interface Report {
  readonly name: string
  /** What was measured, in one sentence. */
  readonly title: string
  readonly settings: Readonly<Record<string, string | number>>
  readonly measures: readonly MeasureResult[]
  readonly ratios: readonly RatioResult[]
  readonly checks: readonly Check[]
  readonly notes: readonly string[]
}

/**
 * Collects the samples of a benchmark's runs. Samples recorded while `warmingUp` is set are
 * discarded, so a benchmark body is written once and run for the warm-up and for each run.
 */
export class Recorder {
  readonly #specs = new Map<string, MeasureSpec>()
  readonly #samples = new Map<string, number[]>()
  readonly #ratios: Array<{ key: string; label: string; over: string; under: string; target: Target | undefined }> = []
  readonly #checks: Check[] = []
  readonly #notes: string[] = []
  warmingUp = false

  /** Declares a figure; its rows print in declaration order. */
  measure(key: string, spec: MeasureSpec): this {
    this.#specs.set(key, spec)
    this.#samples.set(key, [])
    return this
  }

  /** Declares `over / under`, computed run by run from the two figures' samples. */
  ratio(key: string, label: string, over: string, under: string, target?: Target): this {
    this.#ratios.push({ key, label, over, under, target })
    return this
  }

  /** Records one run's value of a declared figure. @throws {RangeError} for an undeclared key. */
  add(key: string, value: number): void {
    const samples = this.#samples.get(key)
    if (!samples) throw new RangeError(`Figure "${key}" was not declared.`)
    if (!this.warmingUp) samples.push(value)
  }

  /** Records a correctness check of a measured run; a failed one fails the benchmark. */
  check(label: string, ok: boolean, detail: string): void {
    if (!this.warmingUp) this.#checks.push({ label, ok, detail })
  }

  /** Adds a line of context printed under the tables (how it was measured, what differs). */
  note(text: string): void {
    this.#notes.push(text)
  }

  /** The report of every figure with at least one sample. */
  report(name: string, title: string, settings: Readonly<Record<string, string | number>>): Report {
    const measures: MeasureResult[] = []
    for (const [key, spec] of this.#specs) {
      const samples = this.#samples.get(key) ?? []
      if (samples.length === 0) continue
      const summary = summarise(samples)
      measures.push({ key, ...spec, ...summary, samples, ...(spec.target ? { met: meets(summary.median, spec.target) } : {}) })
    }
    const ratios: RatioResult[] = []
    for (const { key, label, over, under, target } of this.#ratios) {
      const a = this.#samples.get(over) ?? []
      const b = this.#samples.get(under) ?? []
      const samples = a.slice(0, b.length).map((value, i) => value / (b[i] as number))
      if (samples.length === 0) continue
      const summary = summarise(samples)
      ratios.push({ key, label, ...summary, samples, ...(target ? { target, met: meets(summary.median, target) } : {}) })
    }
    return { name, title, settings, measures, ratios, checks: [...this.#checks], notes: [...this.#notes] }
  }
}

/** Whether `value` meets `target`. Pure. */
export function meets(value: number, target: Target): boolean {
  return target.op === '>=' ? value >= target.value : value <= target.value
}

/**
 * Runs `body` once as a warm-up (its samples discarded), then `runs` times recording.
 * @example await repeat(rec, 5, async (run) => { rec.add('rate', await measureOnce(run)) })
 */
export async function repeat(recorder: Recorder, runs: number, body: (run: number) => Promise<void>): Promise<void> {
  recorder.warmingUp = true
  await body(0)
  recorder.warmingUp = false
  for (let run = 1; run <= runs; run++) await body(run)
}
