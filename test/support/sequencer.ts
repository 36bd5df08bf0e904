import { BaseSequencer } from 'vitest/node'
import type { TestSpecification } from 'vitest/node'

/**
 * The slowest test files (they spawn servers, browsers and command lines), started first: with
 * three workers and no timings cached (a clean clone in CI), files run in an order that can leave
 * a long one for last, and the run waits for it alone. Longest first keeps the workers even.
 * Kept in step by hand from a run's durations (`npx vitest run` prints them per file).
 */
const SLOW_FIRST = [
  'test/engine/concurrency.test.ts',
  'test/bin/cli-tokens.test.ts',
  'test/console/delivery.browser.test.ts',
  'test/console/proposals.browser.test.ts',
  'test/server/webhooks-crash.test.ts',
  'test/console/safety.browser.test.ts',
  'test/console/studio-editor.browser.test.ts',
  'test/bin/cli.test.ts',
  'test/server/serve-lifecycle.test.ts',
  'test/server/serve.test.ts',
  'test/server/scale-out.test.ts',
  'test/bin/validate-extends.test.ts',
  'test/server/check-bounds.test.ts',
  'test/server/webhooks.test.ts',
  'test/engine/check-threads.test.ts',
  'test/engine/definition/authored-schemas.test.ts',
  'test/bin/production-install.test.ts',
  'test/server/listing-review.test.ts',
  'test/engine/store/claims.test.ts',
  'test/server/events-shutdown.test.ts',
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
