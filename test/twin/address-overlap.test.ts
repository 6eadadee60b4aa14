import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab } from '../../src/lab/lab.js';
import type { LabHandle } from '../../src/lab/lab.js';
import { observeProxmox, planTwin } from '../../src/plan/plan.js';
import { PveClient } from '../../src/proxmox/client.js';
import { parsePveConnection } from '../../src/proxmox/connection.js';
import { slotComment } from '../../src/proxmox/slots.js';
import { runTask } from '../../src/proxmox/tasks.js';
import { resolveTwin } from '../../src/spec/environment.js';
import { loadSpec } from '../../src/spec/load.js';
import type { TwinSpec } from '../../src/spec/schema.js';
import { LocalStateStore } from '../../src/state/store.js';
import { execRunner } from '../../src/exec/runner.js';
import { claimAndPlan } from '../../src/twin/claim.js';
import { scaledPace } from '../../src/twin/context.js';
import type { TwinContext } from '../../src/twin/context.js';
import { operatorClient } from '../lab/operator-client.js';

/**
 * Before a VM is created, its address and the twin's VIPs are checked against every VM the token can see
 * (their ipconfig, read from the config PVE serves) and every recorded twin; an overlap is refused naming
 * both, before the slot is claimed.
 */
const { spec } = loadSpec('examples/twin.yaml');
let lab: LabHandle;
let client: PveClient;
let root: PveClient;

beforeAll(async () => {
  lab = await startLab({ dir: mkdtempSync(join(tmpdir(), 'overlap-lab-')), timeScale: 0.002 });
  client = operatorClient(lab);
  root = new PveClient(
    parsePveConnection({ endpoint: lab.endpoint, token: lab.rootToken, caFile: lab.caFile }),
  );
  await root.post('/pools', { poolid: 'aggrik8s/legacy', comment: 'hand-made VMs' });
});
afterAll(async () => lab?.close());

function contextOf(twinSpec: TwinSpec, twin: string): TwinContext {
  return {
    twin: resolveTwin(twinSpec, twin),
    client,
    store: new LocalStateStore(mkdtempSync(join(tmpdir(), 'overlap-state-'))),
    runner: execRunner,
    tools: { talosctl: 'talosctl', kubectl: 'kubectl', helm: 'helm' },
    workDir: mkdtempSync(join(tmpdir(), 'overlap-work-')),
    pace: scaledPace(0.002),
    log: () => {},
  };
}

const pools = () => Object.keys(lab.state.access.config.pools).sort();

describe('address and VIP overlap before create', () => {
  it('an address a visible VM holds in its ipconfig0 is refused, naming both, and nothing is claimed', async () => {
    const plan = planTwin(resolveTwin(spec, 'pr-51'), await observeProxmox(client, spec));
    const victim = plan.vms.find((vm) => vm.role === 'worker')!;
    await runTask(root, 'POST', '/nodes/pve3/qemu', {
      vmid: '9950',
      name: 'legacy-nas',
      memory: '512',
      pool: 'aggrik8s/legacy',
      ipconfig0: `ip=${victim.address}/24,gw=192.168.15.1`,
    });
    const before = pools();
    await expect(claimAndPlan(contextOf(spec, 'pr-51'))).rejects.toThrow(
      new RegExp(
        `twin pr-51 would take addresses that are already held, nothing was changed:\\n  ` +
          `${victim.address!.replace(/\./g, '\\.')} for ${victim.name} \\(VM ${victim.vmid}\\) is ipconfig0 of VM 9950 "legacy-nas" on pve3 \\(pool aggrik8s/legacy\\)`,
      ),
    );
    expect(pools()).toEqual(before);
    await runTask(root, 'DELETE', '/nodes/pve3/qemu/9950', { purge: '1' });
  });

  it("a spec edited so that a preview's block is production's recorded block is refused, naming production", async () => {
    const production = planTwin(resolveTwin(spec, 'production'), await observeProxmox(client, spec));
    await client.post('/pools', {
      poolid: production.pool,
      comment: slotComment('production', new Date(), [], production.identity),
    });
    const edited = structuredClone(spec);
    edited.clusters[0]!.network.addressPool = '192.168.15.48-192.168.15.175'; // one block lower: slot 1 = old slot 0
    const before = pools();
    await expect(claimAndPlan(contextOf(edited, 'pr-52'))).rejects.toThrow(
      /192\.168\.15\.6\d for pr-52-east-cp-1 \(VM \d+\) is in the east block 192\.168\.15\.64-192\.168\.15\.79 of twin production \(pool aggrik8s-production\/slot-0\), recorded/,
    );
    expect(pools()).toEqual(before);
    // The production branch's layout gives the preview its own block: claimed.
    const claimed = await claimAndPlan(contextOf(spec, 'pr-52'));
    expect(claimed.plan.slot).toBe(1);
    expect(lab.state.access.config.pools[claimed.plan.pool]?.comment).toMatch(
      /^aggrik8s-twin slot of pr-52 since \S+ project aggrik8s vmids 7100-7199 net east=192\.168\.15\.80-192\.168\.15\.95@192\.168\.15\.80,west=192\.168\.20\.80-192\.168\.20\.95@192\.168\.20\.80 reserves /,
    );
  });
});
