import type { LabHandle } from '../../src/lab/lab.js';
import { PveClient } from '../../src/proxmox/client.js';
import { parsePveConnection } from '../../src/proxmox/connection.js';

/** The product's client on a lab, signed in with the lab's default token: runner-setup's least-privilege one. */
export function operatorClient(lab: LabHandle): PveClient {
  return new PveClient(parsePveConnection({ endpoint: lab.endpoint, token: lab.token, caFile: lab.caFile }));
}
