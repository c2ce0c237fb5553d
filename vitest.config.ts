import { fileURLToPath } from 'node:url'
import { configDefaults, defineConfig } from 'vitest/config'

// Tests import workspace packages from their sources, never from dist.
const src = (p: string) => fileURLToPath(new URL(p, import.meta.url))
const alias = {
  '@shuttle/protocol': src('./packages/protocol/src/index.ts'),
  '@shuttle/server': src('./packages/server/src/index.ts'),
  '@shuttle/core': src('./packages/core/src/node/index.ts'),
}

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'packages/*/src/browser/**'],
        },
      },
      {
        resolve: { alias: { ...alias, '@shuttle/core': src('./packages/core/src/browser/index.ts') } },
        test: { name: 'dom', include: ['packages/*/src/browser/**/*.test.ts'], environment: 'happy-dom' },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['packages/*/test/**/*.int.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          // Integration files move hundreds of MiB over loopback; two at a time fits 2 cores.
          maxWorkers: 2,
        },
      },
    ],
  },
})
