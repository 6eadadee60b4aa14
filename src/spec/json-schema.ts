import { z } from 'zod';
import { TwinSpecSchema } from './schema.js';

/** The JSON Schema editors use for twin.yaml; generated from the same zod source the loader validates with. */
export function twinJsonSchema(): string {
  const schema = z.toJSONSchema(TwinSpecSchema, { io: 'input', target: 'draft-2020-12' });
  const titled = {
    $schema: schema.$schema,
    title: 'aggrik8s-twin spec (twin.yaml, version 1)',
    description:
      'Shape only: rules that compare fields (overlapping CIDRs, address pool size, pinned slots) are checked by the twin CLI.',
    ...schema,
  };
  return `${JSON.stringify(titled, null, 2)}\n`;
}
