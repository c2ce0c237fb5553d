import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))

const REQUIRED = [
  'packages/protocol/dist/index.js',
  'packages/server/dist/index.js',
  'packages/core/dist/node/index.js',
  'packages/core/dist/browser/index.js',
]

/** The bench measures the BUILT packages; stop early with a clear message if they are missing. */
export async function checkDist({ needCore = true } = {}) {
  const missing = REQUIRED.filter((p) => !existsSync(root + p))
  if (missing.length > 0) {
    throw new Error(
      `The bench runs the built packages, but these are missing:\n  ${missing.join('\n  ')}\nBuild first: npx tsc -b`,
    )
  }
  if (!needCore) return
  const core = await import('@shuttle/core')
  if (typeof core.createUploader !== 'function') {
    throw new Error(
      '@shuttle/core (packages/core/dist/node) has no createUploader export yet. Rebuild: npx tsc -b',
    )
  }
}
