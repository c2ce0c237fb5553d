import { Shuttle } from '@shuttle/vue'
import '@shuttle/vue/style.css'
import { createApp } from 'vue'
import App from './App.vue'

createApp(App).use(Shuttle, { locale: 'en' }).mount('#app')
