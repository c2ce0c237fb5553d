import { createHash } from 'node:crypto'
import { createSHA256 } from 'hash-wasm'
import { describe, expect, it } from 'vitest'
import { createSha256Pool } from './sha256-pool.js'

const sha = (bytes: Uint8Array) => new Uint8Array(createHash('sha256').update(bytes).digest())

describe('createSha256Pool', () => {
  it('reuses a hasher once its digest is taken, and every digest is right', async () => {
    let created = 0
    const next = createSha256Pool(() => {
      created++
      return createSHA256()
    })
    for (let i = 0; i < 50; i++) {
      const bytes = new Uint8Array(1024).fill(i)
      const h = await next()
      h.update(bytes.subarray(0, 300))
      h.update(bytes.subarray(300))
      expect(h.digest()).toEqual(sha(bytes))
    }
    expect(created).toBe(1)
  })

  it('hashes held at once get hashers of their own', async () => {
    let created = 0
    const next = createSha256Pool(() => {
      created++
      return createSHA256()
    })
    const [a, b] = await Promise.all([next(), next()])
    a?.update(new Uint8Array([1]))
    b?.update(new Uint8Array([2]))
    expect(a?.digest()).toEqual(sha(new Uint8Array([1])))
    expect(b?.digest()).toEqual(sha(new Uint8Array([2])))
    expect(created).toBe(2)
  })

  it('a spent handle refuses further use (its hasher may be hashing another file)', async () => {
    const next = createSha256Pool()
    const h = await next()
    h.digest()
    expect(() => h.update(new Uint8Array([1]))).toThrow(/after digest/)
    expect(() => h.digest()).toThrow(/twice/)
  })
})
