import { createLocalStorageCheckpointStore } from '@shuttle/core'
import { onMounted, type Ref, ref } from 'vue'

export interface Unfinished {
  name: string
  size: number
  offset: number
  url: string
}

/**
 * Uploads a previous visit left unfinished, read from the engine's default checkpoint store
 * (localStorage) and checked against the server with a tus HEAD, so the page can say
 * "pick these files again to resume".
 */
export function useUnfinished(
  endpoint: string,
  headers: () => Promise<Record<string, string>> = async () => ({}),
): Ref<Unfinished[]> {
  const found = ref<Unfinished[]>([])
  onMounted(async () => {
    const base = new URL(endpoint, window.location.href).href
    let saved: Awaited<
      ReturnType<NonNullable<ReturnType<typeof createLocalStorageCheckpointStore>['list']>>
    > = []
    try {
      saved = (await createLocalStorageCheckpointStore().list?.()) ?? []
    } catch {
      return // storage disabled: nothing to offer
    }
    // One upload may be kept under two keys (its fingerprint and its content identity): once each.
    const seen = new Set<string>()
    const checks = saved
      .filter(({ checkpoint }) => checkpoint.endpoint === base && checkpoint.url && !checkpoint.finished)
      .filter(({ checkpoint }) => !seen.has(checkpoint.url!) && seen.add(checkpoint.url!) !== undefined)
      .map(async ({ checkpoint }) => {
        try {
          const res = await fetch(checkpoint.url!, {
            method: 'HEAD',
            headers: { ...(await headers()), 'Tus-Resumable': '1.0.0' },
          })
          const offset = Number(res.headers.get('upload-offset'))
          if (!res.ok || !Number.isFinite(offset) || offset >= checkpoint.size) return undefined
          return {
            name: checkpoint.metadata.filename ?? 'file',
            size: checkpoint.size,
            offset,
            url: checkpoint.url!,
          }
        } catch {
          return undefined
        }
      })
    found.value = (await Promise.all(checks)).filter((u): u is Unfinished => u !== undefined)
  })
  return found
}
