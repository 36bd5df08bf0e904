import type { Scale } from './options.js'

/** The command line of `npm run bench -- [NAME...] [--tiny] [--runs=N] [--key=value...]`. */
export interface BenchArgs {
  readonly names: readonly string[]
  readonly scale: Scale
  readonly runs: number | undefined
  /** Every other `--key=value`, passed to the benchmarks. */
  readonly params: Readonly<Record<string, string>>
}

/** Parses the benchmark command line. @throws {RangeError} for a malformed `--runs`. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const names: string[] = []
  const params: Record<string, string> = {}
  let scale: Scale = 'full'
  let runs: number | undefined
  for (const arg of argv) {
    if (!arg.startsWith('--')) {
      names.push(arg)
      continue
    }
    const [key = '', value = 'true'] = arg.slice(2).split(/=(.*)/s)
    if (key === 'tiny') scale = 'tiny'
    else if (key === 'runs') {
      runs = Number(value)
      if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`--runs must be a positive integer, not "${value}".`)
    } else params[key] = value
  }
  return { names, scale, runs, params }
}

/** Back to the command line, for a child process. */
export function formatBenchArgs(args: Omit<BenchArgs, 'names'>): string[] {
  return [
    ...(args.scale === 'tiny' ? ['--tiny'] : []),
    ...(args.runs === undefined ? [] : [`--runs=${args.runs}`]),
    ...Object.entries(args.params).map(([k, v]) => `--${k}=${v}`),
  ]
}
