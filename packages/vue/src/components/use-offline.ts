import { computed, onBeforeUnmount, onMounted, ref } from 'vue'
import type { UploadFile } from '../types.js'

/**
 * True while the page is offline (the browser's online/offline events) or a file waits for the
 * network (the engine's probe found no answer). Listens only after mount: nothing runs during SSR.
 */
export function useOffline(files: () => readonly UploadFile[]) {
  const browserOffline = ref(false)
  const sync = () => {
    browserOffline.value = globalThis.navigator?.onLine === false
  }
  onMounted(() => {
    sync()
    window.addEventListener('online', sync)
    window.addEventListener('offline', sync)
  })
  onBeforeUnmount(() => {
    window.removeEventListener('online', sync)
    window.removeEventListener('offline', sync)
  })
  return computed(
    () => browserOffline.value || files().some((f) => f.phase === 'retrying' && f.waitingFor === 'network'),
  )
}
