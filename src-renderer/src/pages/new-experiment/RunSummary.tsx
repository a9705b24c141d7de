/** "What will run": the numbers a beginner should see before saving, derived from the valid Config. */
import { Paper, Table, TableBody, TableCell, TableRow, Typography } from '@mui/material'
import type { TFunction } from 'i18next'
import { useTranslation } from 'react-i18next'
import { automaticValidationRows, type Config } from '../../../../src-shared/config'
import type { DatasetSummary } from '../../../../src-shared/entities'
import { loraParameterCount, modelShape, parameterCount } from '../../../../src-shared/memory-fit'
import { useFormat } from '../../format'
import type { MemoryFit } from './use-memory-fit'

const GiB = 1024 ** 3

/** Trainable parameters and their share, as the tutorial's table shows them; null until config.json is known. */
function trainableShare(config: Config, backboneConfig: Record<string, unknown> | null): { trainable: number; total: number } | null {
  if (!backboneConfig) return null
  try {
    const shape = modelShape(backboneConfig)
    const total = parameterCount(shape)
    return { total, trainable: config.training.lora ? loraParameterCount(shape, config.training.lora_r, config.training.lora_target_modules) : total }
  } catch {
    return null
  }
}

/** Training and validation rows after the split and the data_sample fraction. */
function plannedRows(config: Config, dataset: DatasetSummary): { train: number; validation: number } {
  const { validation_strategy, validation_size, data_sample, data_sample_choice } = config.dataset
  const validation = validation_strategy === 'automatic' ? automaticValidationRows(dataset.rows, validation_size) : 0
  const sampled = (rows: number, which: 'train' | 'validation') => (data_sample_choice.includes(which) ? Math.max(1, Math.round(rows * data_sample)) : rows)
  return { train: sampled(Math.max(0, dataset.rows - validation), 'train'), validation: validation > 0 ? sampled(validation, 'validation') : 0 }
}

/** What the engine really does with backbone_dtype and mixed_precision: TensorFlow.js has float32 only. */
function precisionStatement(t: TFunction, dtype: Config['architecture']['backbone_dtype'], mixed: boolean): string {
  const held = dtype === 'float32' ? t('newExperiment.summary.precisionFloat32') : t('newExperiment.summary.precisionWidened', { dtype, factor: widening[dtype] })
  return mixed ? `${held} ${t('newExperiment.summary.precisionMixed')}` : held
}

const widening = { float32: 1, float16: 2, bfloat16: 2, int8: 4, int4: 8 } as const

export function RunSummary({ config, dataset, memory }: { config: Config; dataset: DatasetSummary | undefined; memory: MemoryFit }) {
  const { t } = useTranslation()
  const format = useFormat()
  const { training: tr, tokenizer: tk, prediction, environment, architecture } = config
  const effectiveBatch = tr.batch_size * tr.grad_accumulation
  const rows = dataset ? plannedRows(config, dataset) : undefined
  const share = trainableShare(config, memory.backboneConfig)
  const gib = (bytes: number) => format.number(bytes / GiB, 3)
  const device = memory.device?.totalBytes
  const memoryText = !memory.advice
    ? memory.problem
      ? t('newExperiment.summary.memoryNoEstimate', { message: memory.problem })
      : t('newExperiment.summary.trainableUnknown')
    : device
      ? t(`newExperiment.summary.memoryOf${memory.device!.kind === 'gpu' ? 'Gpu' : 'System'}`, { total: gib(memory.advice.estimate.total), device: gib(device), backend: memory.device!.backend ?? '' })
      : t('newExperiment.summary.memoryDeviceUnknown', { total: gib(memory.advice.estimate.total) })
  const perEpoch = rows ? (tr.drop_last_batch ? Math.floor(rows.train / effectiveBatch) : Math.ceil(rows.train / effectiveBatch)) : undefined
  const lines: [string, string][] = [
    ['backbone', config.llm_backbone],
    ['dataset', dataset?.name ?? t('newExperiment.summary.noDataset')],
    ['rows', rows ? `${format.integer(rows.train)} / ${format.integer(rows.validation)}` : t('newExperiment.summary.rowsUnknown')],
    ['method', tr.lora ? t('newExperiment.summary.lora', { r: tr.lora_r, alpha: tr.lora_alpha }) : t('newExperiment.summary.full')],
    [
      'trainable',
      share
        ? t('newExperiment.summary.trainableValue', { trainable: format.integer(share.trainable), total: format.integer(share.total), share: (100 * share.trainable / share.total).toFixed(share.trainable / share.total < 0.01 ? 3 : 1) })
        : t('newExperiment.summary.trainableUnknown'),
    ],
    ['batch', t('newExperiment.summary.batchValue', { batch: tr.batch_size, accumulation: tr.grad_accumulation, effective: effectiveBatch })],
    ['steps', perEpoch === undefined ? t('newExperiment.summary.rowsUnknown') : t('newExperiment.summary.stepsValue', { perEpoch: format.integer(perEpoch), epochs: format.number(tr.epochs), total: format.integer(Math.ceil(perEpoch * tr.epochs)) })],
    ['optimizer', t('newExperiment.summary.optimizerValue', { optimizer: tr.optimizer, lr: format.number(tr.learning_rate), schedule: tr.schedule })],
    ['length', t('newExperiment.summary.lengthValue', { prompt: tk.max_length_prompt, answer: tk.max_length_answer, total: tk.max_length })],
    ['evaluation', t('newExperiment.summary.evaluationValue', { metric: prediction.metric, every: format.number(tr.evaluation_epochs) })],
    ['memory', memoryText],
    ['backend', t('newExperiment.summary.backendValue', { backend: environment.backend, dtype: architecture.backbone_dtype })],
    ['precision', precisionStatement(t, architecture.backbone_dtype, environment.mixed_precision)],
  ]
  return (
    <Paper variant="outlined" sx={{ p: 2 }} data-testid="run-summary">
      <Typography variant="subtitle1" component="h2" sx={{ mb: 1 }}>
        {t('newExperiment.summary.title')}
      </Typography>
      <Table size="small">
        <TableBody>
          {lines.map(([key, value]) => (
            <TableRow key={key} data-testid={`summary-${key}`}>
              <TableCell component="th" sx={{ color: 'text.secondary', width: '40%' }}>
                {t(`newExperiment.summary.${key}`)}
              </TableCell>
              <TableCell>{value}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Paper>
  )
}
