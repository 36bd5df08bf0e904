/**
 * Counts words the way a reader would, in any language: Intl.Segmenter's word boundaries (ICU),
 * counting only word-like segments, so punctuation and spaces do not count and Chinese text is
 * split into words rather than counted per character or as one run.
 */
const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' })

export function countWords(text: string): number {
  let count = 0
  for (const segment of segmenter.segment(text)) if (segment.isWordLike) count++
  return count
}
