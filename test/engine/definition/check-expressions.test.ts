import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compileProcess } from '../../../engine/index.js'
import { compileExpression } from '../../../engine/definition/expression.js'

/**
 * A process whose `supervise` step has `when: WHEN` and whose `accept` action records `RECORD`
 * (one line each), with a declared context, a parameter, input fields and a hyphenated step id.
 */
function definition({ when = 'true', record = '$now()' }: { when?: string; record?: string }): string {
  return `id: demo
version: 1
title: Demo
roles: [customer, isv]
parameters:
  purchasedDuration: { type: duration, default: P1Y }
context:
  type: object
  properties:
    order-id: { type: string }
    renewal: { type: boolean }
    address: { type: object, properties: { floor: { type: integer } } }
    seats: { type: array, items: { type: string } }
steps:
  - id: upload-proof
    title: Upload Proof
    actor: isv
    actions:
      deliver:
        inputs:
          type: object
          properties:
            enablingTime: { type: string, format: date-time }
  - id: supervise
    title: Supervise
    actor: customer
    when: ${JSON.stringify(when)}
    actions:
      accept:
        end: accepted
        inputs:
          type: object
          properties:
            comment: { type: string }
        record:
          validFrom: ${JSON.stringify(record)}
          validUntil: "$addDuration(values.validFrom, parameters.purchasedDuration)"
    otherwise: { end: not-supervised }
`
}

function problems(text: string): Array<{ line: string; code: string; message: string; hint: string | undefined }> {
  const result = compileProcess(text, 'demo.yaml')
  if (result.ok) return []
  return result.errors.map((e) => ({ line: `${e.location.line}:${e.location.column}`, code: e.code, message: e.message, hint: e.hint }))
}

const WHEN_AT = '27:11'
const RECORD_AT = '36:22'

