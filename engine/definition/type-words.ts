/** The JSON types in words, one value of them (`a text`) or several (`texts`), for the problems of definitions. */
const WORDS: Readonly<Record<string, readonly [one: string, plural: string]>> = {
  string: ['a text', 'texts'],
  number: ['a number', 'numbers'],
  integer: ['a whole number', 'whole numbers'],
  boolean: ['true or false', 'true or false values'],
  object: ['a mapping', 'mappings'],
  array: ['a list', 'lists'],
  null: ['null', 'nulls'],
}

/** `type` in words: `a text` (`one`) or `texts` (`plural`); an unknown type as it is written. */
export function typeWords(type: string, form: 'one' | 'plural'): string {
  const words = WORDS[type]
  return words === undefined ? type : words[form === 'one' ? 0 : 1]
}
