import { describe, expect, it } from 'vitest'
import { diffConfigs, flattenConfig } from '../../../src-shared/config-diff'

describe('config diff', () => {
  it('flattens nested sections to dotted keys, keeping arrays and nulls as values', () => {
    expect(flattenConfig({ a: 1, training: { lr: 0.1, targets: ['q', 'v'], none: null }, empty: {} })).toEqual({
      a: '1',
      'training.lr': '0.1',
      'training.targets': '["q","v"]',
      'training.none': 'null',
      empty: '{}',
    })
  })

  it('lines up every key of every config and marks where they differ', () => {
    const rows = diffConfigs([{ training: { lr: 1, epochs: 2 } }, { training: { lr: 1, epochs: 3 }, extra: 'x' }])
    expect(rows).toEqual([
      { key: 'extra', values: ['', 'x'], differs: true },
      { key: 'training.epochs', values: ['2', '3'], differs: true },
      { key: 'training.lr', values: ['1', '1'], differs: false },
    ])
  })
})
