/** RFC 6901 JSON Pointers, the one way this engine names a place in a document or an input. */

/** `/steps/0/actions/a~1b` -> `['steps', '0', 'actions', 'a/b']`. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return []
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
}

/** Escapes one segment of a JSON Pointer. */
export function escapeSegment(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1')
}

/** Builds a JSON Pointer from its segments: `pointerOf('steps', 0, 'id')` -> `/steps/0/id`. */
export function pointerOf(...segments: ReadonlyArray<string | number>): string {
  return segments.map((s) => '/' + escapeSegment(s)).join('')
}
