/** A bar chart of rows per token-length bin; the rows that a max length would cut in the error colour. */
import { useTheme } from '@mui/material'
import { BarElement, CategoryScale, Chart as ChartJS, Legend, LinearScale, Tooltip } from 'chart.js'
import { Bar } from 'react-chartjs-2'
import { useTranslation } from 'react-i18next'
import type { TokenLengthStats } from '../../../../src-shared/datasets'

ChartJS.register(CategoryScale, LinearScale, BarElement, Tooltip, Legend)

export function TokenHistogram({ stats }: { stats: TokenLengthStats }) {
  const { t } = useTranslation()
  const theme = useTheme()
  const labels = stats.bins.map((b) => (b.to - b.from === 1 ? `${b.from}` : `${b.from}–${b.to - 1}`))
  return (
    <Bar
      data-testid="token-histogram"
      aria-label={t('datasets.tokens.title')}
      role="img"
      options={{
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: true, position: 'bottom' } },
        scales: {
          x: { stacked: true, title: { display: true, text: t('datasets.tokens.xAxis') } },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: t('datasets.tokens.yAxis') } },
        },
      }}
      data={{
        labels,
        datasets: [
          { label: t('datasets.tokens.keptLegend'), data: stats.bins.map((b) => b.count - b.cut), backgroundColor: theme.palette.primary.main },
          { label: t('datasets.tokens.cutLegend'), data: stats.bins.map((b) => b.cut), backgroundColor: theme.palette.error.main },
        ],
      }}
    />
  )
}
