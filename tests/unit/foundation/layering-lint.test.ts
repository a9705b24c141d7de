/** The layering rules of DESIGN.md are enforced by ESLint: these imports must fail the lint. */
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'
import { repoRoot } from '../../helpers/cli'

const eslint = new ESLint({ cwd: repoRoot })

async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${repoRoot}/${filePath}` })
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`)
}

describe('layering lint', () => {
  it.each([
    ['src-renderer/src/bad.tsx', "import fs from 'node:fs'\nexport const x = fs", /renderer is DOM only/],
    ['src-renderer/src/bad.tsx', "import { app } from 'electron'\nexport const x = app", /renderer never imports electron/],
    ['src-renderer/src/bad.tsx', "import { openHistory } from '../../src-main/db'\nexport const x = openHistory", /imports only src-shared/],
    ['src-engine/bad.ts', "import { app } from 'electron'\nexport const x = app", /src-engine is plain Node/],
    ['src-shared/bad.ts', "import path from 'node:path'\nexport const x = path", /platform-neutral/],
    ['src-shared/bad.ts', "import { x } from '../src-main/app'\nexport const y = x", /bottom layer/],
    ['src-main/api/bad.ts', "import { app } from 'electron'\nexport const x = app", /Only src-main\/electron\//],
  ])('%s: %s is an error', async (file, code, message) => {
    const messages = await ruleIds(file, code)
    expect(messages.some((m) => m.startsWith('no-restricted-imports') && message.test(m))).toBe(true)
  })

  it('allows what each layer may import', async () => {
    expect(await ruleIds('src-main/electron/ok.ts', "import { app } from 'electron'\nexport const x = app")).toEqual([])
    expect(await ruleIds('src-renderer/src/ok.ts', "import { contract } from '../../src-shared/contract'\nexport const x = contract")).toEqual([])
  })
})
