export { API_PREFIX, type App, type BuildOptions, buildApp } from './app.js';
export { ensureFirstSuperuser } from './modules/users/first-superuser.js';
