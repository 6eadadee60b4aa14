import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab } from '../../src/lab/lab.js';
import type { LabHandle } from '../../src/lab/lab.js';
import { PveClient } from '../../src/proxmox/client.js';
import { parsePveConnection } from '../../src/proxmox/connection.js';
import { listSlotClaims } from '../../src/proxmox/slots.js';
import { runTask } from '../../src/proxmox/tasks.js';
import { VmLifecycle } from '../../src/proxmox/vm-lifecycle.js';
import { resolveTwin } from '../../src/spec/environment.js';
import { loadSpec } from '../../src/spec/load.js';
import { LocalStateStore } from '../../src/state/store.js';
import { execRunner } from '../../src/exec/runner.js';
import { scaledPace } from '../../src/twin/context.js';
import type { TwinContext } from '../../src/twin/context.js';
import { destroyTwin } from '../../src/twin/destroy.js';
import { reapCandidates, reapEach } from '../../src/twin/reaper.js';
import { twinStatus } from '../../src/twin/status.js';
import { operatorClient } from '../lab/operator-client.js';
import { preparedSlot } from '../lab/slot-fixture.js';

/**
 * Strict ownership: a VM is the twin's only when it is in the twin's slot pool, inside the VMID range the
 * claim recorded, named and tagged as the twin's VM. The finding: `down` destroyed `important-db` in another
 * pool because it carried the twin's two tags. Here the operator's token sees that pool too (it is nested
 * under aggrik8s, where runner-setup grants the token's role with propagate).
 */
const { spec } = loadSpec('examples/twin.yaml');
let lab: LabHandle;
let client: PveClient;
let root: PveClient;

beforeAll(async () => {
  lab = await startLab({ dir: mkdtempSync(join(tmpdir(), 'destroy-owner-lab-')), timeScale: 0.002 });
  client = operatorClient(lab);
  root = new PveClient(
    parsePveConnection({ endpoint: lab.endpoint, token: lab.rootToken, caFile: lab.caFile }),
  );
  await root.post('/pools', { poolid: 'aggrik8s/databases', comment: 'not a twin slot' });
});
afterAll(async () => lab?.close());

function contextOf(twin: string, log: string[] = []): TwinContext {
  return {
    twin: resolveTwin(spec, twin),
    client,
    store: new LocalStateStore(mkdtempSync(join(tmpdir(), 'destroy-owner-state-'))),
    runner: execRunner,
    tools: { talosctl: 'talosctl', kubectl: 'kubectl', helm: 'helm' },
    workDir: mkdtempSync(join(tmpdir(), 'destroy-owner-work-')),
    pace: scaledPace(0.002),
    log: (line) => void log.push(line),
  };
}

/** A VM someone else made (as root), carrying whatever name, tags and pool the case needs. */
async function someoneElsesVm(vmid: number, name: string, tags: string[], pool: string): Promise<void> {
  await runTask(root, 'POST', '/nodes/pve2/qemu', {
    vmid: String(vmid),
    name,
    tags: tags.join(';'),
    pool,
    memory: '512',
  });
}

/** The twin's own VMs as the product makes them: the first tagged, the second left untagged (a killed run). */
async function twinWithVms(twin: string) {
  const { plan, vm, settings } = await preparedSlot(client, spec, twin);
  const claim = (await listSlotClaims(client, ['aggrik8s/slot'])).find((c) => c.twin === twin)!;
  // The fixture's claim predates the record; the product records the identity when it claims.
  const { slotComment } = await import('../../src/proxmox/slots.js');
  await client.put('/pools', {
    poolid: claim.poolId,
    comment: slotComment(twin, new Date(), [], plan.identity),
  });
  const lifecycle = new VmLifecycle(client, { paceScale: 0.002 });
  await lifecycle.create(vm.definition!, settings);
  await lifecycle.ensureTags(vm.pveNode, vm.definition!);
  const second = plan.vms.find((other) => other.pveNode === vm.pveNode && other.vmid !== vm.vmid)!;
  await lifecycle.create(second.definition!, settings);
  return { plan, tagged: vm, untagged: second };
}

