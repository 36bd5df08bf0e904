import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Suites that spawn OS processes or open SQLite files are isolated per file; files run in parallel.
    pool: 'forks',
    testTimeout: 30_000,
  },
})
