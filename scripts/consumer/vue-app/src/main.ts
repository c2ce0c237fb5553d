import { createBrowserIdentityHasher, type FileSource } from '@shuttle/core'
import { Shuttle } from '@shuttle/vue'
import '@shuttle/vue/style.css'
import { createApp } from 'vue'
import App from './App.vue'

createApp(App).use(Shuttle, { locale: 'en' }).mount('#app')

// The identity worker as Vite emitted it from the published @shuttle/core: the consumer test
// hashes bytes made here with it (sha256-4m, workers even for a small input) and checks the value.
;(window as unknown as { identityOf: (size: number) => Promise<string> }).identityOf = async (size) => {
  const blob = new Blob([Uint8Array.from({ length: size }, (_, i) => (i * 31) & 0xff)])
  const source: FileSource = {
    info: { name: 'made-here.bin', type: '', size },
    body: (start, end) => blob.slice(start, end),
    read: async (start, end) => new Uint8Array(await blob.slice(start, end).arrayBuffer()),
    close: async () => {},
  }
  const id = await createBrowserIdentityHasher({ workerThreshold: 0 }).hash({
    source,
    signal: new AbortController().signal,
  })
  return Array.from(id, (b) => b.toString(16).padStart(2, '0')).join('')
}
