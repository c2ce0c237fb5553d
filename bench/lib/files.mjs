import { randomFillSync } from 'node:crypto'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { MiB } from './stats.mjs'

/** Writes a file of `size` bytes of incompressible data (one random 8 MiB block, repeated). */
export async function generateFile(dir, name, size) {
  const path = join(dir, name)
  const block = randomFillSync(Buffer.alloc(Math.min(8 * MiB, size)))
  const fh = await open(path, 'w')
  try {
    for (let pos = 0; pos < size; pos += block.length) {
      await fh.write(block, 0, Math.min(block.length, size - pos), pos)
    }
  } finally {
    await fh.close()
  }
  return path
}
