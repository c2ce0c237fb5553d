import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { h, resolveComponent } from 'vue'
import { Shuttle } from './plugin.js'

describe('Shuttle plugin', () => {
  it('registers the components globally and provides the locale app-wide', () => {
    const w = mount(
      {
        render: () => h('div', [h(resolveComponent('shuttle-upload'), { endpoint: '/files/', drag: true })]),
      },
      {
        global: { plugins: [[Shuttle, { locale: 'zh-CN' }]] },
      },
    )
    expect(w.find('.shuttle-upload').exists()).toBe(true)
    expect(w.text()).toContain('点击上传')
  })
})
