import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { invocation, shellQuote } from './invocation.js'

let dir: string
let bin: string
let link: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'invocation-'))
  bin = path.join(dir, 'shuttle.js')
  await writeFile(bin, '')
  link = path.join(dir, 'bin', 'shuttle')
  await mkdir(path.dirname(link))
  await symlink(bin, link)
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('invocation', () => {
  it('npx (npm sets npm_command) → npx shuttle', () => {
    expect(invocation(['node', link], { npm_command: 'exec', PATH: path.dirname(link) }, dir)).toBe(
      'npx shuttle',
    )
  })
  it('a shuttle found on PATH → shuttle', () => {
    expect(invocation(['node', link], { PATH: `/nowhere:${path.dirname(link)}` }, '/')).toBe('shuttle')
  })
  it('the script run through node → node and its path relative to the working directory', () => {
    expect(invocation(['node', bin], { PATH: '/usr/bin' }, dir)).toBe('node shuttle.js')
    expect(invocation(['node', link], { PATH: '/usr/bin' }, dir)).toBe('bin/shuttle')
  })
})

describe('shellQuote', () => {
  it('leaves plain words alone and single-quotes the rest', () => {
    expect(shellQuote('--endpoint')).toBe('--endpoint')
    expect(shellQuote('my file.bin')).toBe(`'my file.bin'`)
    expect(shellQuote("it's")).toBe(`'it'\\''s'`)
  })
})
