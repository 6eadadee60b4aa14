// Module hooks for ts-loader.mjs: a relative `./x.js` that does not exist resolves to `./x.ts` (the sources
// import each other as NodeNext wants, by the name of the emitted file), and .ts/.mts/.cts files are
// transpiled one by one with TypeScript's transpileModule (types removed, parameter properties and enums
// written out; no type checking, which `npm run typecheck` does), with the tsconfig's target and module.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const TS_FILE = /\.([mc]?)ts$/;
const JS_NAME = /\.([mc]?)js$/;

const compilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  verbatimModuleSyntax: true,
  esModuleInterop: true,
  inlineSourceMap: true,
};

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const relative =
      specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('file:');
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !relative || !JS_NAME.test(specifier)) throw error;
    return nextResolve(specifier.replace(JS_NAME, '.$1ts'), context);
  }
}

export async function load(url, context, nextLoad) {
  const kind = TS_FILE.exec(url.split('?')[0])?.[1];
  if (kind === undefined || !url.startsWith('file:')) return nextLoad(url, context);
  const fileName = fileURLToPath(url);
  const commonjs = kind === 'c';
  const { outputText } = ts.transpileModule(await readFile(fileName, 'utf8'), {
    fileName,
    compilerOptions: commonjs
      ? { ...compilerOptions, module: ts.ModuleKind.CommonJS, verbatimModuleSyntax: false }
      : compilerOptions,
  });
  return { format: commonjs ? 'commonjs' : 'module', source: outputText, shortCircuit: true };
}
