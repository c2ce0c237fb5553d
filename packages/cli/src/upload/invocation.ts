import { realpathSync } from 'node:fs'
import path from 'node:path'

/** Quotes an argument for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`
}

const real = (p: string) => {
  try {
    return realpathSync(p)
  } catch {
    return undefined
  }
}

/**
 * How the user started this CLI, as they would type it again: `npx shuttle` (npx / npm exec and
 * npm scripts), `shuttle` (found on PATH), else the script's path (`node packages/cli/bin/shuttle.js`).
 */
export function invocation(
  argv: readonly string[] = process.argv,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): string {
  const script = argv[1] ?? 'shuttle'
  if (env.npm_command !== undefined) return 'npx shuttle'
  const name = path.basename(script)
  const onPath = (env.PATH ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .some((dir) => real(path.join(dir, name)) === real(script))
  if (onPath) return shellQuote(name)
  const rel = path.relative(cwd, script)
  const shown = rel.startsWith('..') || path.isAbsolute(rel) ? script : rel
  // A bin symlink is run as is; the .js file through node.
  if (name.endsWith('.js')) return `node ${shellQuote(shown)}`
  return shellQuote(shown.includes('/') ? shown : `./${shown}`)
}
