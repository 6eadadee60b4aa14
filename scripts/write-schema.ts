import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { twinJsonSchema } from '../src/spec/json-schema.js';

/** Regenerates schema/twin.schema.json; test/spec/json-schema.test.ts fails when it is out of date. */
const target = fileURLToPath(new URL('../schema/twin.schema.json', import.meta.url));
writeFileSync(target, twinJsonSchema());
console.log(`wrote ${target}`);
