// The system programs `npm test` needs, and how to get them: on Debian as root (or with sudo that
// asks no password, as on CI runners) `npm test` installs the missing ones with apt-get; anywhere
// else it stops before building, with the exact command.
// A service the user runs already (S3_ENDPOINT, REDIS_URL) makes its programs unnecessary.
import { spawnSync } from 'node:child_process'
import { accessSync, constants, existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'

/**
 * @typedef {{ what: string, programs: string[], packages: string[], why: string, unless?: string, instead?: string }} SystemDep
 * `programs`: names looked up in PATH, or absolute paths; `unless`: an env variable that makes it
 * unnecessary (`instead` says how to use it).
 */

/** @param {NodeJS.ProcessEnv} env @returns {SystemDep[]} */
export function systemDeps(env = process.env) {
  return [
    {
      what: 'Chromium',
      programs: [env.CHROMIUM_PATH || '/usr/bin/chromium'],
      packages: ['chromium'],
      why: 'the end-to-end tests drive the demo in a real Chromium',
      instead: 'CHROMIUM_PATH to use a Chromium installed elsewhere',
    },
    {
      what: 'script(1)',
      programs: ['/usr/bin/script'],
      packages: ['bsdutils'],
      why: "the CLI's terminal test gives it a real pseudo-terminal",
    },
    {
      what: 'Ceph RGW',
      programs: ['radosgw', 'radosgw-admin', 'ceph-mon', 'ceph-osd', 'ceph', 'ceph-authtool', 'monmaptool'],
      packages: ['ceph-mon', 'ceph-osd', 'radosgw'],
      why: 'the S3 tests run against a real S3 engine on 127.0.0.1',
      unless: 'S3_ENDPOINT',
      instead: 'S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY to use an S3 engine you run',
    },
    {
      what: 'uuidgen and curl',
      programs: ['uuidgen', 'curl'],
      packages: ['uuid-runtime', 'curl'],
      why: 'scripts/s3-rgw.sh names the Ceph cluster and waits for RGW with them',
      unless: 'S3_ENDPOINT',
    },
    {
      what: 'redis-server',
      programs: ['redis-server'],
      packages: ['redis-server'],
      why: 'the multi-instance tests share locks through a real Redis',
      unless: 'REDIS_URL',
      instead: 'REDIS_URL to use a Redis you run',
    },
  ]
}

/** @param {string} program @param {string | undefined} pathVar */
export function findProgram(program, pathVar = process.env.PATH) {
  const candidates = program.startsWith('/') ? [program] : (pathVar ?? '').split(delimiter).filter(Boolean)
  for (const dir of candidates) {
    const file = program.startsWith('/') ? dir : join(dir, program)
    try {
      accessSync(file, constants.X_OK)
      return file
    } catch {}
  }
  return undefined
}

/**
 * The deps whose programs are not all there (and that no env variable replaces).
 * @param {SystemDep[]} deps @param {NodeJS.ProcessEnv} env @param {(p: string) => boolean} has
 */
export function missingDeps(deps, env, has) {
  return deps.filter((d) => !(d.unless && env[d.unless]) && !d.programs.every(has))
}

/**
 * What to do about the missing deps: install them (root on Debian), or stop with the command.
 * @param {SystemDep[]} missing @param {{ root: boolean | 'sudo', apt: boolean }} machine
 * @returns {{ action: 'none' } | { action: 'install', packages: string[], line: string } | { action: 'stop', message: string }}
 */
export function planFor(missing, machine) {
  if (missing.length === 0) return { action: 'none' }
  const packages = [...new Set(missing.flatMap((d) => d.packages))]
  const reasons = missing.map((d) => `${d.what}: ${d.why}`).join('; ')
  if (machine.root && machine.apt) {
    return {
      action: 'install',
      packages,
      line: `npm test: installing ${packages.join(' ')} with ${machine.root === 'sudo' ? 'sudo ' : ''}apt-get (${reasons})`,
    }
  }
  const envHint = missing.flatMap((d) => (d.instead ? [d.instead] : [])).join('; or ')
  const command = machine.apt
    ? `sudo sh -c 'apt-get update && apt-get install -y --no-install-recommends ${packages.join(' ')}'`
    : `install the equivalents of the Debian packages ${packages.join(' ')}`
  return {
    action: 'stop',
    message: [
      `npm test needs programs this machine lacks: ${missing.map((d) => d.what).join(', ')}.`,
      ...missing.map((d) => `  ${d.what} (${d.programs.join(', ')}): ${d.why}`),
      `Run once:\n  ${command}`,
      ...(envHint ? [`Or set ${envHint} (README, section Tests).`] : []),
    ].join('\n'),
  }
}

/** Runs apt-get quietly; its output goes to a log file that is shown if it fails. */
function aptInstall(packages, sudo) {
  const log = join(mkdtempSync(join(tmpdir(), 'shuttle-apt-')), 'apt.log')
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  // Another apt-get on the machine holds the dpkg lock for a while: wait for it, not fail.
  const lock = ['-o', 'DPkg::Lock::Timeout=600']
  const steps = [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', ...packages],
  ]
  let output = ''
  for (const args of steps) {
    const [file, ...argv] = [
      ...(sudo ? ['sudo', '-n', '--preserve-env=DEBIAN_FRONTEND'] : []),
      'apt-get',
      ...lock,
      ...args,
    ]
    const r = spawnSync(file, argv, { env, encoding: 'utf8', maxBuffer: 64 << 20 })
    output += `$ apt-get ${args.join(' ')}\n${r.stdout ?? ''}${r.stderr ?? ''}`
    writeFileSync(log, output)
    if (r.status !== 0) {
      const tail = output.trimEnd().split('\n').slice(-15).join('\n')
      throw new Error(`apt-get ${args[0]} failed (exit ${r.status ?? r.signal}); full log: ${log}\n${tail}`)
    }
  }
}

/** `sudo -n true` succeeds: sudo is there and asks no password (CI runners, some dev boxes). */
function passwordlessSudo(env) {
  if (!findProgram('sudo', env.PATH)) return false
  return spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore', timeout: 10_000 }).status === 0
}

/** Checks, installs if it can, re-checks. Throws with the message to show when something is still missing. */
export function ensureSystemDeps({ env = process.env, log = console.log } = {}) {
  const deps = systemDeps(env)
  const has = (p) => findProgram(p, env.PATH) !== undefined
  const missing = missingDeps(deps, env, has)
  if (missing.length === 0) return
  const machine = {
    root: process.getuid?.() === 0 || (passwordlessSudo(env) ? 'sudo' : false),
    apt:
      existsSync('/etc/debian_version') &&
      findProgram('apt-get', `${env.PATH}${delimiter}/usr/bin`) !== undefined,
  }
  const plan = planFor(missing, machine)
  if (plan.action === 'none') return
  if (plan.action === 'stop') throw new Error(plan.message)
  log(plan.line)
  const t0 = Date.now()
  aptInstall(plan.packages, machine.root === 'sudo')
  const still = missingDeps(deps, env, has)
  if (still.length > 0) {
    throw new Error(
      `apt-get installed ${plan.packages.join(' ')} but these are still missing: ${still.flatMap((d) => d.programs.filter((p) => !has(p))).join(', ')}`,
    )
  }
  log(`npm test: installed in ${Math.round((Date.now() - t0) / 1000)} s`)
}
