/**
 * Both message catalogs have the same keys and no empty values, and no renderer component renders a
 * hard-coded English sentence (JSX text or a user-facing attribute with letters in it).
 */
import fs from 'node:fs'
import path from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { ERROR_SCOPES } from '../../../src-renderer/src/api/errors'
import { en } from '../../../src-renderer/src/i18n/en'
import { ja } from '../../../src-renderer/src/i18n/ja'
import { repoRoot } from '../../helpers/cli'

function flatten(catalog: object, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [key, value] of Object.entries(catalog)) {
    const name = prefix ? `${prefix}.${key}` : key
    if (typeof value === 'string') out.set(name, value)
    else for (const [k, v] of flatten(value as object, name)) out.set(k, v)
  }
  return out
}

function rendererFiles(dir = path.join(repoRoot, 'src-renderer', 'src')): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'i18n' ? [] : rendererFiles(full)
    return entry.name.endsWith('.tsx') ? [full] : []
  })
}

const userFacingAttributes = new Set(['label', 'title', 'placeholder', 'aria-label', 'alt', 'helperText', 'primary', 'secondary'])

/** Visible text written straight into JSX: the things a translator would never see. */
function hardCodedText(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX)
  const found: string[] = []
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node) && /\p{L}{2,}/u.test(node.text)) found.push(node.text.trim())
    if (ts.isJsxAttribute(node) && userFacingAttributes.has(node.name.getText()) && node.initializer && ts.isStringLiteral(node.initializer)) {
      if (/\p{L}{2,}/u.test(node.initializer.text)) found.push(`${node.name.getText()}="${node.initializer.text}"`)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found.map((text) => `${path.relative(repoRoot, file)}: ${text}`)
}

describe('message catalogs', () => {
  const english = flatten(en)
  const japanese = flatten(ja)

  it('have the same keys in English and Japanese', () => {
    expect([...japanese.keys()].sort()).toEqual([...english.keys()].sort())
  })

  it('have no empty message', () => {
    for (const [key, value] of [...english, ...japanese]) expect(value.trim(), key).not.toBe('')
  })

  it('use the same interpolation variables in both languages', () => {
    const variables = (text: string) => [...text.matchAll(/{{(\w+)}}/g)].map((m) => m[1]).sort()
    for (const [key, value] of english) expect(variables(japanese.get(key)!), key).toEqual(variables(value))
  })

  it('are really translated: Japanese messages are not copies of the English ones', () => {
    const sameAsEnglish = [...english].filter(([key, value]) => japanese.get(key) === value && /\p{L}{4,}/u.test(value))
    // Product names and technical terms may stay in English; sentences may not.
    expect(sameAsEnglish.map(([key]) => key).sort()).toEqual(['app.title', 'metrics.val/BLEU', 'metrics.val/Perplexity'])
  })
})

describe('renderer components', () => {
  it('render no hard-coded text: every string comes from the catalogs', () => {
    const files = rendererFiles()
    expect(files.length).toBeGreaterThan(5)
    expect(files.flatMap(hardCodedText)).toEqual([])
  })

  it('the detector itself catches hard-coded text', () => {
    const file = path.join(repoRoot, 'test-results', 'HardCoded.tsx')
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, 'export const A = () => <Button title="Delete all">Start training</Button>\n')
    expect(hardCodedText(file)).toEqual(['test-results/HardCoded.tsx: title="Delete all"', 'test-results/HardCoded.tsx: Start training'])
  })
})

/** Every `new UserError(message, 'code', …)` and `{ code, params }` message the host and engine send, read from the source. */
function userErrorCodes(): Map<string, string> {
  const codes = new Map<string, string>()
  const entries = ['src-main', 'src-engine', 'src-shared'].flatMap((dir) => fs.readdirSync(path.join(repoRoot, dir), { withFileTypes: true, recursive: true }))
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue
    const file = path.join(entry.parentPath, entry.name)
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)
    const visit = (node: ts.Node) => {
      if (ts.isNewExpression(node) && node.expression.getText() === 'UserError') {
        const code = node.arguments?.[1]
        if (code && ts.isStringLiteral(code)) codes.set(code.text, path.relative(repoRoot, file))
        // Codes chosen at run time are listed as string literals of a conditional: check both branches.
        if (code && ts.isConditionalExpression(code)) {
          for (const branch of [code.whenTrue, code.whenFalse]) if (ts.isStringLiteral(branch)) codes.set(branch.text, path.relative(repoRoot, file))
        }
      }
      // A CodedMessage written out: { code: 'engineKilled', params: {…} }.
      if (ts.isObjectLiteralExpression(node)) {
        const property = (name: string) => node.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText() === name)
        const code = property('code')?.initializer
        if (code && ts.isStringLiteral(code) && property('params')) codes.set(code.text, path.relative(repoRoot, file))
      }
      ts.forEachChild(node, visit)
    }
    visit(source)
  }
  return codes
}

describe('errors from the host', () => {
  it('every UserError code has a message in both catalogs, so the UI can say it in the user language', () => {
    const english = flatten(en)
    const japanese = flatten(ja)
    const codes = userErrorCodes()
    expect(codes.size).toBeGreaterThan(25)
    const missing = [...codes].filter(([code]) => !ERROR_SCOPES.some((scope) => english.has(`${scope}.${code}`) && japanese.has(`${scope}.${code}`)))
    expect(missing.map(([code, file]) => `${file}: ${code}`)).toEqual([])
  })
})
