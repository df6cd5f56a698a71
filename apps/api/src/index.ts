export { API_PREFIX, type App, type BuildOptions, buildApp } from './app.js';
