/** Moving cfg.yaml text in and out of the browser: its file name, and a picked file's text. */

export function configFileName(experimentName: string): string {
  const safe = experimentName.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '')
  return `${safe || 'experiment'}.cfg.yaml`
}
