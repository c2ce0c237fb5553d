import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { findProgram, missingDeps, planFor, systemDeps } from './system-deps.mjs'

const all = systemDeps({})
const without =
  (...gone: string[]) =>
  (p: string) =>
    !gone.includes(p)

describe('missingDeps', () => {
  it('finds nothing missing when every program is there', () => {
    expect(missingDeps(all, {}, () => true)).toEqual([])
  })

  it('names the dep a missing program belongs to', () => {
    const missing = missingDeps(all, {}, without('/usr/bin/chromium', 'ceph-osd', 'redis-server'))
    expect(missing.map((d) => d.what)).toEqual(['Chromium', 'Ceph RGW', 'redis-server'])
  })

  it('skips Ceph when S3_ENDPOINT names an engine, redis-server when REDIS_URL names one', () => {
    const env = { S3_ENDPOINT: 'http://127.0.0.1:9000', REDIS_URL: 'redis://127.0.0.1:6379' }
    expect(missingDeps(systemDeps(env), env, () => false).map((d) => d.what)).toEqual([
      'Chromium',
      'script(1)',
    ])
  })

  it('looks for Chromium at CHROMIUM_PATH when it is set', () => {
    const deps = systemDeps({ CHROMIUM_PATH: '/opt/chrome/chrome' })
    expect(deps[0]?.programs).toEqual(['/opt/chrome/chrome'])
  })
})

describe('planFor', () => {
  const missing = missingDeps(all, {}, without('/usr/bin/chromium', 'radosgw', 'curl', 'redis-server'))

  it('has nothing to do when nothing is missing', () => {
    expect(planFor([], { root: false, apt: false })).toEqual({ action: 'none' })
  })

  it('installs the packages, once each, as root on Debian, with one line saying what and why', () => {
    const plan = planFor(missing, { root: true, apt: true })
    expect(plan.action).toBe('install')
    if (plan.action !== 'install') return
    expect(plan.packages).toEqual([
      'chromium',
      'ceph-mon',
      'ceph-osd',
      'radosgw',
      'uuid-runtime',
      'curl',
      'redis-server',
    ])
    expect(plan.line).not.toContain('\n')
    expect(plan.line).toMatch(
      /^npm test: installing chromium ceph-mon .* redis-server with apt-get \(Chromium: /,
    )
    expect(plan.line).toContain('redis-server: the multi-instance tests')
  })

  it('installs through sudo when sudo asks no password (CI runners)', () => {
    const plan = planFor(missing, { root: 'sudo', apt: true })
    expect(plan).toMatchObject({ action: 'install' })
    if (plan.action === 'install') expect(plan.line).toContain(' with sudo apt-get (')
  })

  it('stops with the exact apt-get command when not root', () => {
    const plan = planFor(missing, { root: false, apt: true })
    expect(plan.action).toBe('stop')
    if (plan.action !== 'stop') return
    expect(plan.message).toContain(
      "sudo sh -c 'apt-get update && apt-get install -y --no-install-recommends chromium ceph-mon ceph-osd radosgw uuid-runtime curl redis-server'",
    )
    expect(plan.message).toContain('S3_ENDPOINT')
    expect(plan.message).toContain('REDIS_URL')
  })

  it('names the Debian packages to look for elsewhere', () => {
    const plan = planFor(missing.slice(0, 1), { root: true, apt: false })
    expect(plan).toMatchObject({ action: 'stop' })
    if (plan.action === 'stop') expect(plan.message).toContain('equivalents of the Debian packages chromium')
  })
})

describe('findProgram', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shuttle-path-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('finds executables in PATH and ignores files that are not executable', () => {
    writeFileSync(join(dir, 'redis-server'), '#!/bin/sh\n')
    chmodSync(join(dir, 'redis-server'), 0o755)
    writeFileSync(join(dir, 'radosgw'), 'not executable')
    expect(findProgram('redis-server', `/nonexistent:${dir}`)).toBe(join(dir, 'redis-server'))
    expect(findProgram('radosgw', dir)).toBeUndefined()
    expect(findProgram('curl', '')).toBeUndefined()
  })

  it('checks absolute paths as they are', () => {
    expect(findProgram(process.execPath, '')).toBe(process.execPath)
    expect(findProgram(join(dir, 'missing'), dir)).toBeUndefined()
  })
})
