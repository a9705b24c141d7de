/** Default experiment names: readable, and unique enough that two new experiments never collide. */
const adjectives = ['amber', 'brisk', 'calm', 'deft', 'eager', 'fresh', 'gentle', 'keen', 'lucid', 'merry', 'nimble', 'quiet', 'rapid', 'sunny', 'tidy', 'vivid']
const nouns = ['alpaca', 'badger', 'crane', 'dolphin', 'falcon', 'gecko', 'heron', 'ibis', 'koala', 'lynx', 'marten', 'otter', 'panda', 'quail', 'robin', 'tapir']

export function generateExperimentName(): string {
  const bytes = new Uint8Array(4)
  globalThis.crypto.getRandomValues(bytes)
  const [a = 0, n = 0, x = 0, y = 0] = bytes
  const suffix = ((x << 8) | y).toString(36).padStart(4, '0')
  return `${adjectives[a % adjectives.length]}-${nouns[n % nouns.length]}-${suffix}`
}
