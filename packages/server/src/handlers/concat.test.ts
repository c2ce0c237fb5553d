import { afterEach, describe, expect, it } from 'vitest'
import { OCTET, startTus, type Tus } from '../../test/helpers/start-tus.js'

let t: Tus | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

async function partial(tus: Tus, content: string, finish = true): Promise<string> {
  const res = await tus.req(tus.endpoint, {
    method: 'POST',
    headers: { 'Upload-Length': String(content.length), 'Upload-Concat': 'partial' },
  })
  expect(res.status).toBe(201)
  const url = res.headers.get('location')!
  if (finish && content.length > 0) {
    const p = await tus.req(url, {
      method: 'PATCH',
      headers: { ...OCTET, 'Upload-Offset': '0' },
      body: content,
    })
    expect(p.status).toBe(204)
  }
  return url
}

const final = (tus: Tus, urls: string[], headers: Record<string, string> = {}) =>
  tus.req(tus.endpoint, {
    method: 'POST',
    headers: { 'Upload-Concat': `final;${urls.join(' ')}`, ...headers },
  })

describe('concatenation', () => {
  it('joins finished partials in order, from absolute or relative URLs', async () => {
    t = await startTus()
    const a = await partial(t, 'hello ')
    const b = await partial(t, '')
    const c = await partial(t, 'world')
    const head = await t.req(a, { method: 'HEAD' })
    expect(head.headers.get('upload-concat')).toBe('partial')
    const res = await final(t, [a, new URL(b).pathname, c])
    expect(res.status).toBe(201)
    const url = res.headers.get('location')!
    const h = await t.req(url, { method: 'HEAD' })
    expect(h.headers.get('upload-length')).toBe('11')
    expect(h.headers.get('upload-offset')).toBe('11')
    expect(h.headers.get('upload-concat')).toBe(`final;${[a, b, c].join(' ')}`)
    expect(await (await fetch(url)).text()).toBe('hello world')
    const p = await t.req(url, { method: 'PATCH', headers: { ...OCTET, 'Upload-Offset': '11' }, body: '' })
    expect(p.status).toBe(403)
  })

  it('refuses unknown, foreign, unfinished or non-partial uploads with a message', async () => {
    t = await startTus({ maxSize: 8 })
    const done = await partial(t, 'abc')
    const unfinished = await partial(t, 'abcd', false)
    const plain = (
      await t.req(t.endpoint, { method: 'POST', headers: { 'Upload-Length': '0' } })
    ).headers.get('location')!
    const cases: [string[], number, RegExp][] = [
      [[`${t.endpoint}AAAAAAAAAAAAAAAAAAAAAAAA`], 404, /does not exist/],
      [['https://elsewhere.example/uploads/AAAAAAAAAAAAAAAAAAAAAAAA'], 400, /not an upload URL/],
      [[`${t.endpoint}..%2F..%2Fetc`], 400, /not an upload URL/],
      [[done, unfinished], 400, /not finished/],
      [[plain], 400, /not created with Upload-Concat: partial/],
    ]
    for (const [urls, status, message] of cases) {
      const res = await final(t, urls)
      expect(res.status, urls.join(' ')).toBe(status)
      expect(await res.text()).toMatch(message)
    }
    expect((await final(t, [done, done, done])).status).toBe(413)
    expect((await final(t, [done], { 'Upload-Length': '4' })).status).toBe(400)
  })
})
