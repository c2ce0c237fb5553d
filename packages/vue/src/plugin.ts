import type { App } from 'vue'
import ShuttleDragger from './components/shuttle-dragger.vue'
import ShuttleFileList from './components/shuttle-file-list.vue'
import ShuttleUpload from './components/shuttle-upload.vue'
import { type LocaleOption, SHUTTLE_LOCALE } from './locale/index.js'

/**
 * Registers the components globally, so migrating from el-upload is a tag change.
 *
 * @example
 * app.use(Shuttle, { locale: 'zh-CN' }) // then <shuttle-upload> anywhere
 */
export const Shuttle = {
  install(app: App, options: { locale?: LocaleOption } = {}): void {
    app.component('ShuttleUpload', ShuttleUpload)
    app.component('ShuttleDragger', ShuttleDragger)
    app.component('ShuttleFileList', ShuttleFileList)
    if (options.locale) app.provide(SHUTTLE_LOCALE, options.locale)
  },
}
