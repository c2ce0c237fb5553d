import { afterEach, expect, it } from 'vitest'
import { HttpError } from '../src/index.js'
import { startTus, type Tus } from './helpers/start-tus.js'

let t: Tus | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

it('an error whose header carries characters HTTP cannot send still reaches the client with its status', async () => {
  t = await startTus({
    authorize: () => {
      throw new HttpError('ERR_FORBIDDEN', 403, 'Your plan’s quota is used up', {
        headers: { 'X-Reason': 'plan’s quota\r\nSet-Cookie: x=1', 'Retry-After': '7' },
      })
    },
  })
  const res = await t.req(t.endpoint, { method: 'POST', headers: { 'Upload-Length': '3' } })
  expect(res.status).toBe(403)
  expect(await res.text()).toBe('Your plan’s quota is used up')
  expect(res.headers.get('x-reason')).toBe('plan?s quota??Set-Cookie: x=1')
  expect(res.headers.get('set-cookie')).toBeNull()
  expect(res.headers.get('retry-after')).toBe('7')
})
