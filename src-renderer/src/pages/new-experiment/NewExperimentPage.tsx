/**
 * The New experiment page: the Config as one generated form per section (tabs), live validation, YAML
 * import and export, a summary of what will run, and Save, which queues an experiment on the host.
 */
import DownloadIcon from '@mui/icons-material/FileDownloadOutlined'
import UploadIcon from '@mui/icons-material/FileUploadOutlined'
import SaveIcon from '@mui/icons-material/SaveOutlined'
import { Alert, Badge, Box, Button, Paper, Stack, Tab, Tabs, Typography } from '@mui/material'
import { useState, type ChangeEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { configFromYaml, configToYaml, generateExperimentName, hasErrors, sectionNames, type ConfigIssue, type SectionName } from '../../../../src-shared/config'
import { useApi, useQuery } from '../../api/context'
import { errorMessage } from '../../api/errors'
import { PageHeader } from '../../components/PageHeader'
import { ColumnSuggestions } from './FieldControl'
import { IssueList } from './IssueList'
import { MemoryWarning } from './MemoryWarning'
import { RunSummary } from './RunSummary'
import { SaveAnywayDialog } from './SaveAnywayDialog'
import { useMemoryFit } from './use-memory-fit'
import { SectionPanel } from './SectionPanel'
import { useConfigDraft } from './use-config-draft'
import { downloadText } from '../../download'
import { configFileName } from './yaml-files'

type SaveState = { state: 'idle' } | { state: 'saving' } | { state: 'saved'; name: string } | { state: 'failed'; message: string; issues: ConfigIssue[] }

function sectionOf(field: string): SectionName {
  const head = field.split('.')[0] ?? ''
  return field.includes('.') && (sectionNames as readonly string[]).includes(head) ? (head as SectionName) : 'experiment'
}

/** The issues a failed create carries (ORPCError data), when it carries any. */
function issuesOf(error: unknown): ConfigIssue[] {
  const data = (error as { data?: { issues?: unknown } } | null)?.data
  return Array.isArray(data?.issues) ? (data.issues as ConfigIssue[]) : []
}

export function NewExperimentPage() {
  const { t } = useTranslation()
  const api = useApi()
  const [datasetsQuery] = useQuery((client) => client.datasets.list(), [])
  const datasets = datasetsQuery.state === 'ready' ? datasetsQuery.value : []
  const form = useConfigDraft(datasets)
  const [section, setSection] = useState<SectionName>('experiment')
  const [importReport, setImportReport] = useState<{ file: string; issues: ConfigIssue[] } | null>(null)
  const [save, setSave] = useState<SaveState>({ state: 'idle' })
  const [confirming, setConfirming] = useState(false)
  const memory = useMemoryFit(form.config)
  const tooBig = memory.advice?.estimate.fits === false
  const trainData = datasets.find((d) => d.id === form.config?.dataset.train_dataframe)
  const errors = form.issues.filter((i) => i.severity === 'error').length
  const warnings = form.issues.filter((i) => i.severity === 'warning').length

  const importYaml = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0]
    event.target.value = '' // picking the same file again is a new import
    if (!file) return
    const loaded = configFromYaml(await file.text())
    form.replace(loaded.config)
    setImportReport({ file: file.name, issues: loaded.issues })
    setSave({ state: 'idle' })
  }

  const saveExperiment = async () => {
    if (!form.config) return
    setSave({ state: 'saving' })
    try {
      const created = await api.experiments.create(form.config)
      setSave({ state: 'saved', name: created.name })
      // A second save of the same form must not collide with the name just used.
      form.setField('experiment_name', generateExperimentName())
    } catch (error) {
      setSave({ state: 'failed', message: errorMessage(t, error), issues: issuesOf(error) })
    }
  }

  const countIn = (name: SectionName, severity: 'error' | 'warning') => form.issues.filter((i) => i.severity === severity && sectionOf(i.field) === name).length

  return (
    <Box>
      <PageHeader
        title={t('newExperiment.title')}
        subtitle={t('newExperiment.subtitle')}
        actions={
          <Stack direction="row" spacing={1} sx={{ flexShrink: 0, '& .MuiButton-root': { whiteSpace: 'nowrap' } }}>
            <Button component="label" variant="outlined" startIcon={<UploadIcon />} data-testid="import-yaml">
              {t('newExperiment.importYaml')}
              <input hidden type="file" accept=".yaml,.yml,application/yaml,text/yaml" onChange={(e) => void importYaml(e)} data-testid="import-yaml-input" />
            </Button>
            <Button
              variant="outlined"
              startIcon={<DownloadIcon />}
              disabled={!form.config}
              onClick={() => form.config && downloadText(configFileName(form.config.experiment_name), configToYaml(form.config), 'application/yaml')}
              data-testid="export-yaml"
            >
              {t('newExperiment.exportYaml')}
            </Button>
            <Button
              variant="contained"
              startIcon={<SaveIcon />}
              disabled={!form.config || hasErrors(form.issues) || save.state === 'saving'}
              onClick={() => (tooBig ? setConfirming(true) : void saveExperiment())}
              data-testid="save-experiment"
            >
              {save.state === 'saving' ? t('newExperiment.saving') : t('newExperiment.save')}
            </Button>
          </Stack>
        }
      />
      <ColumnSuggestions columns={trainData?.columns ?? []} />
      {confirming && form.config && memory.advice && (
        <SaveAnywayDialog
          config={form.config}
          advice={memory.advice}
          onCancel={() => setConfirming(false)}
          onSave={() => {
            setConfirming(false)
            void saveExperiment()
          }}
        />
      )}
      <Stack spacing={2}>
        {datasetsQuery.state === 'ready' && datasets.length === 0 && <Alert severity="info">{t('newExperiment.noDatasets')}</Alert>}
        {datasetsQuery.state === 'error' && <Alert severity="error">{t('common.error', { message: datasetsQuery.message })}</Alert>}
        {save.state === 'saved' && (
          <Alert severity="success" data-testid="save-result" action={<Button color="inherit" size="small" onClick={() => (window.location.hash = '/experiments')}>{t('newExperiment.openExperiments')}</Button>}>
            {t('newExperiment.saved', { name: save.name })}
          </Alert>
        )}
        {save.state === 'failed' && (
          <Alert severity="error" data-testid="save-result">
            {save.issues.length > 0 ? <IssueList issues={save.issues} testId="save-issues" /> : t('common.error', { message: save.message })}
          </Alert>
        )}
        {importReport && (
          <Alert severity={importReport.issues.some((i) => i.severity !== 'note') ? 'warning' : 'info'} onClose={() => setImportReport(null)} data-testid="import-result">
            <Typography variant="body2">{t(importReport.issues.length > 0 ? 'newExperiment.importProblems' : 'newExperiment.imported', { file: importReport.file })}</Typography>
            <IssueList issues={importReport.issues} testId="import-issues" />
          </Alert>
        )}
        <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', lg: 'minmax(0, 2fr) minmax(0, 1fr)' }, gap: 2, alignItems: 'start' }}>
          <Paper variant="outlined">
            <Tabs value={section} onChange={(_, next: SectionName) => setSection(next)} variant="scrollable" scrollButtons="auto" sx={{ borderBottom: 1, borderColor: 'divider' }}>
              {sectionNames.map((name) => {
                const errorCount = countIn(name, 'error')
                const warningCount = countIn(name, 'warning')
                return (
                  <Tab
                    key={name}
                    value={name}
                    data-testid={`tab-${name}`}
                    label={
                      <Badge color={errorCount > 0 ? 'error' : 'warning'} badgeContent={errorCount || warningCount} sx={{ pr: errorCount || warningCount ? 1.5 : 0 }}>
                        {t(`config.sections.${name}.title`)}
                      </Badge>
                    }
                  />
                )
              })}
            </Tabs>
            <Box sx={{ p: 2 }}>
              <SectionPanel section={section} form={form} datasets={datasets} />
            </Box>
          </Paper>
          <Stack spacing={2}>
            {form.config && tooBig && memory.advice && <MemoryWarning config={form.config} advice={memory.advice} />}
            {form.config && <RunSummary config={form.config} dataset={trainData} memory={memory} />}
            <Paper variant="outlined" sx={{ p: 2 }} data-testid="validation">
              <Typography variant="body2" sx={{ mb: 1 }} data-testid="validation-status" data-errors={errors} data-warnings={warnings}>
                {errors > 0 ? t('newExperiment.fixErrors', { count: errors }) : warnings > 0 ? t('newExperiment.warnings', { count: warnings }) : t('newExperiment.allGood')}
              </Typography>
              <IssueList issues={form.issues} testId="validation-issues" />
            </Paper>
          </Stack>
        </Box>
      </Stack>
    </Box>
  )
}
