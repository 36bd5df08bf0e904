import { expect } from 'vitest'

/**
 * Expects `response` to be an RFC 9457 problem with `status` and `code`, without a stack trace in
 * it, and returns its body.
 */
export async function expectProblem(response: Response, status: number, code: string): Promise<Record<string, unknown>> {
  const text = await response.text()
  expect(response.status, text).toBe(status)
  expect(response.headers.get('content-type')).toBe('application/problem+json')
  const body = JSON.parse(text) as Record<string, unknown>
  expect(body['code']).toBe(code)
  expect(text).not.toMatch(/\bat .*\.ts:\d+/) // no stack traces
  return body
}
