import { type ComputedRef, computed, type InjectionKey, inject, type MaybeRefOrGetter, toValue } from 'vue'
import { en, type LocaleMessages } from './en.js'
import { zhCn } from './zh-cn.js'

export { en, type LocaleMessages } from './en.js'
export { zhCn } from './zh-cn.js'

export type LocaleName = 'en' | 'zh-CN'
/** A built-in locale name or a full message table. */
export type LocaleOption = LocaleName | LocaleMessages

export const locales: Record<LocaleName, LocaleMessages> = { en, 'zh-CN': zhCn }

/** Lets an app set the locale once: `app.provide(SHUTTLE_LOCALE, 'zh-CN')`. */
export const SHUTTLE_LOCALE: InjectionKey<MaybeRefOrGetter<LocaleOption>> = Symbol('shuttle-locale')

export type Translate = (key: keyof LocaleMessages, params?: Record<string, string | number>) => string

export function resolveMessages(locale?: LocaleOption, overrides?: Partial<LocaleMessages>): LocaleMessages {
  const base = typeof locale === 'object' ? locale : (locales[locale ?? 'en'] ?? en)
  return overrides ? { ...base, ...overrides } : base
}

/** Reactive `t()` from a locale prop, an app-level provide, and per-key overrides, in that order. */
export function useLocale(
  locale: MaybeRefOrGetter<LocaleOption | undefined>,
  overrides: MaybeRefOrGetter<Partial<LocaleMessages> | undefined>,
): { messages: ComputedRef<LocaleMessages>; t: Translate } {
  const provided = inject(SHUTTLE_LOCALE, undefined)
  const messages = computed(() =>
    resolveMessages(
      toValue(locale) ?? (provided === undefined ? undefined : toValue(provided)),
      toValue(overrides),
    ),
  )
  const t: Translate = (key, params) => {
    const text = messages.value[key] ?? en[key]
    return params ? text.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m)) : text
  }
  return { messages, t }
}
