import { describe, expect, it } from 'vitest';
import { applyPatches } from '../../../src/lab/talos/patch.js';
import { configProblems } from '../../../src/lab/talos/validate.js';

describe('Talos strategic merge (CONTRACTS B.2)', () => {
  const base = {
    version: 'v1alpha1',
    machine: {
      certSANs: ['a'],
      network: { interfaces: [{ interface: 'eth0', dhcp: true, addresses: ['10.0.0.2/24'] }] },
    },
    cluster: { network: { podSubnets: ['10.244.0.0/16'] } },
  };

  it('appends lists, replaces pod subnets, merges interfaces by name and honours $patch: delete', () => {
    const [merged] = applyPatches(
      [base],
      [
        [
          {
            machine: {
              certSANs: ['b'],
              network: {
                interfaces: [
                  { interface: 'eth0', dhcp: false, addresses: ['10.0.0.3/24'] },
                  { interface: 'eth1' },
                ],
              },
            },
            cluster: { network: { podSubnets: ['10.245.0.0/16'] } },
          },
        ],
        [{ machine: { certSANs: { $patch: 'delete' } } }],
      ],
    );
    expect(merged).toEqual({
      version: 'v1alpha1',
      machine: {
        network: {
          interfaces: [
            { interface: 'eth0', dhcp: false, addresses: ['10.0.0.2/24', '10.0.0.3/24'] },
            { interface: 'eth1' },
          ],
        },
      },
      cluster: { network: { podSubnets: ['10.245.0.0/16'] } },
    });
  });

  it('reports Talos rules the schema lacks: a control plane without its CA key, no cluster endpoint', () => {
    const problems = configProblems([
      { version: 'v1alpha1', machine: { type: 'controlplane', ca: { crt: 'Zm9v' } }, cluster: {} },
    ]);
    expect(problems).toBe(
      'configuration validation failed: 1 error occurred:\n\t* v1alpha1.Config: 2 errors occurred:\n\t* cluster controlplane endpoint is required\n\t* issuing CA key is required for controlplane nodes (.machine.ca.key)',
    );
  });
});
