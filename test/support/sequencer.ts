import { BaseSequencer } from 'vitest/node'
import type { TestSpecification } from 'vitest/node'

/**
 * The slowest test files (they spawn servers, browsers and command lines), started first: with
 * three workers and no timings cached (a clean clone in CI), files run in an order that can leave
 * a long one for last, and the run waits for it alone. Longest first keeps the workers even.
 * Kept in step by hand from a run's durations (`npx vitest run` prints them per file).
 */
const SLOW_FIRST = [
  'test/bin/cli-tokens.test.ts',
  'test/engine/concurrency.test.ts',
  'test/server/scale-out.test.ts',
  'test/server/webhooks-crash.test.ts',
  'test/server/serve.test.ts',
  'test/server/serve-lifecycle.test.ts',
  'test/bin/validate-extends.test.ts',
  'test/bin/cli.test.ts',
  'test/engine/events.test.ts',
  'test/server/disputes.test.ts',
  'test/console/safety.browser.test.ts',
  'test/server/webhooks.test.ts',
  'test/engine/failed-instances.test.ts',
  'test/console/delivery.browser.test.ts',
  'test/console/proposals.browser.test.ts',
  'test/console/studio-editor.browser.test.ts',
]

export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files)
    const rank = (spec: TestSpecification): number => {
      const index = SLOW_FIRST.findIndex((file) => spec.moduleId.endsWith(`/${file}`))
      return index === -1 ? SLOW_FIRST.length : index
    }
    // Stable: the other files keep the order the base sequencer gave them.
    return sorted.map((spec, i) => ({ spec, i })).sort((a, b) => rank(a.spec) - rank(b.spec) || a.i - b.i).map(({ spec }) => spec)
  }
}
