/**
 * Counts words the way a reader would, in any language: Intl.Segmenter's word boundaries (ICU),
 * counting only word-like segments, so punctuation and spaces do not count and Chinese text is
 * split into words rather than counted per character or as one run. In the scripts that write
 * spaces between words, what no space separates is one word, as word processors count it: words
 * joined by a hyphen ("well-known", "e-mail"), a slash ("24/7", "and/or"), a dot or a colon (a web
 * address, "e.g."), an apostrophe or a comma with no space after it.
 */
const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' })

/** The scripts written without spaces between words: each of their words counts, whatever joins it. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u
const SPACE = /\s/u

export function countWords(text: string): number {
  let count = 0
  // Whether the last word is in a spaced script with no space after it yet: a word now continues it.
  let open = false
  for (const { segment, isWordLike } of segmenter.segment(text)) {
    if (isWordLike) {
      const spaced = !UNSPACED.test(segment)
      if (!(open && spaced)) count++
      open = spaced
    } else if (SPACE.test(segment)) {
      open = false
    }
  }
  return count
}
