// Vitest setup: the built-in form kinds registered in every test worker, as the app's entry points do, for the
// tests that call a stage (extract, validate, compose) directly without building the app.
import '../../src/kinds/index.ts';
