// The publishable packages of this repository: every workspace listed in the root package.json
// that is not private, so a new package is checked and packed without editing any list.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

/** @returns {{ name: string, version: string, dir: string, manifest: Record<string, any> }[]} */
export function publicPackages() {
  const rootManifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'))
  return rootManifest.workspaces
    .map((/** @type {string} */ w) => {
      const dir = path.join(root, w)
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'))
      return { name: manifest.name, version: manifest.version, dir, manifest }
    })
    .filter((/** @type {{ manifest: any }} */ p) => !p.manifest.private)
}

/** `npm pack` of one package into `dest`; returns the tarball's path. */
export function pack(dir, dest) {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dest], {
    cwd: dir,
    encoding: 'utf8',
  })
  return path.join(dest, JSON.parse(out)[0].filename)
}
