// @vitest-environment node

import { describe, expect, it } from 'vitest'
import { createSSRApp, h } from 'vue'
import { renderToString } from 'vue/server-renderer'

// No window, no document: importing the package and rendering the component must not touch them.
describe('SSR', () => {
  it('imports and renders on the server without browser globals', async () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined')
    const { ShuttleUpload } = await import('./index.js')
    const html = await renderToString(
      createSSRApp({
        render: () =>
          h(ShuttleUpload, {
            endpoint: '/files/',
            drag: true,
            fileList: [{ name: 'done.txt', url: '/files/x' }],
          }),
      }),
    )
    expect(html).toContain('shuttle-upload')
    expect(html).toContain('done.txt')
  })
})
