import { existsSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { CLI_BIN, type CliServer, spawnCli } from './cli.js'
import { makeTempDir, removeTempDir } from './server.js'

export interface CliServers {
  /** A path under this file's temporary root (made before its tests). */
  dir(name: string): string
  /** `shuttle serve` on `dir`; whatever is still running after the tests is SIGKILLed. */
  serve(dir: string): Promise<CliServer>
}

/**
 * For tests that kill and restart the built `shuttle serve`: registers the hooks that check the
 * CLI is built, make a temporary root, and afterwards stop every child left and remove the root.
 */
export function useCliServers(prefix: string): CliServers {
  let root: string | undefined
  const children: CliServer[] = []
  beforeAll(async () => {
    const dist = path.resolve(path.dirname(CLI_BIN), '../dist/main.js')
    if (!existsSync(dist))
      throw new Error(`${dist} is missing: run \`npx tsc -b\` before the integration tests`)
    root = await makeTempDir(prefix)
  })
  afterAll(async () => {
    for (const child of children) if (child.alive()) await child.stop('SIGKILL')
    await removeTempDir(root)
  })
  return {
    dir(name) {
      if (root === undefined) throw new Error('useCliServers: no root yet (call dir() inside a test)')
      return path.join(root, name)
    },
    async serve(dir) {
      const child = await spawnCli(dir)
      children.push(child)
      return child
    },
  }
}
