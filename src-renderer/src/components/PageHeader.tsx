import { Stack, Typography } from '@mui/material'
import type { ReactNode } from 'react'

export function PageHeader({ title, subtitle, actions }: { title: string; subtitle?: string; actions?: ReactNode }) {
  return (
    <Stack direction="row" spacing={2} sx={{ mb: 3, alignItems: 'flex-end', justifyContent: 'space-between' }}>
      <Stack spacing={0.5}>
        <Typography variant="h5" component="h1" data-testid="page-title">
          {title}
        </Typography>
        {subtitle && (
          <Typography variant="body2" color="text.secondary">
            {subtitle}
          </Typography>
        )}
      </Stack>
      {actions}
    </Stack>
  )
}
