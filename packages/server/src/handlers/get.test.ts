import { afterEach, describe, expect, it } from 'vitest'
import { OCTET, startTus, type Tus } from '../../test/helpers/start-tus.js'

let t: Tus | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

describe('GET download', () => {
  it('answers 409 for unfinished uploads and streams finished ones with safe headers', async () => {
    t = await startTus()
    const res = await t.req(t.endpoint, {
      method: 'POST',
      headers: {
        'Upload-Length': '2',
        'Upload-Metadata': `filename ${btoa('evil"\r\nname.html')},filetype ${btoa('text/html')}`,
      },
    })
    const url = res.headers.get('location')!
    const early = await fetch(url)
    expect([early.status, await early.text()]).toEqual([409, expect.stringMatching(/not finished/)])
    await t.req(url, { method: 'PATCH', headers: { ...OCTET, 'Upload-Offset': '0' }, body: 'hi' })
    const get = await fetch(url)
    expect(get.status).toBe(200)
    // HTML is never served as HTML: a download, in a sandbox even if opened.
    expect(get.headers.get('content-type')).toBe('application/octet-stream')
    expect(get.headers.get('content-security-policy')).toBe('sandbox')
    expect(get.headers.get('content-length')).toBe('2')
    expect(get.headers.get('x-content-type-options')).toBe('nosniff')
    expect(get.headers.get('content-disposition')).toBe(
      `attachment; filename="evilname.html"; filename*=UTF-8''evilname.html`,
    )
    expect(await get.text()).toBe('hi')
    const part = await fetch(url, { headers: { Range: 'bytes=1-' } })
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe('bytes 1-1/2')
    expect(await part.text()).toBe('i')
    const outside = await fetch(url, { headers: { Range: 'bytes=5-' } })
    expect([outside.status, outside.headers.get('content-range')]).toEqual([416, 'bytes */2'])
  })
})
