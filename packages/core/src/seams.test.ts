import { readdir, readFile } from 'node:fs/promises'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// The seams the code promises, checked on its import statements: no transport imports another
// (shared HTTP helpers live in transports/http.ts), and the engine imports no transport, only the
// Transport interface and those helpers (it gets its transport through the `transport` option).
const src = dirname(fileURLToPath(import.meta.url))
const TRANSPORTS = ['tus', 's3', 'form']

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true })
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name))
}

/** Files (relative to src) that `file` imports from inside the package. */
async function importsOf(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8')
  return [...text.matchAll(/from '(\.{1,2}\/[^']+)'/g)].map((m) =>
    relative(src, resolve(dirname(file), m[1] as string)).replace(/\.js$/, '.ts'),
  )
}

const transportOf = (path: string) => /^transports\/([^/]+)\//.exec(path)?.[1]

describe('import seams of @shuttle/core', () => {
  it('no transport imports another transport', async () => {
    const crossings: string[] = []
    for (const file of await sourceFiles(join(src, 'transports'))) {
      const own = transportOf(relative(src, file))
      if (!own) continue
      for (const dep of await importsOf(file)) {
        const other = transportOf(dep)
        if (other && other !== own) crossings.push(`${relative(src, file)} → ${dep}`)
      }
    }
    expect(crossings).toEqual([])
  })

  it('the engine (engine/, create-uploader.ts) imports no transport', async () => {
    const files = [...(await sourceFiles(join(src, 'engine'))), join(src, 'create-uploader.ts')]
    const found: string[] = []
    for (const file of files) {
      for (const dep of await importsOf(file)) {
        if (TRANSPORTS.includes(transportOf(dep) ?? '') || dep === 'transports/builtin.ts')
          found.push(`${relative(src, file)} → ${dep}`)
      }
    }
    expect(found).toEqual([])
    // …and it does use the seam: the Transport interface.
    const core = await readFile(join(src, 'engine', 'core.ts'), 'utf8')
    expect(core).toContain("from '../transports/transport.js'")
  })
})
