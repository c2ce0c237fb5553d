import { createHash, randomFillSync } from 'node:crypto'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { MiB } from './stats.mjs'

const hashes = new Map()

/** Writes a file of `size` bytes of incompressible data (one random 8 MiB block, repeated). */
export async function generateFile(dir, name, size) {
  const path = join(dir, name)
  const block = randomFillSync(Buffer.alloc(Math.min(8 * MiB, size)))
  const hash = createHash('sha256')
  const fh = await open(path, 'w')
  try {
    for (let pos = 0; pos < size; pos += block.length) {
      const piece = block.subarray(0, Math.min(block.length, size - pos))
      await fh.write(piece, 0, piece.length, pos)
      hash.update(piece)
    }
  } finally {
    await fh.close()
  }
  hashes.set(path, hash.digest('hex'))
  return path
}

/** The sha256 of a file generateFile wrote. */
export function sha256Of(path) {
  const hex = hashes.get(path)
  if (!hex) throw new Error(`no sha256 recorded for ${path}`)
  return hex
}
