import type { TusServer, UploadInfo } from '@shuttle/server'
import { formatBytes } from '../units.js'

/** One readable line per upload event. Returns a function that stops logging. */
export function logEvents(tus: TusServer, log: (line: string) => void): () => void {
  const line = (verb: string, upload: UploadInfo, extra = '') => {
    const name = upload.metadata.filename ?? upload.metadata.name ?? ''
    const size = upload.size === undefined ? 'length deferred' : formatBytes(upload.size)
    log(
      `${new Date().toISOString()}  ${verb.padEnd(10)} ${upload.id}  ${name ? `${JSON.stringify(name)} ` : ''}(${size})${extra}`,
    )
  }
  const offs = [
    tus.on('upload-created', ({ upload }) => line('created', upload)),
    tus.on('upload-finished', ({ upload }) => line('finished', upload)),
    tus.on('upload-terminated', ({ upload }) => line('deleted', upload)),
    tus.on('upload-expired', ({ upload }) => line('expired', upload)),
  ]
  return () => {
    for (const off of offs) off()
  }
}
