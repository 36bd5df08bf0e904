import { Command } from 'commander'
import packageJson from '../package.json' with { type: 'json' }
import { applyOptionRules } from './options.js'

const program = new Command()
  .name('delivery-center')
  .description('A declarative process engine for the after-sales delivery of service products.')
  .version(packageJson.version, '-V, --version', 'print the version and exit')

program.command('validate')
  .description('Check process definitions; prints each problem as FILE:LINE:COL code message and exits 1 if any.')
  .argument('<files...>', 'YAML process definitions; each may extend another named here, a built-in process, or one registered in --db')
  .option('--db <location>', 'also resolve `extends` from the processes registered in this existing database (SQLite file or postgres:// URL)')
  .action(async (files: string[], options: { db?: string }) => {
    let failed = 0
    const { withBaseLibrary } = await import('./commands.js')
    const { compileWithBases } = await import('../engine/index.js')
    await withBaseLibrary(files, options.db, async (library) => {
      for (const file of files) {
        const result = await compileWithBases(file, library)
        if (result.ok) {
          console.log(`${file}: ok (${result.process.id} v${result.process.version}, ${result.process.steps.size} steps)`)
        } else {
          failed++
          for (const error of result.errors) console.log(String(error))
        }
      }
    })
    if (failed > 0) {
      console.error(`${failed} of ${files.length} file${files.length === 1 ? '' : 's'} had problems.`)
      process.exitCode = 1
    }
  })

program.command('graph')
  .description('Print a Mermaid flowchart of a process: steps, actors, actions, timeouts and windows.')
  .argument('<file>', 'YAML process definition')
  .argument('[bases...]', 'other definitions it may extend (besides the built-in processes and those registered in --db)')
  .option('--db <location>', 'also resolve `extends` from the processes registered in this existing database (SQLite file or postgres:// URL)')
  .action(async (file: string, bases: string[], options: { db?: string }) => {
    const { withBaseLibrary } = await import('./commands.js')
    const { compileWithBases, toMermaid } = await import('../engine/index.js')
    const result = await withBaseLibrary([file, ...bases], options.db, (library) => compileWithBases(file, library))
    if (!result.ok) {
      for (const error of result.errors) console.error(String(error))
      process.exitCode = 1
      return
    }
    process.stdout.write(toMermaid(result.process))
  })

program.command('test')
  .description('Run scenario files: scripted deliveries checked step by step on the pure runtime (no database). Prints each failed expectation as FILE:LINE:COL code message and exits 1 if any.')
  .argument('<files...>', 'YAML scenario files (schemas/scenario.schema.json); each names its process: a definition file relative to it, or a built-in process')
  .option('--db <location>', 'also resolve `extends` from the processes registered in this existing database (SQLite file or postgres:// URL)')
  .action(async (files: string[], options: { db?: string }) => {
    const { withBaseLibrary } = await import('./commands.js')
    const { runScenarioFile } = await import('../engine/index.js')
    let passed = 0
    let failed = 0
    let broken = 0
    await withBaseLibrary([], options.db, async (library) => {
      for (const file of files) {
        const report = await runScenarioFile(file, library)
        if (report.problems.length > 0) broken++
        for (const problem of report.problems) console.log(String(problem))
        for (const result of report.results) {
          if (result.problems.length === 0) {
            passed++
            console.log(`${file}: ok: ${result.name}`)
          } else {
            failed++
            console.log(`${file}: FAILED: ${result.name}`)
            for (const problem of result.problems) console.log(`  ${String(problem)}`)
          }
        }
      }
    })
    console.error(`${passed} scenario${passed === 1 ? '' : 's'} passed, ${failed} failed${broken > 0 ? `; ${broken} file${broken === 1 ? '' : 's'} could not be run` : ''}.`)
    if (failed + broken > 0) process.exitCode = 1
  })

program.command('serve')
  .description('Serve the HTTP API on the database (embedded SQLite by default, or PostgreSQL), with the built-in processes and the deadline scheduler.')
  .option('--db <location>', 'SQLite database file or postgres:// URL (default: DATABASE_URL, else ./data/delivery-center.db)')
  .option('--attachments <dir>', 'where uploaded files are kept (default: DC_ATTACHMENTS_DIR, else attachments/ beside the SQLite file, or ./data/attachments)')
  .option('--host <host>', 'interface to listen on (default: HOST, else 127.0.0.1)')
  .option('--port <n>', 'port to listen on (default: PORT, else 3000)')
  .option('--sandbox', 'run on a manual clock that POST /v1/advance { to | by } moves forward')
  .option('--sandbox-start <instant>', 'where the sandbox clock starts (default: now)')
  .option('--demo', 'seed sample deliveries of every built-in process at different phases on the sandbox clock, in a new temporary database unless --db is given, and print console sign-in links for a customer, an ISV and an admin')
  .option('--scheduler-interval <seconds>', 'how often due deadlines are fired (default: 5)')
  .option('--idempotency-ttl <seconds>', 'how long idempotency keys are remembered (default: 86400)')
  .option('--max-upload-mb <n>', 'largest uploaded file in MiB (default: 16)')
  .option('--upload-ttl <hours>', 'how long an upload never attached to an instance is kept (default: 24)')
  .option('--upload-quota-files <n>', 'files one token holder may upload per hour (default: 100)')
  .option('--upload-quota-mb <n>', 'MiB one token holder may upload per hour (default: 1024)')
  .option('--writer-thread', 'SQLite: write instances on a thread with its own connection (more acts per second, more memory)')
  .option('--shutdown-timeout <seconds>', 'how long SIGTERM waits for requests in flight before closing their connections (default: DC_SHUTDOWN_TIMEOUT, else 10)')
  .option('--fire-attempts <n>', 'failed attempts in a row at firing a due deadline before its instance is marked failed (default: DC_FIRE_ATTEMPTS, else 3)')
  .option('--public-url <url>', 'the URL people reach the server at, for console sign-in links (default: DC_PUBLIC_URL, else the address each request was sent to)')
  .option('--webhook-timeout <seconds>', 'how long one webhook attempt may take (default: DC_WEBHOOK_TIMEOUT, else 10; a crashed server\'s attempts are sent again after twice this plus 5 s)')
  .option('--secret-key-file <path>', 'the key sealing webhook signing secrets: 32 random bytes in base64 (default: DC_SECRET_KEY_FILE, else the key DC_SECRET_KEY, else secret.key in the data directory, made at the first start)')
  .option('--webhook-allow-private', 'allow webhook endpoints on loopback, private and other internal addresses (default: DC_WEBHOOK_ALLOW_PRIVATE, else refused)')
  .action(async (flags: Record<string, string | boolean>) => {
    const { main } = await import('../server/main.js')
    await main(flags)
  })

