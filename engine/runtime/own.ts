/**
 * The value `record` holds under `key` itself, or undefined: never one it inherits from
 * Object.prototype. A record parsed from JSON (a request's parameters, parties or attachments, a
 * stored state) inherits `constructor`, `toString`... under names a process may also use.
 */
export function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined
}
