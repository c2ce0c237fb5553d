import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { engines, lastEngine, makeFile, pick } from '../testing/helpers.js'
import IdentitySpellings from '../testing/identity-spellings.vue'
import ShuttleUpload from './shuttle-upload.vue'

// The `identity` prop reaches the engine's `identity` option (content identity: instant upload,
// resume by content), as props and as an SFC template compiled by @vitejs/plugin-vue writes it.
vi.mock('@shuttle/core', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  createUploader: (await import('../testing/helpers.js')).fakeCreateUploader,
}))

beforeEach(() => {
  engines.length = 0
})

/** The identity option of the engine a component creates for its first file (absent: 'unset'). */
async function identityOf(w: VueWrapper, selector?: string): Promise<unknown> {
  const root = selector ? w.find(selector) : w
  const input = root.find('input[type="file"]')
  Object.defineProperty(input.element, 'files', { value: [makeFile('a.bin')], configurable: true })
  await input.trigger('change')
  await flushPromises()
  const options = lastEngine().options
  return 'identity' in options ? options.identity : 'unset'
}

describe('ShuttleUpload identity', () => {
  it('is forwarded as given; unset leaves core its default', async () => {
    for (const identity of [true, false, 'auto'] as const) {
      const w = mount(ShuttleUpload, { props: { endpoint: '/files/', identity }, attachTo: document.body })
      await pick(w, [makeFile('a.bin')])
      expect(lastEngine().options.identity).toBe(identity)
      w.unmount()
    }
    const unset = mount(ShuttleUpload, { props: { endpoint: '/files/' }, attachTo: document.body })
    await pick(unset, [makeFile('a.bin')])
    // Not `false`: Vue's boolean casting would turn hashing off for everyone who never set it.
    expect(lastEngine().options).not.toHaveProperty('identity')
    unset.unmount()
  })

  it('in an SFC template: a bare attribute is true, "auto" a string, :identity a binding', async () => {
    const w = mount(IdentitySpellings, { attachTo: document.body })
    expect(await identityOf(w, '.case-bare')).toBe(true)
    expect(await identityOf(w, '.case-auto')).toBe('auto')
    expect(await identityOf(w, '.case-false')).toBe(false)
    expect(await identityOf(w, '.case-true')).toBe(true)
    expect(await identityOf(w, '.case-unset')).toBe('unset')
    expect(engines).toHaveLength(5)
    w.unmount()
  })
})
