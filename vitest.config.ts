import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { configDefaults, defineConfig } from 'vitest/config'

// Tests import workspace packages from their sources, never from dist.
const src = (p: string) => fileURLToPath(new URL(p, import.meta.url))
const alias = {
  '@shuttle/protocol': src('./packages/protocol/src/index.ts'),
  '@shuttle/s3-signing': src('./packages/s3-signing/src/index.ts'),
  '@shuttle/redis-locker': src('./packages/redis-locker/src/index.ts'),
  '@shuttle/s3-store': src('./packages/s3-store/src/index.ts'),
  '@shuttle/server/conformance': src('./packages/server/src/conformance/index.ts'),
  '@shuttle/server/metrics': src('./packages/server/src/metrics/index.ts'),
  '@shuttle/server': src('./packages/server/src/index.ts'),
  '@shuttle/core': src('./packages/core/src/node/index.ts'),
}

// Tests over real sockets, processes and Chromium on a shared 2-core machine: in CI a failing test
// gets one more full run (vitest reports it as retried); a test that fails twice fails the build.
const socketRetry = process.env.CI ? 1 : 0

// Node 25+ defines its own global `localStorage` (undefined without --localstorage-file), which
// hides the DOM environment's: DOM tests run without it, as they would in a browser.
const nodeMajor = Number(process.versions.node.split('.')[0])
const domExecArgv = nodeMajor >= 25 ? ['--no-experimental-webstorage'] : []

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: [
            ...configDefaults.exclude,
            'packages/*/src/browser/**',
            'packages/vue/**',
            'test/**/*.int.test.ts',
          ],
        },
      },
      {
        resolve: { alias: { ...alias, '@shuttle/core': src('./packages/core/src/browser/index.ts') } },
        test: {
          name: 'dom',
          include: ['packages/*/src/browser/**/*.test.ts'],
          environment: 'happy-dom',
          execArgv: domExecArgv,
        },
      },
      {
        plugins: [vue()],
        resolve: { alias: { ...alias, '@shuttle/core': src('./packages/core/src/browser/index.ts') } },
        test: {
          name: 'vue',
          include: ['packages/vue/src/**/*.test.ts'],
          environment: 'happy-dom',
          execArgv: domExecArgv,
        },
      },
      {
        test: {
          name: 'e2e',
          retry: socketRetry,
          include: ['e2e/**/*.e2e.test.ts'],
          exclude: [...configDefaults.exclude, 'e2e/**/s3-*.e2e.test.ts'],
          // Real Chromium against the built demo and CLI: one file at a time on 2 shared cores.
          testTimeout: 180_000,
          hookTimeout: 180_000,
          maxWorkers: 1,
          fileParallelism: false,
          // Projects with their own maxWorkers run as separate groups, after the fast ones.
          sequence: { groupOrder: 2 },
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          retry: socketRetry,
          include: ['packages/*/test/**/*.int.test.ts', 'bench/test/*.int.test.ts', 'test/**/*.int.test.ts'],
          exclude: [
            ...configDefaults.exclude,
            'packages/*/test/**/s3-*.int.test.ts',
            'test/**/s3-*.int.test.ts',
          ],
          // REDIS_URL or a redis-server of the run's own (packages/server/test/helpers/redis-env.ts reads it).
          globalSetup: ['packages/server/test/helpers/redis-global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          // Integration files move hundreds of MiB over loopback; two at a time fits 2 cores.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration-s3',
          retry: socketRetry,
          // Against a real S3 engine: the global setup uses S3_ENDPOINT or starts Ceph RGW
          // (scripts/s3-rgw.sh, one for the whole run), and fails with instructions when neither
          // is possible. Redis as in 'integration', for multi-instance tests over S3.
          include: ['packages/*/test/**/s3-*.int.test.ts', 'test/**/s3-*.int.test.ts'],
          globalSetup: [
            'packages/server/test/helpers/s3-global-setup.ts',
            'packages/server/test/helpers/redis-global-setup.ts',
          ],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          maxWorkers: 2,
          sequence: { groupOrder: 3 },
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e-s3',
          retry: socketRetry,
          // The demo in protocol 's3' mode in Chromium against Ceph RGW (same global setup as above).
          include: ['e2e/**/s3-*.e2e.test.ts'],
          // Redis too: the three-instance tests keep their locks in it.
          globalSetup: [
            'packages/server/test/helpers/s3-global-setup.ts',
            'packages/server/test/helpers/redis-global-setup.ts',
          ],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          maxWorkers: 1,
          fileParallelism: false,
          sequence: { groupOrder: 4 },
        },
      },
    ],
  },
})
