/** Flattening configs to dotted keys and lining several up, for the compare view's "differences only". */

export type Flat = Record<string, string>

export function flattenConfig(value: unknown, prefix = '', out: Flat = {}): Flat {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>)
    if (entries.length === 0 && prefix) out[prefix] = '{}'
    for (const [key, child] of entries) flattenConfig(child, prefix ? `${prefix}.${key}` : key, out)
  } else if (prefix) {
    out[prefix] = typeof value === 'string' ? value : JSON.stringify(value)
  }
  return out
}

export interface DiffRow {
  key: string
  /** One value per config, '' where a config lacks the key. */
  values: string[]
  differs: boolean
}

export function diffConfigs(configs: unknown[]): DiffRow[] {
  const flats = configs.map((c) => flattenConfig(c))
  const keys = [...new Set(flats.flatMap((f) => Object.keys(f)))].sort()
  return keys.map((key) => {
    const values = flats.map((f) => f[key] ?? '')
    return { key, values, differs: new Set(values).size > 1 }
  })
}
