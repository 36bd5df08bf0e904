import { InvalidArgumentError } from 'commander'
import type { Command } from 'commander'
import { Temporal } from 'temporal-polyfill'

/** An RFC 3339 instant, checked when the command line is parsed and passed on as written. */
function instant(value: string): string {
  try {
    Temporal.Instant.from(value)
    return value
  } catch {
    throw new InvalidArgumentError('Expected an RFC 3339 instant with its offset, e.g. 2026-12-31T23:59:59Z or 2026-12-31T08:00:00+08:00.')
  }
}

/**
 * Value checks by option (long flag), on every command that has the option. Options that `serve`
 * also reads from the environment (--port, --max-upload-mb, ...) are checked where both meet,
 * in server/config.ts, whose messages name the flag and the accepted range.
 */
const PARSERS: Readonly<Record<string, (value: string) => string>> = {
  '--expires': instant,
  '--sandbox-start': instant,
}

/**
 * Applies the command line's shared rules to `program` and every command under it: option values
 * checked as they are parsed (an error names the option, the value and the accepted form), and
 * usage errors printed on one line as `delivery-center: ... Run ... --help for usage.`, like every
 * other error.
 */
export function applyOptionRules(program: Command): void {
  const visit = (command: Command): void => {
    // One line per error, as every other failure of the command line prints.
    command.configureOutput({
      outputError: (text, write) => write(`${text.trimEnd().replace(/^error: /, `${program.name()}: `).replace(/\n/g, ' ')} Run ${pathOf(command)} --help for usage.\n`),
    })
    for (const option of command.options) {
      const parse = option.long === undefined ? undefined : PARSERS[option.long]
      if (parse) option.argParser(parse)
    }
    command.commands.forEach(visit)
  }
  visit(program)
}

/** `delivery-center token create`: the names from the program down to `command`. */
function pathOf(command: Command): string {
  return command.parent ? `${pathOf(command.parent)} ${command.name()}` : command.name()
}
