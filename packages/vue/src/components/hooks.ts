import type { UploadEmits, UploadHooks } from './upload.js'

export type Emit = <K extends keyof UploadEmits>(event: K, ...args: UploadEmits[K]) => void

/**
 * Calls the hook prop of an event (`success` → `onSuccess`). Hooks are props, as in el-upload, so
 * `:on-success`, `:onSuccess`, `@success` and `v-on:success` all land in the same place; merged
 * listeners (an array) are each called.
 */
export function hookCaller(props: UploadHooks): Emit {
  return (event, ...args) => {
    const key = `on${event[0]?.toUpperCase()}${event.slice(1)}` as keyof UploadHooks
    const hook = props[key] as unknown
    const fns = Array.isArray(hook) ? hook : [hook]
    for (const fn of fns) if (typeof fn === 'function') fn(...args)
  }
}