describe('expressions checked against the process', () => {
  it.each([
    ['a condition on the context', { when: '$not(context.renewal = true)' }],
    ['a hyphenated name in backticks', { when: 'context.`order-id` != ""' }],
    ['an earlier submission', { record: 'data.`upload-proof`.inputs.enablingTime ? $instant(data.`upload-proof`.inputs.enablingTime) : $now()' }],
    ['the action\'s own inputs', { record: 'inputs.comment' }],
    ['the instance through $$ inside a predicate', { record: '$count(data.*[action = $$.values.validFrom])' }],
    ['a recursive function bound in the expression', { record: '($f := function($n){ $n <= 1 ? 1 : $n * $f($n - 1) }; $f(5))' }],
    ['a function passed as a value and a parameter of a lambda', { record: '$map([1, 2], function($v){ $string($v) & parameters.purchasedDuration }) ~> $join' }],
    ['names of items inside a path, a predicate and a grouping', { record: 'data.*.inputs[enablingTime].enablingTime{ "latest": $max($toMillis($)) }' }],
    ['a subtraction of two fields', { record: '$toMillis(data.`upload-proof`.inputs.enablingTime) - $toMillis(values.validFrom)' }],
    ['a safe regular expression', { record: '$contains(inputs.comment, /^[A-Z]{2}-[0-9]+$/)' }],
    ['a transform, whose pattern reads the value transformed', { record: "data.`upload-proof`.inputs ~> |enablingTime|{'checked': true}|" }],
  ])('accepts %s', (_, expressions) => {
    expect(problems(definition(expressions))).toEqual([])
  })

  it('accepts an undeclared context field when the context schema admits other properties, unless it is a near miss', () => {
    const open = (when: string): string => definition({ when }).replace('context:\n  type: object', 'context:\n  type: object\n  additionalProperties: true')
    expect(problems(open('context.channel = "web"'))).toEqual([])
    expect(problems(open('$not(context.renewl = true)'))).toEqual([
      { line: '28:11', code: 'definition.expression-reference', message: expect.stringContaining('"renewl"') as string, hint: expect.stringContaining('Did you mean "renewal"?') as string },
    ])
  })

  it('accepts every expression of the built-in processes and of docs/language.md', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../../docs/language.md'), 'utf8')
    const validFrom = /validFrom: "(.+)"/.exec(readme)?.[1] ?? ''
    const when = /when: (\$not\(context\.renewal = true\))/.exec(readme)?.[1] ?? ''
    expect([validFrom, when].every((text) => text.length > 0)).toBe(true)
    expect(problems(definition({ when, record: validFrom }))).toEqual([])
  })

  it('reports an unknown function at the expression, with "Did you mean"', () => {
    expect(problems(definition({ record: '$addDurations($now(), "P1D")' }))).toEqual([
      { line: RECORD_AT, code: 'definition.expression-function', message: expect.stringContaining('$addDurations') as string, hint: expect.stringContaining('Did you mean "$addDuration"?') as string },
    ])
  })

  it.each([['$random()'], ['$shuffle([1, 2])'], ['$eval("1 + 1")'], ['$map([1], $random)']])('refuses %s, which would not replay identically or cannot be checked', (text) => {
    expect(problems(definition({ when: text }))).toEqual([
      { line: WHEN_AT, code: 'definition.expression-function', message: expect.stringContaining('may not be called') as string, hint: expect.any(String) as string },
    ])
  })

  it.each([
    ['a call with all its arguments', '$substring(inputs.comment, 0, 3)'],
    ['a call that leaves out the current value, on a path step', 'inputs.comment.$uppercase()'],
    ['a call on the right of ~>, which gets the left as its first argument', 'inputs.comment ~> $substring(0, 3)'],
    ['a function named after ~> without parentheses', 'inputs.comment ~> $uppercase'],
    ['a partial application', '$map(["ab"], $substring(?, 1))'],
    ['a function that takes any number of arrays', '$zip([1], [2], [3])'],
    ['a function of the expression\'s own under a built-in name', '($substring := function(){ "x" }; $substring())'],
    ['the current value left out before literal arguments of the rest', 'inputs.comment.$substring(2)'],
    ['a power of the current value', '$count(inputs.comment).$power(2)'],
    ['a duration and an instant written as literals', '$addDuration("2026-01-01T00:00:00Z", "P14D") & $instant("2026-01-01T08:00:00+08:00")'],
    ['a list of the items a function takes, or of several types', '$sum([1, 2.5]) & $join(context.seats, ",") & $join(["a", "b"]) & $sum([1, "2"] ~> $map($number))'],
    ['arithmetic on calls that return numbers', '$millis() - $toMillis("2026-01-01T00:00:00Z") + $number("5")'],
    ['arithmetic on a call of the expression\'s own function under a built-in name', '($now := function() { 1 }; $now() + 1)'],
    ['durations that run though no deadline could be one: before, none, lower case', '$addDuration($now(), "-P1D") & $addDuration($now(), "PT0S") & $addDuration($now(), "p1d")'],
  ])('accepts %s', (_, record) => {
    expect(problems(definition({ record }))).toEqual([])
  })

  it.each([
    ['$substring()', '0 arguments; it takes 1 to 3 arguments, the first of which may be left out'],
    ['$uppercase(inputs.comment, "x")', '2 arguments; it takes 0 to 1 argument'],
    ['$count()', '0 arguments; it takes 1 argument.'],
    ['$addDuration($now())', '1 argument; it takes 2 arguments.'],
    ['inputs.comment ~> $substring(0, 3, 4)', '4 arguments; it takes 1 to 3'],
    ['$millis(1)', 'takes no arguments here'],
    ['$zip()', '0 arguments; it takes at least 1 argument.'],
    ['$now("[Y0001]-[M01]-[D01]")', 'takes no arguments here'],
    ['$substring("abcdef")', 'cannot take what it is given (a text)'],
    ['$substring(inputs.comment, "0", "3")', 'cannot take what it is given (an expression, a text, a text)'],
    ['$addDuration($now(), 14)', 'cannot take what it is given ($now() (a text), a number)'],
    ['$uppercase()', 'is given no argument, so JSONata passes the current value as the first: here the whole instance (a mapping), which it does not take. JSONata would refuse the call when it runs.'],
    ['$fromMillis(inputs.comment)', 'is given inputs.comment (a text), which does not fit its first parameter, so JSONata passes the current value as the first: here the whole instance (a mapping), which it does not take. JSONata would refuse the call whenever inputs.comment is given.'],
    ['$addDuration($now(), "P14X")', 'is given "P14X", which is not an ISO 8601 duration'],
    ['$addDuration($now(), "14 days")', 'which is not an ISO 8601 duration'],
    ['$instant("2026-13-45T00:00:00Z")', 'is not an instant'],
  ])('refuses %s, which JSONata would refuse only when it runs', (record, given) => {
    expect(problems(definition({ record }))).toEqual([
      { line: RECORD_AT, code: 'definition.expression-function', message: expect.stringContaining(/^\d/.test(given) ? `is given ${given}` : given) as string, hint: expect.any(String) as string },
    ])
  })

  it.each([
    ['$uppercase(context.renewal)', 'function', '(context.renewal (true or false)): JSONata would refuse the call whenever context.renewal is given'],
    ['$round(inputs.comment)', 'function', '(inputs.comment (a text)): JSONata would refuse the call whenever inputs.comment is given'],
    ['$abs(parameters.purchasedDuration)', 'function', '(parameters.purchasedDuration (a text))'],
    ['$contains(context.renewal, "true")', 'function', '(context.renewal (true or false), a text)'],
    ['$substring(context.`order-id`, 1) & $abs(context.`order-id`)', 'function', '(context.order-id (a text))'],
    ['context.renewal ~> $trim()', 'function', '(context.renewal (true or false))'],
    ['$length(context.address)', 'function', '(context.address (a mapping))'],
    ['$uppercase(context.seats)', 'function', '(context.seats (a list of texts)): JSONata would refuse the call whenever context.seats is given'],
    ['$sum(inputs.comment)', 'function', '(inputs.comment (a text)): JSONata would refuse the call whenever inputs.comment is given'],
    ['$join(context.renewal)', 'function', '(context.renewal (true or false))'],
    ['$uppercase($$.context.renewal)', 'function', '(context.renewal (true or false)): JSONata would refuse the call whenever context.renewal is given'],
    ['$string($.context.seats + 1)', 'operator', '`+` takes numbers, and is given context.seats (a list)'],
    ['$string($$.inputs.comment * 2)', 'operator', '`*` takes numbers, and is given inputs.comment (a text)'],
    ['$each(context.seats, function($v) { $v })', 'function', '(context.seats (a list of texts), an expression)'],
    ['$formatNumber(context.seats, "#")', 'function', '(context.seats (a list of texts), a text)'],
    ['$string(context.`order-id` + 1)', 'operator', '`+` takes numbers, and is given context.order-id (a text): JSONata would refuse it whenever context.order-id is given.'],
    ['$string("5" * 2)', 'operator', '`*` takes numbers, and is given "5" (a text): JSONata would refuse it when it runs.'],
    ['$string($now() + 1)', 'operator', '`+` takes numbers, and is given $now() (a text): JSONata would refuse it when it runs.'],
    ['$string($addDuration($now(), "P1D") * 2)', 'operator', '`*` takes numbers, and is given $addDuration($now(), "P1D") (a text)'],
    ['$string($count([1, 2]) > "a")', 'operator', '`>` orders two numbers or two texts, and is given $count([1, 2]) (a number) and "a" (a text)'],
    ['$string($length("ab") > "a")', 'operator', '`>` orders two numbers or two texts, and is given $length("ab") (a number) and "a" (a text)'],
    ['$sum(context.seats)', 'function', '(context.seats (a list of texts)): JSONata would refuse the call whenever context.seats is given'],
    ['$sum(["1", "2"])', 'function', '`$sum()` cannot take what it is given (a list of texts): JSONata would refuse the call when it runs.'],
    ['$join([1, 2], ",")', 'function', '`$join()` cannot take what it is given (a list of numbers, a text)'],
    ['$string(-inputs.comment)', 'operator', '`-` takes numbers, and is given inputs.comment (a text)'],
    ['$string(context.renewal > 0)', 'operator', '`>` orders numbers or texts, and is given context.renewal (true or false)'],
    ['$string(inputs.comment <= 3)', 'operator', '`<=` orders two numbers or two texts, and is given inputs.comment (a text) and 3 (a number)'],
    ['$string(context.address > 2)', 'operator', '`>` orders numbers or texts, and is given context.address (a mapping)'],
    ['$string(context.address * 2)', 'operator', '`*` takes numbers, and is given context.address (a mapping)'],
    ['$string(context.seats + 1)', 'operator', '`+` takes numbers, and is given context.seats (a list): JSONata would refuse it whenever context.seats is given.'],
    ['$string(context.seats >= 2)', 'operator', '`>=` orders numbers or texts, and is given context.seats (a list)'],
    ['$string(context.seats = context.address)', 'comparison', 'is never true: context.seats (a list of texts) and context.address (a mapping) are never equal.'],
    ['$string(context.renewal = inputs.comment)', 'comparison', '`context.renewal = inputs.comment` is never true: context.renewal (true or false) and inputs.comment (a text) are never equal.'],
    ['$string(parameters.purchasedDuration != context.address)', 'comparison', 'is always true: parameters.purchasedDuration (a text) and context.address (a mapping)'],
  ])('refuses %s: a %s that fails, or never holds, for the type of a literal, a parameter or a declared field', (record, refused, message) => {
    expect(problems(definition({ record }))).toEqual([
      { line: RECORD_AT, code: refused === 'function' ? 'definition.expression-function' : 'definition.expression', message: expect.stringContaining(message) as string, hint: expect.any(String) as string },
    ])
  })

  it('names the list in the hint of an operator given one', () => {
    expect(problems(definition({ record: '$string(context.seats * 2)' }))[0]?.hint).toBe('Compute with what the list holds: $sum(context.seats), $count(context.seats), or one item of it (context.seats[0]).')
    expect(problems(definition({ record: '$string(2 < context.seats)' }))[0]?.hint).toBe('Compare an item of the list (context.seats[0]) or how many it holds ($count(context.seats)), not the list itself.')
  })

  it.each([
    '$string(context.renewal) & $uppercase(inputs.comment) & $number(context.renewal)',
    '$sum(context.renewal ? 1 : 0) + $length(context.`order-id`) + $length($string(inputs.comment))',
    '$abs(parameters.purchasedDuration ? 1 : 0) & $contains(context.`order-id`, "1") & (inputs.comment ~> $trim())',
    '$join(inputs.comment) & $substring(parameters.purchasedDuration, 1)',
    '$uppercase(data.`upload-proof`.inputs.enablingTime) & $not(context.renewal)',
    '$string($count(context.`order-id`) + 1) & $string(-$number(inputs.comment)) & (context.`order-id` & 1)',
    '$string(context.`order-id` > "A" and inputs.comment < context.`order-id` and $number(inputs.comment) >= 2)',
    '$string(context.address.floor + 1) & $string($count(context.address)) & $string($keys(context.address)) & $string(context.address.floor > 2)',
    '$string(context.`order-id` = inputs.comment and context.address.floor != context.renewal and context.address = context.address)',
    '$string($count(context.seats) + 1) & $join(context.seats, ", ") & $string(context.seats) & $string($sort(context.seats)) & $string(context.seats[0] > "A") & $string($exists(context.seats))',
  ])('accepts %s: each function and operator given types it takes, or ones only running it tells', (record) => {
    expect(problems(definition({ record }))).toEqual([])
  })

  it('accepts a function the expression defines under the name of a refused one', () => {
    expect(problems(definition({ when: '($random := function(){ 4 }; $random() = 4)' }))).toEqual([])
  })

  it.each([
    ['values.validFrm', 'validFrom'],
    ['parameters.purchaseDuration', 'purchasedDuration'],
    ['data.`upload-prof`', 'upload-proof'],
    ['parties.custmer', 'customer'],
    ['context.renewl', 'renewal'],
    ['inputs.coment', 'comment'],
    ['contxt.renewal', 'context'],
    ['data.`upload-proof`.inputs.enablingTme', 'enablingTime'],
    ['data.`upload-proof`.input.enablingTime', 'inputs'],
  ])('reports %s as an unknown name, suggesting "%s"', (text, suggestion) => {
    expect(problems(definition({ record: text }))).toEqual([
      { line: RECORD_AT, code: 'definition.expression-reference', message: expect.any(String) as string, hint: expect.stringContaining(`Did you mean "${suggestion}"?`) as string },
    ])
  })

  it('reports inputs read by an action that takes none', () => {
    const text = definition({}).replace('        inputs:\n          type: object\n          properties:\n            comment: { type: string }\n', '').replace('validFrom: "$now()"', 'validFrom: "inputs.comment"')
    expect(problems(text)).toEqual([
      { line: RECORD_AT.replace('36', '32'), code: 'definition.expression-reference', message: expect.stringContaining('"comment"') as string, hint: expect.stringContaining('takes no inputs') as string },
    ])
  })

  it('reports inputs read in a step\'s condition, where there are none', () => {
    expect(problems(definition({ when: 'inputs.comment' }))).toEqual([
      { line: WHEN_AT, code: 'definition.expression-reference', message: expect.stringContaining('"inputs"') as string, hint: expect.stringContaining('data.STEP.inputs') as string },
    ])
  })

  it('reports a variable that is not bound, and a field written as one', () => {
    expect(problems(definition({ when: '$context.renewal' }))).toEqual([
      { line: WHEN_AT, code: 'definition.expression-reference', message: expect.stringContaining('$context') as string, hint: expect.stringContaining('without "$"') as string },
    ])
  })

  it('reports a hyphenated name without backticks once, with the backticks it needs', () => {
    expect(problems(definition({ when: 'context.order-id', record: 'data.upload-proof.inputs.enablingTime ? data.upload-proof.inputs.enablingTime : $now()' }))).toEqual([
      { line: WHEN_AT, code: 'definition.expression-reference', message: expect.stringContaining('`context.order-id`') as string, hint: expect.stringContaining('context.`order-id`') as string },
      { line: RECORD_AT, code: 'definition.expression-reference', message: expect.stringContaining('`data.upload-proof.inputs.enablingTime`') as string, hint: expect.stringContaining('data.`upload-proof`.inputs.enablingTime') as string },
    ])
  })

  it('reports each unknown name once, and nothing for names read from items', () => {
    const found = problems(definition({ record: 'values.a & values.a & values.b & $map(data.*, function($d){ $d.whatever })' }))
    expect(found.map((p) => [p.code, p.message])).toEqual([
      ['definition.expression-reference', expect.stringContaining('"a"')],
      ['definition.expression-reference', expect.stringContaining('"b"')],
    ])
  })

  it('refuses a regular expression that can backtrack exponentially', () => {
    expect(problems(definition({ record: '$match(inputs.comment, /^(\\w+\\s?)*$/)' }))).toEqual([
      { line: RECORD_AT, code: 'definition.expression', message: expect.stringContaining('exponential') as string, hint: expect.any(String) as string },
    ])
    // An alternation repeated is as dangerous as a repetition repeated.
    expect(problems(definition({ record: '$contains(inputs.comment, /^(a|a)*$/)' })).map((p) => p.code)).toEqual(['definition.expression'])
    expect(problems(definition({ record: '$contains(inputs.comment, /^[ab]+(-[a-z0-9]+)?$/)' }))).toEqual([])
  })

  it('refuses a regular expression with a backreference or a lookaround, which V8 cannot move to its linear-time engine', () => {
    expect(problems(definition({ record: '$contains(inputs.comment, /^(\\d)\\d*\\d*\\1$/)' }))).toEqual([
      { line: RECORD_AT, code: 'definition.expression', message: expect.stringContaining('backreference or a lookaround') as string, hint: expect.stringContaining('\\k<name>') as string },
    ])
    expect(problems(definition({ record: '$contains(inputs.comment, /(?<!x)y/)' })).map((p) => p.code)).toEqual(['definition.expression'])
    expect(problems(definition({ record: '$contains(inputs.comment, /^[a-z]+[0-9]$/)' }))).toEqual([])
  })

  it('refuses = or != between a declared field and a literal it can never hold', () => {
    expect(problems(definition({ when: 'context.renewal = "true"' }))).toEqual([
      { line: WHEN_AT, code: 'definition.expression', message: '`context.renewal = "true"` is never true: context.renewal is true or false, never a text.', hint: 'Write true without quotes: context.renewal = true.' },
    ])
    expect(problems(definition({ when: 'context.renewal != 1' })).map((p) => p.message)).toEqual(['`context.renewal != 1` is always true: context.renewal is true or false, never a whole number.'])
    expect(problems(definition({ when: 'context.renewal = true' }))).toEqual([])
    expect(problems(definition({ when: '"x" = context.`order-id`' }))).toEqual([])
  })

  it('refuses = or != between a parameter, which always has a value, and a literal of another type, and between a field and a literal its const is not', () => {
    expect(problems(definition({ when: 'parameters.purchasedDuration = 5' })).map((p) => p.message)).toEqual(['`parameters.purchasedDuration = 5` is never true: parameters.purchasedDuration is a text, never a whole number.'])
    expect(problems(definition({ when: 'parameters.purchasedDuration = "P1Y"' }))).toEqual([])
    const withTier = (when: string): string => definition({ when }).replace('    renewal: { type: boolean }\n', '    renewal: { type: boolean }\n    tier: { const: 5 }\n')
    expect(problems(withTier('context.tier = 6')).map((p) => p.message)).toEqual(['`context.tier = 6` is never true: context.tier is always 5 where given.'])
    expect(problems(withTier('context.tier = 5'))).toEqual([])
  })

  it('refuses an instant ordered as a text, which compares letter by letter', () => {
    expect(problems(definition({ record: '$now() < "2027-01-01T00:00:00+08:00"' }))).toEqual([
      { line: RECORD_AT, code: 'definition.expression', message: expect.stringContaining('`<` compares `$now()` as texts, letter by letter') as string, hint: expect.stringContaining('$millis()') as string },
    ])
    expect(problems(definition({ record: '$millis() < $toMillis("2027-01-01T00:00:00+08:00")' }))).toEqual([])
    // Equality of texts is no order: left alone.
    expect(problems(definition({ record: '$now() = "2027-01-01T00:00:00.000Z"' }))).toEqual([])
  })

  it('refuses an expression written deeper than an evaluation may go, which would fail every time', async () => {
    const chain = (terms: number): string => Array.from({ length: terms }, (_, i) => `context.\`order-id\` = "s${i}"`).join(' or ')
    expect(problems(definition({ record: chain(600) }))).toEqual([
      { line: RECORD_AT, code: 'definition.expression', message: expect.stringContaining('nests 602 levels deep') as string, hint: expect.stringContaining(' in [') as string },
    ])
    expect(problems(definition({ record: chain(400) }))).toEqual([])
    // What the check stands for: evaluated, such a chain fails once it passes the evaluation's depth.
    const expression = compileExpression(chain(1_000), 'UTC', { file: 'x', line: 1, column: 1, pointer: '' })
    if (!('evaluate' in expression)) throw new Error(expression.reason)
    await expect(expression.evaluate({ context: { 'order-id': 'none' } }, '2026-01-01T00:00:00.000Z')).rejects.toThrow(/nested deeper than 1000 levels/)
  })

  it('refuses a regular expression counting a repeat past 1,000, and searches a long text in one pass', async () => {
    expect(problems(definition({ record: '$contains(inputs.comment, /[a-z]{1,100000}[0-9]/)' }))).toEqual([
      { line: RECORD_AT, code: 'definition.expression', message: expect.stringContaining('counts a repeat to 100,000') as string, hint: expect.stringContaining('$length()') as string },
    ])
    expect(problems(definition({ record: '$contains(inputs.comment, /[a-z]{1,1000}[0-9]/)' }))).toEqual([])
    // Not anchored: the backtracking engine took 2.9 s on 40,000 letters, one place after another,
    // and would run past the test's 30 s timeout on 200,000.
    const expression = compileExpression('$contains(inputs.note, /[a-z]+[0-9]/)', 'UTC', { file: 'x', line: 1, column: 1, pointer: '' })
    if (!('evaluate' in expression)) throw new Error(expression.reason)
    expect(await expression.evaluate({ inputs: { note: 'a'.repeat(200_000) } }, '2026-01-01T00:00:00.000Z')).toBe(false)
    expect(await expression.evaluate({ inputs: { note: 'ab1' } }, '2026-01-01T00:00:00.000Z')).toBe(true)
  })

  it('refuses a regular expression that cannot run on the linear-time engine and can share a text out among several repeats, or search it with one unbounded', async () => {
    const refused = (regex: string): string[] => problems(definition({ record: `$contains(inputs.comment, ${regex})` })).map((p) => p.message)
    expect(refused('/a{0,100}a{0,100}a{0,100}b/')).toEqual([expect.stringContaining('counts a repeat to 100, past the 16 that engine runs) and holds 3 repeats')])
    expect(refused('/é+x/i')).toEqual([expect.stringContaining('matches letters beyond ASCII in either case, with the i flag) and repeats without a bound')])
    expect(refused('/[a-z]{1,40}[0-9]+/i')).toEqual([expect.stringContaining('holds 2 repeats')])
    // On the linear engine, or one counted repeat off it: accepted.
    for (const safe of ['/a*a*a*a*b/i', '/^[a-z0-9._%+-]+@[a-z0-9.-]+[.][a-z]{2,}$/i', '/^[A-Z]{2,40}$/', '/é/i', '/^[a-z]{1,40}$/i']) expect(refused(safe), safe).toEqual([])
    // Accepted, and answered at once: the i flag is written out for the linear engine. On the
    // backtracking engine, which the i flag kept it on, past 30 s for 3,000 letters.
    const expression = compileExpression('$contains(inputs.note, /a*a*a*a*a*a*a*b/i)', 'UTC', { file: 'x', line: 1, column: 1, pointer: '' })
    if (!('evaluate' in expression)) throw new Error(expression.reason)
    expect(await expression.evaluate({ inputs: { note: 'A'.repeat(3000) } }, '2026-01-01T00:00:00.000Z')).toBe(false)
    expect(await expression.evaluate({ inputs: { note: 'aAB' } }, '2026-01-01T00:00:00.000Z')).toBe(true)
  })

  it.each([['false', 'never entered'], ['null', 'never entered'], ["'false'", 'always entered'], ['"context.renewal = true"', 'always entered'], ['[]', 'never entered'], ['{}', 'never entered'], ['()', 'never entered'], ['1 = 2', 'never entered'], ["[0, '']", 'never entered'], ['1 > 2 ? true : false', 'never entered']])('refuses the constant condition %s, which reads otherwise than it decides', (when, decides) => {
    expect(problems(definition({ when }))).toEqual([{ line: WHEN_AT, code: 'definition.expression', message: expect.stringContaining(decides) as string, hint: expect.any(String) as string }])
  })

  it.each([
    ['context.renewal == true', 'single ='],
    ['context.renewal = true && context.renewal = false', '`and` and `or`'],
    ['!context.renewal', '$not(...)'],
    ['$contains(inputs.comment, /abc/g)', 'flags i and m only'],
  ])('says what JSONata writes for an operator of another language: %s', (record, hint) => {
    expect(problems(definition({ record }))).toEqual([{ line: expect.any(String) as string, code: 'definition.expression', message: expect.any(String) as string, hint: expect.stringContaining(hint) as string }])
  })

  it('refuses ordering a duration parameter, which JSONata compares as a text, and accepts comparing the instants it leads to', () => {
    expect(problems(definition({ when: "parameters.purchasedDuration > 'P7D'" }))).toEqual([
      { line: WHEN_AT, code: 'definition.expression', message: expect.stringContaining('compares as a text') as string, hint: expect.stringContaining('$addDuration($now(), parameters.purchasedDuration)') as string },
    ])
    expect(problems(definition({ when: '$addDuration($now(), parameters.purchasedDuration) > $addDuration($now(), "P7D")' }))).toEqual([])
    expect(problems(definition({ when: "parameters.purchasedDuration = 'P1Y'" }))).toEqual([])
  })

  it('does not check an expression that is not valid JSONata any further', () => {
    expect(problems(definition({ when: '$nosuch(contxt.renewal' })).map((p) => p.code)).toEqual(['definition.expression'])
  })

  it('reports an expression nested too deeply to parse as invalid, not as a crash', () => {
    const deep = `${'['.repeat(5000)}1${']'.repeat(5000)}`
    expect(problems(definition({ when: deep })).map((p) => [p.line, p.code])).toEqual([[WHEN_AT, 'definition.expression']])
  })
})

