import type { ListType } from '@shuttle/vue'

/**
 * Demo knobs from the URL, e.g. `/?chunk=1048576&concurrency=2&list=picture&lang=zh-CN`;
 * `?protocol=s3` sends parts straight to S3 (needs `shuttle serve --s3-bucket`).
 */
export interface DemoSettings {
  protocol: 'tus' | 's3'
  chunkSize?: number
  maxConcurrentUploads?: number
  listType: ListType
  locale: 'en' | 'zh-CN'
  /** `?endpoint=http://…/files/`: another tus endpoint (cross-origin needs its CORS). */
  endpoint?: string
  /** `?theme=dark|light`: fixed colours; default: the OS preference. */
  theme: 'auto' | 'light' | 'dark'
  /** `?retries=0,500`: the engine's retryDelays in ms (its length is the retry budget). */
  retryDelays?: number[]
  /** `?identity=1|0|auto`: the engine's content identity (hashing; resume by content). Default: core's. */
  identity?: boolean | 'auto'
  /** `?keep=<bytes>`: files up to this size are copied into OPFS for the next visit (default 10 MiB). */
  keepLimit?: number
}

export function readSettings(search: string): DemoSettings {
  const q = new URLSearchParams(search)
  const int = (name: string) => {
    const v = Number(q.get(name))
    return Number.isInteger(v) && v > 0 ? v : undefined
  }
  const list = q.get('list')
  return {
    protocol: q.get('protocol') === 's3' ? 's3' : 'tus',
    chunkSize: int('chunk'),
    maxConcurrentUploads: int('concurrency'),
    listType: list === 'picture' || list === 'picture-card' ? list : 'text',
    locale: q.get('lang') === 'zh-CN' ? 'zh-CN' : 'en',
    endpoint: q.get('endpoint') || undefined,
    theme: q.get('theme') === 'dark' ? 'dark' : q.get('theme') === 'light' ? 'light' : 'auto',
    retryDelays: retries(q.get('retries')),
    ...identityOf(q.get('identity')),
    keepLimit: int('keep'),
  }
}

function identityOf(v: string | null): { identity?: boolean | 'auto' } {
  if (v === '1' || v === 'true') return { identity: true }
  if (v === '0' || v === 'false') return { identity: false }
  return v === 'auto' ? { identity: 'auto' } : {}
}

function retries(v: string | null): number[] | undefined {
  if (v === null) return undefined
  const delays = v === '' ? [] : v.split(',').map(Number)
  return delays.every((d) => Number.isFinite(d) && d >= 0) ? delays : undefined
}
