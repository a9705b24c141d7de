import { describe, expect, it } from 'vitest'
import { configFromYaml, decodeEscapes, defaultConfig } from '../../../src-shared/config'

describe('separator and marker texts', () => {
  it('turn typed escapes into the characters the engine inserts', () => {
    expect(decodeEscapes(defaultConfig().dataset.prompt_column_separator)).toBe('\n\n')
    expect(decodeEscapes('\\nシステム: ')).toBe('\nシステム: ')
    expect(decodeEscapes('a\\tb\\\\n')).toBe('a\tb\\n') // an escaped backslash stays one backslash
    expect(decodeEscapes('<|prompt|>')).toBe('<|prompt|>')
  })

  it('read H2O’s plain \\n\\n the same as our default', () => {
    const loaded = configFromYaml('dataset:\n  prompt_column_separator: \\n\\n\n')
    expect(loaded.config.dataset.prompt_column_separator).toBe(defaultConfig().dataset.prompt_column_separator)
  })
})
