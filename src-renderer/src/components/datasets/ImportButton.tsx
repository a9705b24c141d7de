/**
 * Pick a data file: in the browser, upload it to the host; in the desktop app, the native open dialog
 * (the host reads the file it picked: no size limit, no copy through the page).
 */
import UploadIcon from '@mui/icons-material/UploadFileOutlined'
import { Button } from '@mui/material'
import { useRef } from 'react'
import { useTranslation } from 'react-i18next'
import type { DatasetDetail } from '../../../../src-shared/datasets'
import { useApi, useQuery } from '../../api/context'

/** The WebSocket carries 64 MiB; base64 makes 4 bytes of 3. */
export const MAX_UPLOAD_BYTES = 48 * 1024 * 1024

function toBase64(bytes: Uint8Array): string {
  let binary = ''
  const chunk = 0x8000
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk))
  return btoa(binary)
}

export interface ImportEvents {
  onStart: (name: string) => void
  onDone: (detail: DatasetDetail) => void
  onError: (error: unknown, name: string) => void
  onTooLarge: (name: string, bytes: number) => void
}

export function ImportButton({ busy, events }: { busy: boolean; events: ImportEvents }) {
  const { t } = useTranslation()
  const api = useApi()
  const input = useRef<HTMLInputElement>(null)
  const [info] = useQuery((client) => client.system.info(), [])
  const desktop = info.state === 'ready' && info.value.host === 'electron'

  const pickOnHost = async () => {
    let name = ''
    try {
      const picked = await api.datasets.pickFile()
      if (!picked) return
      name = picked.name
      events.onStart(name)
      events.onDone(await api.datasets.importFile({ picked: picked.token }))
    } catch (error) {
      events.onError(error, name)
    }
  }

  const upload = async (file: File) => {
    if (file.size > MAX_UPLOAD_BYTES) return events.onTooLarge(file.name, file.size)
    events.onStart(file.name)
    try {
      const bytes = new Uint8Array(await file.arrayBuffer())
      events.onDone(await api.datasets.importFile({ name: file.name, contentBase64: toBase64(bytes) }))
    } catch (error) {
      events.onError(error, file.name)
    }
  }

  return (
    <>
      <input
        ref={input}
        type="file"
        hidden
        accept=".csv,.tsv,.json,.jsonl,.parquet"
        data-testid="dataset-file-input"
        onChange={(event) => {
          const file = event.target.files?.[0]
          event.target.value = ''
          if (file) void upload(file)
        }}
      />
      <Button variant="contained" startIcon={<UploadIcon />} disabled={busy} onClick={() => (desktop ? void pickOnHost() : input.current?.click())} data-testid="dataset-import">
        {t('datasets.import')}
      </Button>
    </>
  )
}