describe('names read inside a declared field', () => {
  /** A process whose action takes a contact object and a list of lines, recording `record` (and whose `when` is `when`). */
  const nested = ({ when = 'true', record = '$now()' }: { when?: string; record?: string }): string => `id: demo
version: 1
title: Demo
roles: [customer]
context:
  type: object
  properties:
    order: { type: object, properties: { id: { type: string }, lines: { type: array, items: { type: object, properties: { sku: { type: string } } } } } }
steps:
  - id: submit
    title: Submit
    actor: customer
    actions:
      send:
        inputs:
          type: object
          properties:
            contact: { type: object, properties: { name: { type: string }, email: { type: string } } }
            note: { type: string }
            tags: { type: array, items: { type: string } }
            extra: { type: object, additionalProperties: true, properties: { colour: { type: string } } }
        record:
          value: ${JSON.stringify(record)}
  - id: check
    title: Check
    actor: customer
    when: ${JSON.stringify(when)}
    otherwise: { end: skipped }
    actions: { done: { end: completed } }
`
  const found = (text: string): Array<{ message: string; hint: string | undefined }> => problems(text).map(({ message, hint }) => ({ message, hint }))

  it.each([
    ['inputs.contact.emial', 'There is no field "emial" in inputs.contact, read as inputs.contact.emial.', 'Did you mean "email"?'],
    ['inputs.note.length', 'inputs.note is a text, which holds no field "length", read as inputs.note.length.', 'Its length is $length(inputs.note).'],
    ['inputs.tags.length', 'inputs.tags is a list of texts, which holds no field "length", read as inputs.tags.length.', 'The number of its items is $count(inputs.tags).'],
    ['context.order.lines.skuu', 'There is no field "skuu" in context.order.lines, read as context.order.lines.skuu.', 'Did you mean "sku"?'],
    ['inputs.extra.colur', 'No field "colur" is declared in inputs.extra, read as inputs.extra.colur.', 'Did you mean "colour"?'],
  ])('reports %s', (record, message, hint) => {
    expect(found(nested({ record }))).toEqual([{ message, hint: expect.stringContaining(hint) as string }])
  })

  it('reports a submission\'s nested input read in a condition', () => {
    expect(found(nested({ when: '$exists(data.submit.inputs.contact.nmae)' }))).toEqual([
      { message: 'There is no field "nmae" in data.submit.inputs.contact, read as data.submit.inputs.contact.nmae.', hint: 'Did you mean "name"?' },
    ])
  })

  it('accepts declared names at any depth, undeclared ones in an open object, and each item of a list', () => {
    for (const record of ['inputs.contact.email', 'context.order.lines.sku', 'inputs.extra.size', '$count(context.order.lines)', 'inputs.contact.name & context.order.id']) {
      expect(found(nested({ record })), record).toEqual([])
    }
  })
})

