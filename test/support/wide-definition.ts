/**
 * A valid definition whose one action takes `fields` string inputs, each with a bound of its own:
 * one that takes seconds to compile (about 0.5 ms a field), well under every size limit.
 */
export function wideDefinition(fields: number, id = 'wide'): string {
  const properties = Array.from({ length: fields }, (_, i) => `            f${i}: { type: string, maxLength: ${i + 1} }`).join('\n')
  return `id: ${id}\nversion: 1\ntitle: Wide\nroles: [customer]\nsteps:\n  - id: fill\n    title: Fill\n    actor: customer\n    actions:\n      send:\n        title: Send\n        end: done\n        inputs:\n          type: object\n          properties:\n${properties}\n`
}
