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
  }
}