const token = program.command('token').description('Manage API tokens.')
token.command('create')
  .description('Create an API token and print it, alone, on stdout (it is stored hashed and cannot be shown again).')
  .requiredOption('--role <role>', 'admin, system, or a party role of a built-in or registered process (customer, isv, ...)')
  .requiredOption('--subject <subject>', 'who the token speaks for, e.g. c-1 or v-7')
  .option('--label <text>', 'a note on what the token is for')
  .option('--expires <instant>', 'RFC 3339 instant after which the token is refused')
  .option('--db <location>', 'SQLite database file or postgres:// URL, as for serve')
  .action(async (options: { role: string; subject: string; label?: string; expires?: string; db?: string }) => {
    const { createTokenCommand } = await import('./commands.js')
    const secret = await createTokenCommand({
      role: options.role, subject: options.subject,
      ...(options.label ? { label: options.label } : {}), ...(options.expires ? { expiresAt: options.expires } : {}),
    }, options.db)
    process.stdout.write(`${secret}\n`)
  })
token.command('list')
  .description('List the API tokens: id, role, subject, label, created, expires, last used (to the minute), revoked. Never a secret.')
  .option('--json', 'print a JSON array, as GET /v1/tokens answers')
  .option('--db <location>', 'SQLite database file or postgres:// URL, as for serve')
  .action(async (options: { json?: boolean; db?: string }) => {
    const { formatTokens, listTokensCommand } = await import('./commands.js')
    const tokens = await listTokensCommand(options.db)
    process.stdout.write(options.json ? `${JSON.stringify(tokens, null, 2)}\n` : formatTokens(tokens))
  })
token.command('revoke')
  .description('Revoke an API token: the server refuses it from then on (within 5 seconds).')
  .argument('<id>', 'the token\'s id, as `token list` shows it (16 hex characters)')
  .option('--db <location>', 'SQLite database file or postgres:// URL, as for serve')
  .action(async (id: string, options: { db?: string }) => {
    const { revokeTokenCommand } = await import('./commands.js')
    const { token: revoked, already } = await revokeTokenCommand(id, options.db)
    console.log(`${already ? 'already revoked' : 'revoked'} ${revoked.id} (${revoked.role} ${revoked.subject}) at ${revoked.revokedAt ?? ''}`)
  })

program.command('console-link')
  .description('Create a one-time sign-in link to the console for a person and print it, alone, on stdout (valid once, for 10 minutes).')
  .requiredOption('--role <role>', 'admin, or a party role of a built-in or registered process (customer, isv, ...); never system')
  .requiredOption('--subject <subject>', 'who the person is, e.g. c-1 or v-7')
  .option('--return <path>', 'the console page the link lands on (default: /console)')
  .option('--public-url <url>', 'the URL people reach the server at (default: DC_PUBLIC_URL, else http://127.0.0.1:PORT, PORT defaulting to 3000)')
  .option('--db <location>', 'SQLite database file or postgres:// URL, as for serve')
  .action(async (options: { role: string; subject: string; return?: string; publicUrl?: string; db?: string }) => {
    const { consoleLinkCommand } = await import('./commands.js')
    const { url } = await consoleLinkCommand({ role: options.role, subject: options.subject, returnPath: options.return }, options)
    process.stdout.write(`${url}\n`)
  })

program.command('register')
  .description('Validate process definitions and register them (as new versions) in the database serve uses.')
  .argument('<files...>', 'YAML process definitions')
  .option('--owner <role:subject>', 'register as private processes of this owner: a role of the process and its subject, e.g. isv:v-1')
  .option('--db <location>', 'SQLite database file or postgres:// URL, as for serve')
  .action(async (files: string[], options: { owner?: string; db?: string }) => {
    const { registerCommand } = await import('./commands.js')
    const { lines, failed } = await registerCommand(files, options)
    for (const line of lines) console.log(line)
    if (failed > 0) process.exitCode = 1
  })

program.command('migrate')
  .description('Create or upgrade the database schema (serve does this on start).')
  .option('--db <location>', 'SQLite database file or postgres:// URL, as for serve')
  .action(async (options: { db?: string }) => {
    const { migrateCommand } = await import('./commands.js')
    console.error(`migrated ${await migrateCommand(options.db)}`)
  })

applyOptionRules(program)
try {
  await program.parseAsync()
} catch (error) {
  console.error(`delivery-center: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
}
