/** One section of the Config: its visible fields, generated from the schema, and a reset to defaults. */
import RestartIcon from '@mui/icons-material/RestartAltOutlined'
import { Box, Button, Stack, Typography } from '@mui/material'
import { useTranslation } from 'react-i18next'
import { fieldsOfSection, getPath, isFieldVisible, type SectionName } from '../../../../src-shared/config'
import type { DatasetSummary } from '../../../../src-shared/entities'
import { FieldControl } from './FieldControl'
import type { ConfigDraft } from './use-config-draft'

export function SectionPanel({ section, form, datasets }: { section: SectionName; form: ConfigDraft; datasets: DatasetSummary[] }) {
  const { t } = useTranslation()
  const title = t(`config.sections.${section}.title`)
  const fields = fieldsOfSection(section).filter((field) => isFieldVisible(field, form.draft))
  return (
    <Stack spacing={2} data-testid={`section-${section}`}>
      <Stack direction="row" spacing={2} sx={{ alignItems: 'center', justifyContent: 'space-between' }}>
        <Typography variant="body2" color="text.secondary">
          {t(`config.sections.${section}.description`)}
        </Typography>
        <Button size="small" startIcon={<RestartIcon />} onClick={() => form.resetSection(section)} data-testid={`reset-${section}`}>
          {t('newExperiment.resetSection', { section: title })}
        </Button>
      </Stack>
      <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', md: '1fr 1fr' }, gap: 2 }}>
        {fields.map((field) => (
          <FieldControl
            key={field.path}
            field={field}
            value={getPath(form.draft, field.path)}
            onChange={(value) => form.setField(field.path, value)}
            issue={form.issuesByField.get(field.path)}
            datasets={datasets}
          />
        ))}
      </Box>
    </Stack>
  )
}
