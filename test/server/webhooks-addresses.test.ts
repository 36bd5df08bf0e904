import { describe, expect, it } from 'vitest'
import { isBlockedAddress, retryDelayMs, RETRY_DELAYS } from '../../engine/index.js'

describe('the addresses webhooks are not sent to', () => {
  it.each([
    '127.0.0.1', '127.255.0.9', '10.0.0.1', '172.16.5.4', '172.31.255.255', '192.168.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.251', '255.255.255.255',
    '::', '::1', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:a9fe:a9fe', '::127.0.0.1', 'not-an-address',
    '64:ff9b:1::7f00:1', '::ffff:0:7f00:1', '::ffff:0:127.0.0.1', '2002:7f00:1::', '2001:0:4136:e378:8000:63bf:3fff:fdd2',
    '192.88.99.1', '3fff::1', '3fff:fff::1', '5f00::1',
  ])('refuses %s', (address) => {
    expect(isBlockedAddress(address)).toBe(true)
  })

  it.each(['93.184.215.14', '8.8.8.8', '172.32.0.1', '192.169.0.1', '2606:2800:21f:cb07:6820:80da:af6b:8b2c', '::ffff:8.8.8.8', '2001:4860:4860::8888', '192.88.100.1', '4000::1'])('accepts %s', (address) => {
    expect(isBlockedAddress(address)).toBe(false)
  })
})

describe('the retry schedule', () => {
  it('waits each delay give or take 20%, and gives up after the last', () => {
    expect(RETRY_DELAYS.reduce((a, b) => a + b, 0)).toBeGreaterThan(5 * 86_400)
    expect(retryDelayMs(1, 0.5)).toBe(5_000)
    expect(retryDelayMs(1, 0)).toBe(4_000)
    expect(retryDelayMs(2, 0.999_999)).toBe(72_000)
    expect(retryDelayMs(RETRY_DELAYS.length, 0.5)).toBe(86_400_000)
    expect(retryDelayMs(RETRY_DELAYS.length + 1, 0.5)).toBeUndefined()
  })
})
