/**
 * The New experiment form end to end, walked from the schema: every field has a control, changes made in
 * the browser come out in the exported cfg.yaml, and re-importing that file restores the same values.
 */
import fs from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configFields, configFromYaml, configToYaml, defaultConfig, getPath, isFieldVisible, sectionNames, setPath, type Config, type ConfigField } from '../../src-shared/config'
import { openHistory } from '../../src-main/db'
import { launchBrowser, newPage, screenshot } from '../helpers/browser'
import { startServe, type ServeProcess } from '../helpers/cli'
import { makeTempHome } from '../helpers/temp-home'
import { otherValue } from '../unit/config/config-samples'

/** Fields other fields' visibility depends on: changing them would hide what is being walked. */
const controllers = new Set(configFields.flatMap((f) => (f.spec.visibleWhen ? [f.spec.visibleWhen.field] : [])))

function fieldLocator(page: Page, field: ConfigField) {
  return page.getByTestId(`field-${field.path}`)
}

/** Click a section's tab and wait until its panel is the one rendered. */
async function openSection(page: Page, section: string) {
  // The tab row scrolls; on a loaded machine a click can land while it is still moving: try again.
  for (let attempt = 1; ; attempt++) {
    const tab = page.getByTestId(`tab-${section}`)
    await tab.scrollIntoViewIfNeeded()
    await tab.click()
    try {
      await page.getByTestId(`section-${section}`).waitFor({ timeout: 10_000 })
      return
    } catch (error) {
      if (attempt === 3) throw error
    }
  }
}

/** Set a field through its control, the way a user would, by widget kind. */
async function setThroughUi(page: Page, field: ConfigField, value: unknown) {
  const control = fieldLocator(page, field)
  switch (field.spec.widget) {
    case 'switch':
      return control.locator('input[type=checkbox]').setChecked(value === true)
    case 'select':
    case 'dataset':
    case 'optionalDataset':
      return control.locator('select').selectOption(value === null ? '' : String(value))
    case 'multiSelect': {
      const boxes = control.locator('input[type=checkbox]')
      for (const [index, choice] of (field.spec.choices ?? []).entries()) await boxes.nth(index).setChecked((value as string[]).includes(choice))
      return
    }
    case 'textList':
    case 'columns':
      return control.locator('input').fill((value as string[]).join(', '))
    default:
      return control.locator('input').fill(value === null ? '' : String(value))
  }
}

async function importYaml(page: Page, name: string, text: string) {
  await page.getByTestId('import-yaml-input').setInputFiles({ name, mimeType: 'application/yaml', buffer: Buffer.from(text) })
  await expect.poll(() => page.getByTestId('import-result').textContent()).toContain(name)
}

async function exportYaml(page: Page): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-yaml').click()])
  return fs.readFileSync((await download.path())!, 'utf8')
}

