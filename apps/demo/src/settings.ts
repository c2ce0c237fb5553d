import type { ListType } from '@shuttle/vue'

/** Demo knobs from the URL, e.g. `/?chunk=1048576&concurrency=2&list=picture&lang=zh-CN`. */
export interface DemoSettings {
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
    chunkSize: int('chunk'),
    maxConcurrentUploads: int('concurrency'),
    listType: list === 'picture' || list === 'picture-card' ? list : 'text',
    locale: q.get('lang') === 'zh-CN' ? 'zh-CN' : 'en',
  }
}
