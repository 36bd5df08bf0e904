// Summarises a V8 CPU profile (from `node --cpu-prof`): the functions with the most self time,
// and self time by area (a package, a folder of this repository, Node.js internals, GC).
// Usage: node --import tsx bench/profile-summary.ts FILE.cpuprofile [--top=25]
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { layout } from './lib/table.js'

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[]
  readonly samples: readonly number[]
  readonly timeDeltas: readonly number[]
}

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const [file, ...rest] = process.argv.slice(2)
if (!file) throw new RangeError('Usage: profile-summary.ts FILE.cpuprofile [--top=25]')
const top = Number(rest.find((a) => a.startsWith('--top='))?.slice(6) ?? 25)
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
const byId = new Map(profile.nodes.map((node) => [node.id, node]))

/** Microseconds of self time per node id: each sample's time delta goes to the node it hit. */
const selfTime = new Map<number, number>()
profile.samples.forEach((id, i) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
const sampled = [...selfTime.values()].reduce((a, b) => a + b, 0)
const idle = [...selfTime].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)').reduce((a, [, us]) => a + us, 0)
/** Shares are of the time the process was busy: a server waiting for requests is (idle). */
const total = sampled - idle

/** Where a function lives: `pkg` for node_modules, the repository path, or `node:` internals. */
function where(url: string): string {
  if (url === '') return ''
  const path = url.startsWith('file://') ? fileURLToPath(url) : url
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(path)
  if (pkg) return `${pkg[1]}/${pkg[2]}`
  return path.startsWith(ROOT) ? relative(ROOT, path) : path
}

function area(url: string, name: string): string {
  const at = where(url)
  if (at === '') return name.startsWith('(') ? name : '(native)'
  if (url.includes('node_modules/')) return `npm: ${at.split('/')[0]?.startsWith('@') ? at.split('/').slice(0, 2).join('/') : at.split('/')[0]}`
  if (at.startsWith('node:')) return 'node: internals'
  return at.split('/').slice(0, -1).join('/') || at
}

const functions = new Map<string, number>()
const areas = new Map<string, number>()
for (const [id, us] of selfTime) {
  const node = byId.get(id)
  if (!node) continue
  const { functionName, url, lineNumber } = node.callFrame
  if (functionName === '(idle)') continue
  const name = functionName || '(anonymous)'
  // tsx compiles each .ts file to one line, so only JavaScript files have useful line numbers.
  const key = !url ? name : url.endsWith('.ts') ? `${name}  ${where(url)}` : `${name}  ${where(url)}:${lineNumber + 1}`
  functions.set(key, (functions.get(key) ?? 0) + us)
  const a = area(url, name)
  areas.set(a, (areas.get(a) ?? 0) + us)
}
const pct = (us: number): string => `${((100 * us) / total).toFixed(1)}%`
const rows = (map: Map<string, number>, n: number): string[][] => [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => [k, `${(us / 1000).toFixed(0)} ms`, pct(us)])
process.stdout.write(`${file}: ${(sampled / 1e6).toFixed(1)} s sampled, ${(total / 1e6).toFixed(1)} s busy (shares below are of busy time)\n\nself time by function (top ${top})\n${layout([['function  where', 'self', 'share'], ...rows(functions, top)])}\n`)
process.stdout.write(`\nself time by area\n${layout([['area', 'self', 'share'], ...rows(areas, 20)])}\n`)
