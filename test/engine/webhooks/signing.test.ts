import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import { SecretBox } from '../../../engine/index.js'
import { newSecret, signatureHeader } from '../../../engine/webhooks/signing.js'

describe('webhook signatures', () => {
  it('are those of the Standard Webhooks reference library, for any id, instant and body', () => {
    const bodies = ['', '{}', JSON.stringify({ type: 'delivery.completed', data: { note: 'Ünïcødé, 中文, 🚚, "quotes" \\ and \u2028' } }), 'x'.repeat(1 << 20)]
    const instants = [new Date(0), new Date('2026-12-07T18:00:00.999Z'), new Date(1_790_000_000_123)]
    for (const secret of [newSecret(), newSecret(), `whsec_${Buffer.alloc(32, 255).toString('base64')}`]) {
      const reference = new Webhook(secret)
      for (const id of ['01a24a87-0000-4000-8000-000000000000.4', 'e', 'webhook-endpoint.disabled.1790000000123']) {
        for (const at of instants) {
          for (const body of bodies) expect(signatureHeader([secret], id, at, body)).toBe(reference.sign(id, at, body))
        }
      }
    }
  })

  it('list one signature per secret, each verified by the reference library with its own', () => {
    const [current, previous] = [newSecret(), newSecret()]
    const at = new Date()
    const body = '{"id":"x"}'
    const header = signatureHeader([current, previous], 'msg-1', at, body)
    expect(header.split(' ')).toHaveLength(2)
    const headers = { 'webhook-id': 'msg-1', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': header }
    for (const secret of [current, previous]) expect(new Webhook(secret).verify(body, headers)).toEqual({ id: 'x' })
    expect(() => new Webhook(newSecret()).verify(body, headers)).toThrow(/No matching signature/)
  })
})

describe('the box sealing the secrets', () => {
  it('opens a secret for its own endpoint only, however often it was opened before, and not with another key', () => {
    const box = new SecretBox(SecretBox.newKey())
    const secret = newSecret()
    const sealed = box.seal(secret, 'we-1')
    for (let i = 0; i < 3; i++) expect(box.open(sealed, 'we-1')).toBe(secret)
    expect(() => box.open(sealed, 'we-2')).toThrow(expect.objectContaining({ code: 'webhook-endpoint.secret-unreadable' }))
    expect(() => new SecretBox(SecretBox.newKey()).open(sealed, 'we-1')).toThrow(expect.objectContaining({ code: 'webhook-endpoint.secret-unreadable' }))
    // Altered after it was opened: refused, not answered from what was opened before.
    const altered = `${sealed.slice(0, -2)}${sealed.endsWith('AA') ? 'BB' : 'AA'}`
    expect(() => box.open(altered, 'we-1')).toThrow(expect.objectContaining({ code: 'webhook-endpoint.secret-unreadable' }))
    // More secrets than are kept opened: each still opens to its own.
    const many = Array.from({ length: 1500 }, (_, i) => ({ id: `we-${i}`, secret: newSecret() }))
    const sealedMany = many.map(({ id, secret: s }) => box.seal(s, id))
    for (const [i, { id, secret: s }] of many.entries()) expect(box.open(sealedMany[i] as string, id)).toBe(s)
    expect(box.open(sealed, 'we-1')).toBe(secret)
  })
})
