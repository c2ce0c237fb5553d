import 'element-plus/dist/index.css'
import '@shuttle/vue/style.css'
import { Delete, Plus, UploadFilled, ZoomIn } from '@element-plus/icons-vue'
import { ShuttleUpload } from '@shuttle/vue'
import ElementPlus from 'element-plus'
// The full build of Vue (aliased in vite.config): templates are compiled in the page, so the
// Shuttle column is the el-upload text with only the tag changed.
import { createApp, defineComponent, h, reactive } from 'vue'
import { type Ctx, EXAMPLES, type Side } from './examples.js'

const params = new URLSearchParams(location.search)
const formServer = params.get('form') ?? ''
/** mode=tus: the Shuttle column uploads with `endpoint` (tus, resumable) instead of `action`. */
const tus = params.get('mode') === 'tus'

export const swapTag = (t: string): string => t.replace(/<(\/?)el-upload(?=[\s/>])/g, '<$1shuttle-upload')
const toTus = (t: string): string => t.replace(':action="action"', ':endpoint="endpoint" :chunk-size="65536"')

const logs = reactive<Record<Side, string[]>>({ el: [], shuttle: [] })
const templates: Record<string, Record<Side, string>> = {}

function exampleFor(side: Side, id: string) {
  const ex = EXAMPLES.find((e) => e.id === id)
  if (!ex) throw new Error(id)
  const template = side === 'el' ? ex.template : tus ? toTus(swapTag(ex.template)) : swapTag(ex.template)
  templates[id] = { ...templates[id], [side]: template } as Record<Side, string>
  const ctx: Ctx = {
    side,
    action: `${formServer}/upload/${side}/${id}`,
    log: (entry) => logs[side].push(`${id}: ${entry}`),
  }
  return defineComponent({
    name: `${side}-${id}`,
    template,
    setup: () => ({ ...ex.setup(ctx), endpoint: `${location.origin}/files/` }),
  })
}

const App = defineComponent({
  setup() {
    return () =>
      h('div', { class: 'grid' }, [
        ...(['el', 'shuttle'] as const).map((side) =>
          h('div', { class: `side side-${side}` }, [
            h(
              'h2',
              side === 'el'
                ? '<el-upload> (Element Plus)'
                : `<shuttle-upload>${tus ? ' with endpoint (tus)' : ''}`,
            ),
            ...EXAMPLES.map((ex) =>
              h('section', { class: `example example-${ex.id}`, 'data-example': ex.id }, [
                h('h3', ex.title),
                h(exampleFor(side, ex.id)),
              ]),
            ),
          ]),
        ),
      ])
  },
})

const app = createApp(App)
app.use(ElementPlus)
app.component('ShuttleUpload', ShuttleUpload)
for (const [name, icon] of Object.entries({ Plus, UploadFilled, ZoomIn, Delete })) app.component(name, icon)
app.mount('#app')
Object.assign(window, { __compare: { logs, templates, ready: true } })
