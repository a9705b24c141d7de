/** One metric over training steps, as a chart.js line that grows as points arrive. */
import { useTheme } from '@mui/material'
import { CategoryScale, Chart as ChartJS, Legend, LinearScale, LineElement, PointElement, Tooltip } from 'chart.js'
import { Line } from 'react-chartjs-2'
import type { MetricPoint } from '../../../src-shared/entities'

ChartJS.register(LineElement, PointElement, LinearScale, CategoryScale, Tooltip, Legend)

export interface ChartSeries {
  label: string
  points: MetricPoint[]
}

export function MetricChart({ series, stepLabel, height = 220, legend = series.length > 1 }: { series: ChartSeries[]; stepLabel: string; height?: number; legend?: boolean }) {
  const theme = useTheme()
  const colors = [theme.palette.primary.main, theme.palette.secondary.main, theme.palette.success.main, theme.palette.warning.main]
  return (
    <div style={{ height }}>
      <Line
        data={{
          datasets: series.map((s, i) => ({
            label: s.label,
            data: s.points.map((p) => ({ x: p.step, y: p.value })),
            borderColor: colors[i % colors.length],
            backgroundColor: colors[i % colors.length],
            pointRadius: s.points.length > 50 ? 0 : 2,
            borderWidth: 2,
            tension: 0.2,
          })),
        }}
        options={{
          animation: false,
          maintainAspectRatio: false,
          parsing: false,
          interaction: { mode: 'nearest', intersect: false },
          scales: {
            x: { type: 'linear', title: { display: true, text: stepLabel, color: theme.palette.text.secondary }, ticks: { color: theme.palette.text.secondary } },
            y: { ticks: { color: theme.palette.text.secondary }, grid: { color: theme.palette.divider } },
          },
          plugins: { legend: { display: legend, labels: { color: theme.palette.text.primary } } },
        }}
      />
    </div>
  )
}
