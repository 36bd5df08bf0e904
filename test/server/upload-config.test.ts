import { describe, expect, it } from 'vitest'
import { resolveConfig } from '../../server/config.js'

describe('upload settings of serve', () => {
  it('default to a day to attach an upload, and 100 files and 1 GiB per hour and principal', () => {
    expect(resolveConfig({}, {})).toMatchObject({ uploadTtlSeconds: 86_400, uploadQuota: { filesPerHour: 100, bytesPerHour: 1024 ** 3 } })
  })

  it('are taken from the flags, then the environment', () => {
    const env = { DC_UPLOAD_TTL: '48', DC_UPLOAD_QUOTA_FILES: '10', DC_UPLOAD_QUOTA_MB: '5' }
    expect(resolveConfig({}, env)).toMatchObject({ uploadTtlSeconds: 48 * 3600, uploadQuota: { filesPerHour: 10, bytesPerHour: 5 * 1024 * 1024 } })
    expect(resolveConfig({ uploadTtl: '1.5', uploadQuotaFiles: '3', uploadQuotaMb: '0.5' }, env))
      .toMatchObject({ uploadTtlSeconds: 5400, uploadQuota: { filesPerHour: 3, bytesPerHour: 512 * 1024 } })
  })

  it.each([
    [{ uploadTtl: '0.5' }, '--upload-ttl / DC_UPLOAD_TTL must be a number from 1'],
    [{ uploadQuotaFiles: '0' }, '--upload-quota-files / DC_UPLOAD_QUOTA_FILES must be a number from 1'],
    [{ uploadQuotaMb: 'lots' }, '--upload-quota-mb / DC_UPLOAD_QUOTA_MB must be a number'],
  ])('refuse %j, naming the option and what it accepts', (flags, message) => {
    expect(() => resolveConfig(flags, {})).toThrow(message)
  })
})
