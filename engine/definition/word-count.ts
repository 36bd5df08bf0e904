/**
 * Counts words the way a reader would, in any language: Intl.Segmenter's word boundaries (ICU),
 * counting only word-like segments, so punctuation and spaces do not count and Chinese text is
 * split into words rather than counted per character or as one run. Words joined by a hyphen
 * ("well-known", "e-mail", "30-day") count as one, as word processors count them.
 */
const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' })

/** Hyphen-minus, hyphen and non-breaking hyphen: between two words, they make one. */
const HYPHENS = new Set(['-', '\u2010', '\u2011'])

export function countWords(text: string): number {
  let count = 0
  // Whether the last segment was a word, and whether it was a hyphen right after one.
  let afterWord = false
  let hyphenated = false
  for (const { segment, isWordLike } of segmenter.segment(text)) {
    if (isWordLike) {
      if (!hyphenated) count++
      afterWord = true
      hyphenated = false
    } else {
      hyphenated = afterWord && HYPHENS.has(segment)
      afterWord = false
    }
  }
  return count
}
