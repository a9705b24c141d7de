import { Box } from '@mui/material'
import { NotBuilt } from '../components/NotBuilt'
import { PageHeader } from '../components/PageHeader'

/** A page whose feature a later version builds: it says so instead of pretending. */
export function PlannedPage({ title, what }: { title: string; what: string }) {
  return (
    <Box>
      <PageHeader title={title} />
      <NotBuilt what={what} />
    </Box>
  )
}
