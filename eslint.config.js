// @ts-check
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

/** The fence of STYLE.md §1: the definition and runtime layers are pure (no I/O, no clock, no randomness). */
const pureLayerRestrictions = {
  'no-restricted-imports': ['error', {
    patterns: [
      { group: ['node:*'], message: 'definition/ and runtime/ are pure: no Node.js modules.' },
      { group: ['kysely', 'better-sqlite3', 'pg'], message: 'definition/ and runtime/ never touch a database.' },
      { group: ['hono', 'hono/*', '@hono/*'], message: 'definition/ and runtime/ know nothing of HTTP.' },
      { group: ['**/store/**', '**/store/*'], message: 'Dependencies point one way: store -> runtime, never back.' },
      { group: ['**/server/**', '**/server/*'], message: 'Dependencies point one way: server -> engine, never back.' },
    ],
  }],
  'no-restricted-properties': ['error',
    { object: 'Date', property: 'now', message: 'Take `now` as a parameter; the clock is injected.' },
    { object: 'Math', property: 'random', message: 'Pure code is deterministic.' },
    { object: 'Temporal', property: 'Now', message: 'Take `now` as a parameter; the clock is injected.' },
  ],
  'no-restricted-syntax': ['error',
    { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Take `now` as a parameter; the clock is injected.' },
  ],
}

export default tseslint.config(
  // test/generated/ is written by openapi-typescript (and type-checked, not linted).
  { ignores: ['node_modules/**', 'dist/**', 'data/**', 'coverage/**', 'bench/results/**', 'test/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', Buffer: 'readonly', fetch: 'readonly', Response: 'readonly', Request: 'readonly', AbortController: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', structuredClone: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  { files: ['engine/definition/**/*.ts', 'engine/runtime/**/*.ts'], rules: pureLayerRestrictions },
)
