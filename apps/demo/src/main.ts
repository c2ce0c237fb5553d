import '@shuttle/vue/style.css'
import './demo.css'
import { createApp } from 'vue'
import App from './app.vue'

createApp(App).mount('#app')
