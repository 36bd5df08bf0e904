/**
 * Rules for the free text people write into a delivery or a proposal (a termination's reason, a
 * proposal's comment): what a terminal or a log would act on is refused, and what shows nothing
 * is no text at all.
 */

/** Control characters but line breaks and tabs. */
// eslint-disable-next-line no-control-regex -- matching them is the point
export const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/u

/** What shows nothing: white space and format characters (zero-width spaces, direction marks). */
const INVISIBLE = /[\s\p{Cf}]/gu

/** Whether `text` shows nothing: only white space and format characters, or nothing at all. */
export function isBlank(text: string): boolean {
  return text.replace(INVISIBLE, '') === ''
}

/** The words of a refusal of control characters in a field. */
export const CONTROL_RULE = 'must not contain control characters (line breaks and tabs are kept)'
