import { spawnSync } from 'node:child_process'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { newUploadId } from '../ids.js'
import { FileLocker } from './file-locker.js'

let dir: string | undefined
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
  dir = undefined
})

async function lockerWithStaleLock(owner: object, ttl = 10_000) {
  dir = await mkdtemp(join(tmpdir(), 'shuttle-filelock-'))
  const locker = new FileLocker({ directory: dir, ttl, pollInterval: 20 })
  await locker.check()
  const id = newUploadId()
  await writeFile(join(dir, '.locks', `${id}.lock`), JSON.stringify({ ...owner, token: 'dead' }))
  return { locker, id }
}

describe('FileLocker stale locks', () => {
  it('takes over at once a lock whose holder on this host is gone (a crashed server)', async () => {
    const gone = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString()
    const { locker, id } = await lockerWithStaleLock({ host: hostname(), pid: Number(gone) })
    const t0 = performance.now()
    const lock = locker.newLock(id)
    const lease = await lock.lock(AbortSignal.timeout(2000), () => {})
    expect(performance.now() - t0).toBeLessThan(1000)
    lease.assertHeld()
    await lock.unlock()
    expect((await readdir(join(dir as string, '.locks'))).filter((n) => n.startsWith(id))).toEqual([])
  })

  it('waits out the ttl for a holder elsewhere that stopped renewing, then takes over', async () => {
    const { locker, id } = await lockerWithStaleLock({ host: 'another-machine', pid: 1 }, 300)
    const lock = locker.newLock(id)
    // Still fresh within the ttl: the lock is not free.
    await expect(lock.lock(AbortSignal.timeout(150), () => {})).rejects.toMatchObject({
      code: 'ERR_LOCK_TIMEOUT',
    })
    const t0 = performance.now()
    const lease = await lock.lock(AbortSignal.timeout(3000), () => {})
    expect(performance.now() - t0).toBeLessThan(2500)
    lease.assertHeld()
    await lock.unlock()
  })

  it('check() refuses a directory where lock files cannot be created', async () => {
    dir = await mkdtemp(join(tmpdir(), 'shuttle-filelock-'))
    await writeFile(join(dir, '.locks'), 'a file where the folder should be')
    await expect(new FileLocker({ directory: dir }).check()).rejects.toThrow(/Cannot create lock files in/)
  })
})
