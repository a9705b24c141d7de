/** Short, sortable, collision-resistant ids: time prefix (base36 ms) + random suffix. */
export function newId(prefix: string): string {
  const time = Date.now().toString(36).padStart(9, '0')
  const bytes = new Uint8Array(6)
  globalThis.crypto.getRandomValues(bytes)
  const random = Array.from(bytes, (b) => b.toString(36).padStart(2, '0')).join('').slice(0, 10)
  return `${prefix}_${time}${random}`
}
