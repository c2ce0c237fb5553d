import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'vitest'
import { describeDataStore } from '../../conformance/index.js'
import { newUploadId } from '../../ids.js'
import { FileStore } from './file-store.js'

const hourAgo = () => new Date(Date.now() - 2 * 3600_000)

describeDataStore(
  'FileStore',
  async () => {
    const directory = await mkdtemp(join(tmpdir(), 'shuttle-store-'))
    const store = new FileStore({ directory })
    return {
      store, // runs with its default locker, the FileLocker
      damage: (id) => writeFile(join(directory, `${id}.json`), '{"version":1,"id":'),
      leaveCrashLeftover: async () => {
        // Killed between writing the data file and the info file, an hour ago.
        const id = newUploadId()
        await writeFile(join(directory, id), 'bytes')
        await utimes(join(directory, id), hourAgo(), hourAgo())
        return async () => !(await readdir(directory)).includes(id)
      },
      close: () => rm(directory, { recursive: true, force: true }),
    }
  },
  { describe, it },
)
