import type { Locator, Page } from 'playwright-core'

/** The list row of one file (any list type). */
export const row = (page: Page, name: string): Locator =>
  page.locator('.shuttle-file-list__item', {
    has: page.locator('.shuttle-file-list__name', { hasText: name }),
  })

export const phaseOf = async (page: Page, name: string): Promise<string> => {
  const cls = (await row(page, name).getAttribute('class')) ?? ''
  return /is-phase-(\w+)/.exec(cls)?.[1] ?? 'missing'
}

export async function waitForPhase(
  page: Page,
  name: string,
  phase: string,
  timeout = 120_000,
): Promise<void> {
  await row(page, name)
    .and(page.locator(`.is-phase-${phase}`))
    .waitFor({ timeout })
}

/** Polls `fn` until it returns true; fails with `what` after `timeout`. */
export async function until(
  what: string,
  fn: () => boolean | Promise<boolean>,
  timeout = 60_000,
): Promise<void> {
  const end = Date.now() + timeout
  while (Date.now() < end) {
    if (await fn()) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/**
 * Makes a file from bytes generated IN THE PAGE, hashes it there, and drops it on the dropzone
 * through a DataTransfer, as a user's drag would. Returns the page's sha256.
 */
export async function dropGeneratedFile(page: Page, name: string, size: number): Promise<string> {
  return page.evaluate(
    async ({ name, size }) => {
      const bytes = new Uint8Array(size)
      for (let i = 0; i < size; i += 65536)
        crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65536)))
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
      const dt = new DataTransfer()
      dt.items.add(new File([bytes], name, { type: 'application/octet-stream' }))
      const zone = document.querySelector('.shuttle-dragger')
      if (!zone) throw new Error('no dropzone')
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }))
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }))
      return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')
    },
    { name, size },
  )
}
