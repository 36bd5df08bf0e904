import { Command } from 'commander'
import { compileProcessFile, toMermaid } from '../engine/index.js'

const program = new Command()
  .name('delivery-center')
  .description('A declarative process engine for the after-sales delivery of service products.')

program.command('validate')
  .description('Check process definitions; prints each problem as FILE:LINE:COL code message and exits 1 if any.')
  .argument('<files...>', 'YAML process definitions')
  .action((files: string[]) => {
    let failed = 0
    for (const file of files) {
      const result = readAndCompile(file)
      if (result.ok) {
        console.log(`${file}: ok (${result.process.id} v${result.process.version}, ${result.process.steps.size} steps)`)
      } else {
        failed++
        for (const error of result.errors) console.log(String(error))
      }
    }
    if (failed > 0) {
      console.error(`${failed} of ${files.length} file${files.length === 1 ? '' : 's'} had problems.`)
      process.exitCode = 1
    }
  })

program.command('graph')
  .description('Print a Mermaid flowchart of a process: steps, actors, actions, timeouts and windows.')
  .argument('<file>', 'YAML process definition')
  .action((file: string) => {
    const result = readAndCompile(file)
    if (!result.ok) {
      for (const error of result.errors) console.error(String(error))
      process.exitCode = 1
      return
    }
    process.stdout.write(toMermaid(result.process))
  })

function readAndCompile(file: string): ReturnType<typeof compileProcessFile> | { ok: false; errors: string[] } {
  try {
    return compileProcessFile(file)
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message
    return { ok: false, errors: [`${file}:1:1 definition.unreadable The file cannot be read (${reason}).`] }
  }
}

await program.parseAsync()
