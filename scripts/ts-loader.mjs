// Runs the project's TypeScript in Node with no build step and no loader package:
//   node --import ./scripts/ts-loader.mjs bench/bench.ts
// TypeScript (a devDependency already, for tsc and typescript-eslint) transpiles each .ts file as it is
// loaded; see ts-loader-hooks.mjs. Stack traces point at the .ts lines (inline source maps).
import { register } from 'node:module';

process.setSourceMapsEnabled(true);
register('./ts-loader-hooks.mjs', import.meta.url);
