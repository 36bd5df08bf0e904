import type { Api, Who } from './http.js'
import { WHO } from './http.js'

/** A one-time console sign-in link for `who`, made through the API as the system would (an admin's by an admin, as only an admin may). */
export async function signInLink(api: Api, who: Who, returnUrl?: string): Promise<string> {
  const response = await api.call('POST', '/v1/console-sessions', { who: WHO[who].role === 'admin' ? 'admin' : 'system', json: { ...WHO[who], ...(returnUrl ? { returnUrl } : {}) } })
  if (response.status !== 201) throw new Error(`console-sessions answered ${response.status}: ${await response.text()}`)
  return (await response.json() as { url: string }).url
}
