import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab } from '../../src/lab/lab.js';
import type { LabHandle } from '../../src/lab/lab.js';
import { observeProxmox, planTwin } from '../../src/plan/plan.js';
import type { PveClient } from '../../src/proxmox/client.js';
import { operatorClient } from '../lab/operator-client.js';
import { isLockTimeout, isPermissionFailure, PveApiError, PveTaskError } from '../../src/proxmox/errors.js';
import { runTask } from '../../src/proxmox/tasks.js';
import { vmCreateParams, vmTagParams } from '../../src/proxmox/vm-config.js';
import { VmLifecycle } from '../../src/proxmox/vm-lifecycle.js';
import { resolveTwin } from '../../src/spec/environment.js';
import { loadSpec } from '../../src/spec/load.js';
import { preparedSlot as preparedFor } from '../lab/slot-fixture.js';
import { LocalStateStore } from '../../src/state/store.js';
import { execRunner } from '../../src/exec/runner.js';
import { scaledPace } from '../../src/twin/context.js';
import { destroyTwin } from '../../src/twin/destroy.js';

/**
 * The product under the operator's token of runner-setup/README.md (privilege-separated, rights only
 * through the parent pool aggrik8s), against the lab acting as qemu-server 9.2: what PVE refuses such a
 * token, and how the product keeps out of it or reports it.
 */
const { spec } = loadSpec('examples/twin.yaml');
let lab: LabHandle;
let client: PveClient;

beforeAll(async () => {
  lab = await startLab({ dir: mkdtempSync(join(tmpdir(), 'pool-token-lab-')), timeScale: 0.002 });
  client = operatorClient(lab);
});
afterAll(async () => lab?.close());

const preparedSlot = (twin: string) => preparedFor(client, spec, twin);

describe('the product under a pool-scoped token (qemu-server 9.2)', () => {
  it('a create that carries tags fails as a task on the tag check, reported as a missing right and not retried', async () => {
    const { vm, settings } = await preparedSlot('pr-21');
    const tagged = { ...vmCreateParams(vm.definition!, settings), ...vmTagParams(vm.definition!) };
    const failure = await runTask(client, 'POST', `/nodes/${vm.pveNode}/qemu`, tagged).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(PveTaskError);
    expect((failure as PveTaskError).exitstatus).toBe(
      `unable to create VM ${vm.vmid} - 403 Permission check failed (/vms/${vm.vmid}, VM.Config.Options)`,
    );
    expect(String((failure as Error).message)).toContain('run `twin doctor` for the missing privileges');
    expect(isPermissionFailure(failure)).toBe(true);
    expect(isLockTimeout(failure)).toBe(false); // VmLifecycle.create retries lock timeouts only
    expect(lab.state.data.vms[String(vm.vmid)]).toBeUndefined(); // PVE removes the half-made VM
  });

  it('the product creates without tags and tags the VM once it is a pool member', async () => {
    const { vm, settings, plan } = await preparedSlot('pr-22');
    const vms = new VmLifecycle(client, { paceScale: 0.002 });
    await vms.create(vm.definition!, settings);
    expect(lab.state.access.config.pools[plan.pool]?.vms).toContain(vm.vmid);
    await vms.ensureTags(vm.pveNode, vm.definition!);
    expect(String((await vms.config(vm.pveNode, vm.vmid))!.tags).split(';')).toEqual(
      expect.arrayContaining(vm.tags),
    );
  });

  it('a VMID outside the pools answers 403, not "does not exist": the product never probes a new VMID', async () => {
    const failure = await client.get('/nodes/pve1/qemu/7999/config').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PveApiError);
    expect((failure as PveApiError).status).toBe(403);
    expect((failure as PveApiError).serverMessage).toBe('Permission check failed (/vms/7999, VM.Audit)');
    expect(isPermissionFailure(failure)).toBe(true);
  });

  it("a VM left untagged by a killed run is the twin's: plan retags it, destroy removes it and its slot", async () => {
    const { vm, settings, plan } = await preparedSlot('pr-23');
    await new VmLifecycle(client, { paceScale: 0.002 }).create(vm.definition!, settings); // the run dies before the tags
    const again = planTwin(resolveTwin(spec, 'pr-23'), await observeProxmox(client, spec));
    expect(again.pool).toBe(plan.pool);
    expect(again.vms.find((row) => row.vmid === vm.vmid)).toMatchObject({
      action: 'change',
      reasons: ['ownership tags to set'],
    });

    const result = await destroyTwin({
      twin: resolveTwin(spec, 'pr-23'),
      client,
      store: new LocalStateStore(mkdtempSync(join(tmpdir(), 'pool-token-state-'))),
      runner: execRunner,
      tools: { talosctl: 'talosctl', kubectl: 'kubectl', helm: 'helm' },
      workDir: mkdtempSync(join(tmpdir(), 'pool-token-work-')),
      pace: scaledPace(0.002),
      log: () => {},
    });
    expect(result.vms).toEqual([{ name: vm.name, vmid: vm.vmid, pveNode: vm.pveNode, result: 'destroyed' }]);
    expect(result.pools).toEqual([plan.pool]);
    expect(lab.state.data.vms[String(vm.vmid)]).toBeUndefined();
    // Destroyed, the VMID leaves the pool: the token can no longer see it, and a repeat counts it absent.
    expect(
      await new VmLifecycle(client, { paceScale: 0.002 }).destroy(vm.pveNode, vm.vmid, {
        name: vm.name,
        tags: vm.tags,
      }),
    ).toBe('absent');
  });
});
