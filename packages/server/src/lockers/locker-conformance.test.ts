import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'vitest'
import { describeLocker } from '../conformance/index.js'
import { FileLocker } from './file-locker.js'
import { MemoryLocker } from './memory-locker.js'

describeLocker('MemoryLocker', async () => ({ locker: new MemoryLocker() }), { describe, it })

describeLocker(
  'FileLocker',
  async () => {
    const directory = await mkdtemp(join(tmpdir(), 'shuttle-locker-'))
    const options = { directory, ttl: 400, pollInterval: 50 }
    return {
      locker: new FileLocker(options),
      // Another process's view of the same directory.
      another: () => new FileLocker(options),
      // What a process that judged this lock stale does: its own lock file in place of ours.
      breakLock: (id) =>
        writeFile(
          join(directory, '.locks', `${id}.lock`),
          JSON.stringify({ host: 'elsewhere', pid: 1, token: 'theirs' }),
        ),
      lossNoticeMs: 2000,
      close: () => rm(directory, { recursive: true, force: true }),
    }
  },
  { describe, it },
)