describe('the New experiment form in Chromium', () => {
  const home = makeTempHome()
  let serve: ServeProcess
  let browser: Browser
  let datasetId: string

  beforeAll(async () => {
    const history = openHistory(`${home.dir}/studio.db`)
    datasetId = history.datasets.create({ name: 'dolly-ja.csv', source: 'file:/tmp/dolly-ja.csv', path: '/tmp/dolly-ja.csv', format: 'csv', rows: 200, columns: ['instruction', 'input', 'output'] }).id
    history.close()
    serve = await startServe({ FINETUNE_STUDIO_HOME: home.dir })
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    await serve?.stop()
    home.cleanup()
  })

  async function openForm(): Promise<{ page: Page; errors: string[] }> {
    const opened = await newPage(browser, 'en-US')
    await opened.page.goto(`${serve.url}#/new-experiment`)
    await expect.poll(() => opened.page.getByTestId('page-title').textContent()).toBe('New experiment')
    return opened
  }

  it('shows a control for every schema field, exactly when its visibility rule says so', async () => {
    const { page, errors } = await openForm()
    // Two configs that between them make every field visible (e.g. LoRA fields vs freeze_layers).
    const base = defaultConfig()
    const showA = [['dataset.parent_id_column', 'parent_id'], ['dataset.data_sample', 0.5], ['training.differential_learning_rate_layers', ['lm_head']], ['prediction.do_sample', true], ['prediction.num_beams', 1], ['prediction.metric', 'OpenAI API']] as const
    const showB = [['dataset.validation_strategy', 'custom'], ['training.lora', false], ['training.schedule', 'Cosine']] as const
    const seen = new Set<string>()
    for (const [name, changes] of [['a.yaml', showA], ['b.yaml', showB]] as const) {
      const config = changes.reduce<Config>((c, [path, value]) => setPath(c, path, value), base)
      await importYaml(page, name, configToYaml(config))
      for (const section of sectionNames) {
        await openSection(page, section)
        for (const field of configFields.filter((f) => f.section === section)) {
          const shown = isFieldVisible(field, config)
          expect(await fieldLocator(page, field).count(), `${field.path} in ${name}`).toBe(shown ? 1 : 0)
          if (shown) {
            seen.add(field.path)
            expect(await fieldLocator(page, field).textContent(), `${field.path} label`).toBeTruthy()
          }
        }
      }
    }
    expect([...seen].sort()).toEqual(configFields.map((f) => f.path).sort())
    expect(errors).toEqual([])
  })

  it('exports the values changed in the form, and re-importing the file restores them', async () => {
    const { page, errors } = await openForm()
    let expected = configFromYaml(await exportYaml(page)).config
    const changed: string[] = []
    for (const field of configFields) {
      if (controllers.has(field.path) || field.spec.choices?.length === 1) continue
      if (!isFieldVisible(field, expected)) continue
      const value = field.spec.widget === 'dataset' ? datasetId : otherValue(field, getPath(expected, field.path))
      await openSection(page, field.section)
      await setThroughUi(page, field, value)
      expected = setPath(expected, field.path, value)
      changed.push(field.path)
    }
    expect(changed.length).toBeGreaterThan(50)
    await screenshot(page, 'en-new-experiment-changed')

    const exported = await exportYaml(page)
    const loaded = configFromYaml(exported)
    expect(loaded.issues.filter((i) => i.severity !== 'note')).toEqual([])
    for (const path of changed) expect(getPath(loaded.config, path), path).toEqual(getPath(expected, path))
    expect(loaded.config).toEqual(expected)

    // Reset every section, check the form really went back to defaults, then re-import the export.
    for (const section of sectionNames) {
      await openSection(page, section)
      await page.getByTestId(`reset-${section}`).click()
    }
    const afterReset = configFromYaml(await exportYaml(page)).config
    expect(afterReset.training.learning_rate).toBe(defaultConfig().training.learning_rate)
    expect(afterReset.dataset.train_dataframe).toBe('')
    await importYaml(page, 'exported.cfg.yaml', exported)
    expect(configFromYaml(await exportYaml(page)).config).toEqual(expected)
    expect(errors).toEqual([])
  })

  it('shows live validation, blocks saving on errors, and saves a queued experiment', async () => {
    const { page, errors } = await openForm()
    const status = page.getByTestId('validation-status')
    const save = page.getByTestId('save-experiment')
    // Defaults without a dataset: one error (no training data) and the tutorial's temperature warning.
    await expect.poll(() => status.getAttribute('data-errors')).toBe('1')
    expect(await save.isDisabled()).toBe(true)
    await openSection(page, 'dataset')
    await fieldLocator(page, configFields.find((f) => f.path === 'dataset.train_dataframe')!).locator('select').selectOption(datasetId)
    await expect.poll(() => status.getAttribute('data-errors')).toBe('0')
    expect(await status.getAttribute('data-warnings')).toBe('1')

    await openSection(page, 'tokenizer')
    const maxLength = page.getByTestId('field-tokenizer.max_length')
    await maxLength.locator('input').fill('64')
    await expect.poll(() => page.getByTestId('issue-tokenizer.max_length').getAttribute('data-severity')).toBe('error')
    expect(await page.getByTestId('issue-tokenizer.max_length').textContent()).toContain('Raise max_length to 256')
    expect(await save.isDisabled()).toBe(true)
    await page.getByTestId('reset-tokenizer').click()
    await expect.poll(() => page.getByTestId('issue-tokenizer.max_length').count()).toBe(0)

    await openSection(page, 'training')
    await page.getByTestId('help-training.learning_rate').hover()
    await expect.poll(() => page.getByRole('tooltip').textContent()).toContain('YAML key: training.learning_rate · default: 0.00015')

    // The tutorial's trainable-parameter table: unknown until the backbone is here, then counted from its
    // config.json. Demo GPT-2 (V 530, C 64, 2 layers, 512 positions, tied): 166,784 parameters; LoRA r=4 on
    // every linear: 2 × 4 × ((64+192) + (64+64) + (64+256) + (256+64)) = 8,192 (4.9%).
    await openSection(page, 'experiment')
    expect(await page.getByTestId('summary-trainable').textContent()).toContain('known once the backbone is on this computer')
    await page.getByTestId('field-llm_backbone').locator('input').fill('finetune-studio/demo-tiny-gpt2')
    await expect.poll(() => page.getByTestId('summary-trainable').textContent()).toBe('Trainable parameters8,192 of 166,784 (4.9%)')
    // backbone_dtype float16 and mixed_precision (the defaults) cannot be honoured by TensorFlow.js: said plainly
    expect(await page.getByTestId('summary-precision').textContent()).toBe('Precision in this engineTensorFlow.js has no float16: the backbone is held and computed in float32, about 2× the memory float16 would take. mixed_precision has no effect here: every step computes in float32.')
    const name = await page.getByTestId('field-experiment_name').locator('input').inputValue()
    await save.click()
    await expect.poll(() => page.getByTestId('save-result').textContent()).toContain(name)
    const history = openHistory(`${home.dir}/studio.db`)
    const [row] = history.experiments.list({ search: name })
    expect(row).toMatchObject({ name, status: 'queued', datasetId, backbone: 'finetune-studio/demo-tiny-gpt2' })
    expect(fs.readFileSync(`${home.dir}/experiments/${row!.id}/cfg.yaml`, 'utf8')).toContain(`experiment_name: ${name}`)
    history.close()
    expect(errors).toEqual([])
  })

  it('speaks Japanese: labels, help and messages', async () => {
    const { page } = await newPage(browser, 'ja-JP')
    await page.goto(`${serve.url}#/new-experiment`)
    await expect.poll(() => page.getByTestId('page-title').textContent()).toBe('新しい実験')
    await openSection(page, 'training')
    expect(await page.getByTestId('field-training.learning_rate').textContent()).toContain('学習率')
    await screenshot(page, 'ja-new-experiment-training')
  })
})
