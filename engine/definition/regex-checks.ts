import { BACKTRACKING_HINT, COUNT_HINT, largestCount, LINEAR_HINT, needsBacktracking, offLinearRisk, repeatsRepetition } from './backtracking.js'
import { MAX_REPEAT_COUNT } from './limits.js'
import { runsInLinearTime } from './pattern-regexp.js'

/**
 * Why a regular expression written in an expression could hold a server up, or undefined: a
 * repeated group that itself repeats (exponential time), a count past {@link MAX_REPEAT_COUNT},
 * a backreference or a lookaround (backtracking only), or what keeps it off V8's linear-time
 * engine while it holds repeats a search could try at every place of a text.
 */
export function regexProblem(regex: RegExp): { readonly message: string; readonly hint: string } | undefined {
  const { source } = regex
  if (repeatsRepetition(source)) {
    return {
      message: `The regular expression /${source}/ repeats a group that itself repeats: on some texts it takes exponential time.`,
      hint: 'Repeat the inner part once, e.g. /a+/ rather than /(a+)+/, or make the alternatives of a repeated group exclusive.',
    }
  }
  const count = largestCount(source)
  if (count > MAX_REPEAT_COUNT) {
    return {
      message: `The regular expression /${source}/ counts a repeat to ${count.toLocaleString('en')}, more than the ${MAX_REPEAT_COUNT.toLocaleString('en')} a regular expression may: searching a long text then takes time in proportion to both.`,
      hint: COUNT_HINT,
    }
  }
  if (needsBacktracking(source)) {
    return { message: `The regular expression /${source}/ uses a backreference or a lookaround, which only a backtracking engine can run: on some texts one match can take minutes.`, hint: BACKTRACKING_HINT }
  }
  if (runsInLinearTime(source, regex.flags)) return undefined
  // JSONata adds the g flag to every regular expression it reads.
  const flags = regex.flags.replace('g', '')
  const risk = offLinearRisk(source, flags)
  return risk === undefined ? undefined : { message: `The regular expression /${source}/${flags} ${risk}.`, hint: LINEAR_HINT }
}