describe('destroy takes only what is provably the twin’s', () => {
  it('a foreign VM with the twin’s tags (another pool, outside the VMIDs, another name) survives down and is reported', async () => {
    const { plan, tagged, untagged } = await twinWithVms('pr-41');
    const twinTags = ['aggrik8s', 'twin-pr-41'];
    const { first, last } = plan.identity.vmids;
    await someoneElsesVm(last, 'important-db', twinTags, 'aggrik8s/databases'); // inside the range, other pool
    await someoneElsesVm(
      9901,
      'pr-41-east-w-7',
      [...twinTags, 'cluster-east', 'role-worker'],
      'aggrik8s/databases',
    );
    expect(first).toBeLessThan(last);

    const log: string[] = [];
    const result = await destroyTwin(contextOf('pr-41', log));
    expect(result.existed).toBe(true);
    expect(result.vms.map((vm) => vm.vmid).sort()).toEqual([tagged.vmid, untagged.vmid].sort());
    expect(result.pools).toEqual([plan.pool]);
    expect(result.foreign).toEqual([
      expect.objectContaining({
        vmid: last,
        name: 'important-db',
        pool: 'aggrik8s/databases',
        why: expect.stringMatching(
          /not in pool aggrik8s\/slot-\d+ \(aggrik8s\/databases\).*name "important-db" is not/,
        ),
      }),
      expect.objectContaining({
        vmid: 9901,
        why: expect.stringMatching(/not in pool .*VMID outside \d+-\d+/),
      }),
    ]);
    expect(log.join('\n')).toMatch(
      /left alone, not this twin's: VM \d+ "important-db" on pve2 in pool aggrik8s\/databases/,
    );
    expect(lab.state.data.vms[String(last)]?.config.name).toBe('important-db');
    expect(lab.state.data.vms['9901']?.config.name).toBe('pr-41-east-w-7');
    expect(lab.state.data.vms[String(tagged.vmid)]).toBeUndefined();
    expect(lab.state.data.vms[String(untagged.vmid)]).toBeUndefined(); // untagged, but pool + range + name
  });

  it('a VM in the slot pool that is not the twin’s stops destroy before anything changes, named with the fix', async () => {
    const { plan, tagged } = await twinWithVms('pr-42');
    await someoneElsesVm(
      plan.identity.vmids.last - 1,
      'backup-runner',
      ['aggrik8s', 'twin-pr-42'],
      plan.pool,
    );
    const ctx = contextOf('pr-42');
    await expect(destroyTwin(ctx)).rejects.toThrow(
      new RegExp(
        `twin pr-42 cannot be destroyed, nothing was changed: .*\\n  VM ${plan.identity.vmids.last - 1} "backup-runner" on pve2 in pool ${plan.pool}: ` +
          `name "backup-runner" is not pr-42-<cluster>-<cp\\|w>-<n>\\n.*--vms ${plan.identity.vmids.last - 1} --delete 1`,
      ),
    );
    expect(lab.state.data.vms[String(tagged.vmid)]).toBeDefined();
    expect(lab.state.access.config.pools[plan.pool]).toBeDefined();
    // The operator moves it out as the error says; destroy then takes the twin and leaves it.
    await root.put('/pools', { poolid: plan.pool, vms: String(plan.identity.vmids.last - 1), delete: '1' });
    const result = await destroyTwin(ctx);
    expect(result.vms.map((vm) => vm.vmid)).toContain(tagged.vmid);
    expect(lab.state.data.vms[String(plan.identity.vmids.last - 1)]?.config.name).toBe('backup-runner');
  });

  it('status counts the same VMs destroy would take', async () => {
    const { tagged } = await twinWithVms('pr-43');
    await someoneElsesVm(9911, 'pr-43-west-cp-1', ['aggrik8s', 'twin-pr-43'], 'aggrik8s/databases');
    const status = await twinStatus(contextOf('pr-43'));
    const vmids = status.clusters.flatMap((cluster) => cluster.nodes.map((node) => node.vmid));
    expect(vmids).toContain(tagged.vmid);
    expect(vmids).not.toContain(9911);
    await destroyTwin(contextOf('pr-43'));
  });

  it('down of a twin that does not exist says so and touches nothing', async () => {
    const result = await destroyTwin(contextOf('pr-44'));
    expect(result).toMatchObject({ twin: 'pr-44', existed: false, vms: [], pools: [] });
  });
});

describe('the reaper takes only what is provably the twin’s', () => {
  it('a foreign VM with the twin’s tags survives the reaper’s destroy of a closed PR’s twin and is reported; the twin’s VMs go', async () => {
    const { plan, tagged, untagged } = await twinWithVms('pr-45');
    const twinTags = ['aggrik8s', 'twin-pr-45'];
    const inRange = plan.identity.vmids.last - 2; // the VMIDs above it may hold the other tests' foreign VMs
    await someoneElsesVm(inRange, 'important-db', twinTags, 'aggrik8s/databases'); // other pool
    await someoneElsesVm(9921, 'pr-45-west-cp-1', [...twinTags, 'cluster-west'], 'aggrik8s/databases');

    // The scheduled reaper's path: candidates from the slot claims, then each destroyed in its own try.
    const decisions = await reapCandidates({
      claims: await listSlotClaims(client, ['aggrik8s/slot']),
      now: new Date(),
      policy: { ttlHours: 72, keepLabel: 'keep', longLived: [] },
      pullRequest: async (pullNumber) => ({ state: pullNumber === 45 ? 'closed' : 'open', labels: [] }),
    });
    expect(decisions.map((decision) => [decision.twin, decision.reason])).toEqual([['pr-45', 'pr-closed']]);
    const warnings: string[] = [];
    const run = await reapEach(decisions, (decision) => destroyTwin(contextOf(decision.twin)), {
      warning: (line) => void warnings.push(line),
      error: (line) => expect.fail(line),
    });

    expect(run).toMatchObject({ reaped: ['pr-45'], skipped: [], failures: [] });
    // Also reported: what the tests above left in this slot's VMIDs (another twin's important-db, say).
    expect(run.leftAlone).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(
            `^pr-45: VM ${inRange} "important-db" on pve2 in pool aggrik8s/databases: not in pool ${plan.pool}`,
          ),
        ),
        expect.stringMatching(
          /^pr-45: VM 9921 "pr-45-west-cp-1" on pve2 in pool aggrik8s\/databases: .*VMID outside/,
        ),
      ]),
    );
    expect(warnings).toHaveLength(run.leftAlone.length);
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^left alone while reaping pr-45, not its own: VM \d+ "important-db"/),
        expect.stringMatching(/^left alone while reaping pr-45, not its own: VM 9921 "pr-45-west-cp-1"/),
      ]),
    );
    expect(lab.state.data.vms[String(inRange)]?.config.name).toBe('important-db');
    expect(lab.state.data.vms['9921']?.config.name).toBe('pr-45-west-cp-1');
    expect(lab.state.data.vms[String(tagged.vmid)]).toBeUndefined();
    expect(lab.state.data.vms[String(untagged.vmid)]).toBeUndefined();
    expect(lab.state.access.config.pools[plan.pool]).toBeUndefined();
  });
});
