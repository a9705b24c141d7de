/**
 * A model card (README.md with the Hub's YAML metadata) for an adapter or a merged model fine-tuned here:
 * the base model, how it was trained, and how to load it with PEFT or Transformers.
 */
export interface ModelCardInput {
  repo: string
  baseModel: string
  kind: 'adapter' | 'merged'
  license?: string | null
  /** Hub dataset ids the model was trained on (local files are described, not linked). */
  datasets?: string[]
  datasetDescription?: string
  /** Training settings to list, e.g. { lora_r: 4, learning_rate: 0.00015, epochs: 50 }. */
  settings?: Record<string, string | number | boolean>
  /** Final metrics, e.g. { 'validation loss': 1.23, BLEU: 21.4 }. */
  metrics?: Record<string, number>
}

const yamlString = (value: string) => JSON.stringify(value)

export function modelCard(input: ModelCardInput): string {
  const name = input.repo.split('/').at(-1)!
  const front = [
    '---',
    `base_model: ${yamlString(input.baseModel)}`,
    `library_name: ${input.kind === 'adapter' ? 'peft' : 'transformers'}`,
    ...(input.license ? [`license: ${yamlString(input.license)}`] : []),
    'pipeline_tag: text-generation',
    'tags:',
    '- finetune-studio',
    ...(input.kind === 'adapter' ? ['- lora', '- peft'] : []),
    ...(input.datasets && input.datasets.length > 0 ? ['datasets:', ...input.datasets.map((d) => `- ${yamlString(d)}`)] : []),
    '---',
  ]
  const settings = Object.entries(input.settings ?? {})
  const metrics = Object.entries(input.metrics ?? {})
  const load =
    input.kind === 'adapter'
      ? [
          'from peft import PeftModel',
          'from transformers import AutoModelForCausalLM, AutoTokenizer',
          '',
          `base = AutoModelForCausalLM.from_pretrained(${yamlString(input.baseModel)})`,
          `model = PeftModel.from_pretrained(base, ${yamlString(input.repo)})`,
          `tokenizer = AutoTokenizer.from_pretrained(${yamlString(input.baseModel)})`,
        ]
      : [
          'from transformers import AutoModelForCausalLM, AutoTokenizer',
          '',
          `model = AutoModelForCausalLM.from_pretrained(${yamlString(input.repo)})`,
          `tokenizer = AutoTokenizer.from_pretrained(${yamlString(input.repo)})`,
        ]
  return [
    ...front,
    '',
    `# ${name}`,
    '',
    `${input.kind === 'adapter' ? 'A LoRA adapter for' : 'A fine-tuned version of'} [${input.baseModel}](https://huggingface.co/${input.baseModel}), trained with Finetune Studio.`,
    ...(input.datasetDescription ? ['', `Training data: ${input.datasetDescription}`] : []),
    ...(settings.length > 0 ? ['', '## Training settings', '', '| Setting | Value |', '| --- | --- |', ...settings.map(([k, v]) => `| ${k} | ${String(v)} |`)] : []),
    ...(metrics.length > 0 ? ['', '## Results', '', '| Metric | Value |', '| --- | --- |', ...metrics.map(([k, v]) => `| ${k} | ${v} |`)] : []),
    '',
    '## How to use',
    '',
    '```python',
    ...load,
    '```',
    '',
  ].join('\n')
}
