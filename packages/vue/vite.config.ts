import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'

// Library mode: one ESM file plus one extracted style.css; vue and the engine stay external so
// apps share a single copy of each.
export default defineConfig({
  plugins: [vue()],
  build: {
    lib: {
      entry: fileURLToPath(new URL('./src/index.ts', import.meta.url)),
      formats: ['es'],
      fileName: () => 'index.js',
      cssFileName: 'style',
    },
    emptyOutDir: false,
    sourcemap: true,
    rollupOptions: { external: ['vue', /^@shuttle\//] },
  },
})
