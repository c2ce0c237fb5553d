import { mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { isValidUploadId } from '../../ids.js'

const HEX_RE = /^[0-9a-f]{64}$/

/**
 * Which uploads hold which content identity: `<dir>/identity/<hex>/<id>`, one empty file per
 * upload. An entry is only a hint: readers check the upload's own info (finished, verified, same
 * identity) before trusting it, so an entry left by a crash or by a removal that did not get to
 * it is harmless and is removed when found stale.
 */
export class IdentityIndex {
  readonly #root: string

  constructor(directory: string) {
    this.#root = join(directory, 'identity')
  }

  async add(identity: string, id: string): Promise<void> {
    const dir = this.#dir(identity)
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, checkId(id)), new Uint8Array(0))
  }

  async remove(identity: string, id: string): Promise<void> {
    await rm(join(this.#dir(identity), checkId(id)), { force: true })
    // The identity's directory stays: removing it could race with an add of the same identity.
  }

  /** Upload ids listed under the identity (possibly stale). */
  async ids(identity: string): Promise<string[]> {
    try {
      return (await readdir(this.#dir(identity))).filter(isValidUploadId)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw err
    }
  }

  #dir(identity: string): string {
    if (!HEX_RE.test(identity)) throw new Error(`Not a sha256-4m identity: ${identity.slice(0, 80)}`)
    return join(this.#root, identity)
  }
}

function checkId(id: string): string {
  if (!isValidUploadId(id)) throw new Error(`Not an upload id: ${id.slice(0, 80)}`)
  return id
}