describe('values an action records', () => {
  const recording = (record: string): string => `id: demo\nversion: 1\ntitle: Demo\nroles: [customer]\nsteps:
  - id: order
    title: Order
    actor: customer
    actions:
      send:
        end: completed
        inputs: { type: object, properties: { seats: { type: integer } } }
        record:
${record}
`

  it('refuses a value read before its action records it, which would read nothing', () => {
    expect(problems(recording('          total: "values.seats * 2"\n          seats: inputs.seats'))).toEqual([
      { line: '14:18', code: 'definition.expression-reference', message: expect.stringContaining('"seats" is read before action "send" records it') as string, hint: 'Record "seats" above "total", or read what it is computed from.' },
    ])
  })

  it('accepts a value recorded just before, and one another action records', () => {
    expect(problems(recording('          seats: inputs.seats\n          total: "values.seats * 2"'))).toEqual([])
  })
})

describe('where a syntax error of an expression is reported', () => {
  /** The line and column reported for a `when` written as `written` (YAML, after `when: `) on line 9. */
  function placed(written: string): string | undefined {
    const text = `id: demo
version: 1
title: Demo
roles: [customer]
steps:
  - id: check
    title: Check
    actor: customer
    when: ${written}
    actions: { done: { end: completed } }
    otherwise: { end: skipped }
`
    const result = compileProcess(text, 'demo.yaml')
    const problem = result.ok ? undefined : result.errors.find((e) => e.code === 'definition.expression')
    return problem && `${problem.location.line}:${problem.location.column}`
  }

  it.each([
    ['plain, at the token the parser stopped at', 'parties.customer = "c" or foo bar', '9:41'],
    ['plain, just after the end when the expression stops short', 'parties.customer !=', '9:30'],
    ['in double quotes', '"$substring(parties.customer,,2) = 1"', '9:40'],
    ['in single quotes', '\'parties.customer = "c" and and x\'', '9:43'],
    ['in a literal block, on the line and column of the mistake', '|\n      $count(parties.customer) > 1\n        and foo bar', '11:17'],
    ['at the opening quote of a text the parser stopped at', '\'parties.customer = "a" "bcd"\'', '9:35'],
    ['at the first digit of a number the parser stopped at', '\'parties.customer = "a" 12345\'', '9:35'],
  ])('%s', (_, written, at) => {
    expect(placed(written)).toBe(at)
  })

  it.each([
    ['a folded block, whose lines are joined', '>\n      parties.customer = "c"\n        and foo bar'],
    ['a quoted text with an escape before the mistake', '"parties.\\u0063ustomer = 1 and and 2"'],
    ['a plain text over two lines', 'parties.customer = "c"\n      and foo bar'],
  ])('at the start of %s', (_, written) => {
    expect(placed(written)).toBe('9:11')
  })

  it('in a derived process, in the file that writes the expression', () => {
    const base = { text: 'id: b\nversion: 1\ntitle: B\nroles: [customer]\nsteps:\n  - id: check\n    title: Check\n    actor: customer\n    actions: { done: { end: completed } }\n', file: 'b.yaml' }
    const result = compileProcess('id: d\nversion: 1\ntitle: D\nextends: b\nsteps:\n  - id: check\n    title: Check\n    actor: customer\n    when: parties.customer and and x\n    actions: { done: { end: completed } }\n    otherwise: { end: skipped }\n', 'd.yaml', { base: () => base })
    expect(result.ok ? [] : result.errors.map((e) => `${e.location.file}:${e.location.line}:${e.location.column} ${e.code}`)).toEqual(['d.yaml:9:36 definition.expression'])
  })
})
