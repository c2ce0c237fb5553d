#!/usr/bin/env node
// Checks what each publishable package would put on npm: `npm pack` it, then
// - LICENSE, README.md and CHANGELOG.md are in the tarball;
// - every source map points at sources that are in the tarball too;
// - publint (package.json and exports) and @arethetypeswrong/cli (types per resolution mode,
//   ESM-only profile) report nothing.
// Usage: node scripts/check-packages.mjs   (exit 1 on any problem; run after `npm run build`)
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pack, publicPackages, root } from './lib/workspaces.mjs'

const tmp = mkdtempSync(path.join(os.tmpdir(), 'shuttle-check-packages-'))
const bin = (name) => path.join(root, 'node_modules/.bin', name)
const problems = []
try {
  for (const pkg of publicPackages()) {
    const tarball = pack(pkg.dir, tmp)
    const unpacked = path.join(tmp, pkg.name.replace('/', '+'))
    execFileSync('mkdir', ['-p', unpacked])
    execFileSync('tar', ['xzf', tarball, '-C', unpacked])
    const dir = path.join(unpacked, 'package')
    for (const f of ['LICENSE', 'README.md', 'CHANGELOG.md'])
      if (!existsSync(path.join(dir, f))) problems.push(`${pkg.name}: no ${f} in the tarball`)
    let maps = 0
    for (const file of walk(dir).filter((f) => f.endsWith('.map'))) {
      maps++
      const map = JSON.parse(readFileSync(file, 'utf8'))
      for (const s of map.sources ?? []) {
        const target = path.resolve(path.dirname(file), map.sourceRoot ?? '', s)
        if (!existsSync(target))
          problems.push(
            `${pkg.name}: ${path.relative(dir, file)} points at ${path.relative(dir, target)}, not in the tarball`,
          )
      }
    }
    const publint = spawnSync(bin('publint'), ['run', '--strict', dir], { encoding: 'utf8' })
    // ESM-only packages; a package may refine this in its own .attw.json (read from its folder).
    const ownConfig = existsSync(path.join(pkg.dir, '.attw.json'))
    const attw = spawnSync(
      bin('attw'),
      [tarball, '--format', 'ascii', ...(ownConfig ? [] : ['--profile', 'esm-only'])],
      { cwd: pkg.dir, encoding: 'utf8' },
    )
    for (const [tool, r] of [
      ['publint', publint],
      ['attw', attw],
    ]) {
      if (r.status !== 0) problems.push(`${pkg.name}: ${tool} failed:\n${r.stdout}${r.stderr}`)
    }
    console.log(
      `${pkg.name}@${pkg.version}: ${path.basename(tarball)}, ${maps} source maps checked, publint ${publint.status === 0 ? 'clean' : 'FAILED'}, attw ${attw.status === 0 ? 'clean' : 'FAILED'}`,
    )
  }
} finally {
  rmSync(tmp, { recursive: true, force: true })
}
if (problems.length > 0) {
  console.error(`\n${problems.length} problem(s):\n${problems.join('\n')}`)
  process.exit(1)
}

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name)
    return statSync(p).isDirectory() ? walk(p) : [p]
  })
}
