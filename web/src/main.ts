import { createApp } from 'vue';
import App from './App.vue';
import { router } from './router';
import { restoreSession } from './session';
import './styles.css';

restoreSession();
createApp(App).use(router).mount('#app');
