import { configDefaults, defineConfig } from 'vitest/config'
import base, { BENCH_SMOKE } from './vitest.config.js'

// `npm run test:bench`: every benchmark at tiny scale, so none can rot; kept out of `npm test`,
// whose budget is the rest of the suite, and run by CI after it. (Not mergeConfig: it would add
// this `include` to the base one rather than replace it.)
export default defineConfig({ test: { ...base.test, include: [BENCH_SMOKE], exclude: configDefaults.exclude } })
