/**
 * Keys that H2O LLM Studio writes into cfg.yaml and that mean nothing here (multi-GPU, DeepSpeed, Python
 * tokenizer options, external loggers, chatbot identity, …). A file that carries them loads, with a note,
 * wherever they sit: H2O moved some between sections across versions.
 */
const ignoredKeys = new Set([
  'pretrained',
  'personalize',
  'chatbot_name',
  'chatbot_author',
  'tokenizer_kwargs',
  'use_fast',
  'compile_model',
  'gpus',
  'use_deepspeed',
  'trust_remote_code',
  'huggingface_branch',
  'find_unused_parameters',
  'mixed_precision_dtype',
  'use_flash_attention_2',
  'attention_implementation',
  'use_dora',
  'logger',
  'log_all_ranks',
])

const ignoredPrefixes = ['deepspeed', 'neptune', 'wandb']

export function isIgnoredH2oKey(key: string): boolean {
  return ignoredKeys.has(key) || ignoredPrefixes.some((prefix) => key.startsWith(prefix))
}
