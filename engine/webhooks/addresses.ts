import { BlockList, isIP } from 'node:net'
import type { FieldProblem } from '../errors.js'

// Which addresses a webhook may not be sent to, so that an endpoint URL cannot make the server
// reach into its own network (SSRF): loopback, private, shared (carrier-grade NAT), link-local,
// unique-local, multicast, documentation, reserved and unspecified addresses (the 6to4 relays'
// former anycast range and SRv6's segment identifiers among them), IPv4 and IPv6, with IPv4 addresses
// written inside IPv6 (mapped `::ffff:a.b.c.d` and compatible `::a.b.c.d`) checked as IPv4, and
// the IPv6 ranges that carry IPv4 by translation or tunnelling refused whole.

const BLOCKED = new BlockList()
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) BLOCKED.addSubnet(network, prefix, 'ipv4')
for (const [network, prefix] of [
  // Not ::ffff:0:0/96: BlockList checks IPv4 addresses against IPv6 rules as mapped ones.
  ['::', 127], ['64:ff9b::', 96], ['100::', 64], ['2001:db8::', 32], ['3fff::', 20], ['5f00::', 16], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
  // IPv4 reached through translation or tunnels, whatever address it carries: local-use NAT64,
  // SIIT's IPv4-translated addresses, IETF protocol assignments (Teredo among them) and 6to4.
  ['64:ff9b:1::', 48], ['::ffff:0:0:0', 96], ['2001::', 23], ['2002::', 16],
] as const) BLOCKED.addSubnet(network, prefix, 'ipv6')

/** The IPv4 address an IPv6 address carries in its last 32 bits when it is mapped or compatible, else undefined. */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase()
  const dotted = /^::(?:ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/.exec(lower)
  if (dotted) return dotted[1]
  const hex = /^::(?:ffff:)?([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower)
  if (!hex) return undefined
  const high = parseInt(hex[1] ?? '0', 16)
  const low = parseInt(hex[2] ?? '0', 16)
  return [high >> 8, high & 255, low >> 8, low & 255].join('.')
}

/** Whether a webhook may not be sent to `address` (an IP address; anything else is refused too). */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address)
  if (family === 4) return BLOCKED.check(address, 'ipv4')
  if (family !== 6) return true
  const v4 = embeddedIpv4(address)
  return v4 === undefined ? BLOCKED.check(address, 'ipv6') : BLOCKED.check(v4, 'ipv4')
}

/** The host of a URL as an address or a name: IPv6 literals without their brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1')
}

export const URL_RULE = 'must be an absolute http or https URL written in full (http:// or https://, no spaces, control characters or backslashes), without user name or password, on a port from 1, at most 2048 characters'

/**
 * What a URL parser would mend rather than refuse, which a stored endpoint must not hold: white
 * space and control characters anywhere (dropped or trimmed), a backslash (read as a slash), a
 * scheme without its two slashes (`http:/host`), and an `@` before the host (an empty user name).
 */
// eslint-disable-next-line no-control-regex -- matching them is the point
const MENDED = /[\s\u0000-\u001f\u007f\\]|^(?!https?:\/\/)|^https?:\/\/[^/?#]*@/i

/** The URL `text` stands for, or the problem with it at `/url` (its form only: where it resolves is checked apart). */
export function parseEndpointUrl(text: string): URL | FieldProblem {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return { pointer: '/url', rule: 'format', message: URL_RULE }
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '' || url.hostname === '' || url.port === '0' || text.length > 2048 || MENDED.test(text)) {
    return { pointer: '/url', rule: 'format', message: URL_RULE }
  }
  return url
}
