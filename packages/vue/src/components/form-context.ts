import { computed, getCurrentInstance, inject } from 'vue'

type Size = 'large' | 'default' | 'small'
interface FormLike {
  disabled?: boolean
  size?: Size | ''
}

/**
 * The context an enclosing `<el-form>` / `<el-form-item>` provides, found by the description of
 * Element Plus's injection keys (`Symbol('formContextKey')`), so this package never imports it.
 */
function injectByDescription(description: string): FormLike | undefined {
  const provides = (getCurrentInstance() as { provides?: object } | null)?.provides
  for (let p = provides; p; p = Object.getPrototypeOf(p)) {
    for (const key of Object.getOwnPropertySymbols(p))
      if (key.description === description) return inject<FormLike | undefined>(key, undefined)
  }
  return undefined
}

/** disabled and size as el-upload resolves them: own prop, then the form item, then the form. */
export function useFormContext(props: { disabled?: boolean; size?: Size }) {
  const form = injectByDescription('formContextKey')
  const item = injectByDescription('formItemContextKey')
  return {
    disabled: computed(() => props.disabled ?? form?.disabled ?? false),
    size: computed<Size>(() => props.size || item?.size || form?.size || 'default'),
  }
}
