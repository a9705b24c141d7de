import { Alert, AlertTitle } from '@mui/material'
import { useTranslation } from 'react-i18next'

/** Said plainly on a page whose feature is not in this version yet. */
export function NotBuilt({ what }: { what: string }) {
  const { t } = useTranslation()
  return (
    <Alert severity="info" data-testid="not-built">
      <AlertTitle>{t('pages.notBuilt')}</AlertTitle>
      {t('pages.notBuiltBody', { what })}
    </Alert>
  )
}
