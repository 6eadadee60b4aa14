import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab } from '../../src/lab/lab.js';
import type { LabHandle } from '../../src/lab/lab.js';
import { observeProxmox, planTwin } from '../../src/plan/plan.js';
import { admit } from '../../src/proxmox/capacity.js';
import type { PveClient } from '../../src/proxmox/client.js';
import { operatorClient } from '../lab/operator-client.js';
import { createSettings } from '../lab/slot-fixture.js';
import { listVms } from '../../src/proxmox/inventory.js';
import { VmLifecycle } from '../../src/proxmox/vm-lifecycle.js';
import { importVolumeId } from '../../src/talos/image.js';
import { servedImageDigest } from '../../src/lab/pve/served-image.js';
import { resolveTwin } from '../../src/spec/environment.js';
import { loadSpec } from '../../src/spec/load.js';
import { LocalStateStore } from '../../src/state/store.js';
import { execRunner } from '../../src/exec/runner.js';
import { destroyTwin } from '../../src/twin/destroy.js';
import { scaledPace } from '../../src/twin/context.js';

const { spec } = loadSpec('examples/twin.yaml');
let lab: LabHandle;
let client: PveClient;

beforeAll(async () => {
  lab = await startLab({ dir: mkdtempSync(join(tmpdir(), 'lifecycle-lab-')), timeScale: 0.002 });
  client = operatorClient(lab);
});
afterAll(async () => lab?.close());

describe('VM lifecycle against the lab', () => {
  it('fetches the image once per node storage, creates, grows, starts, and destroys only what carries the tags', async () => {
    const vms = new VmLifecycle(client, { paceScale: 0.002 });
    const plan = planTwin(resolveTwin(spec, 'pr-3'), await observeProxmox(client, spec));
    const vm = plan.vms[0]!;
    expect(await vms.ensureImage(vm.pveNode, 'local', plan.image.fileName, plan.image.url)).toBe(
      'downloaded',
    );
    expect(await vms.ensureImage(vm.pveNode, 'local', plan.image.fileName, plan.image.url)).toBe('present');
    await client.post('/pools', { poolid: plan.pool });
    const settings = createSettings(plan, vm.pveNode);
    await vms.create(vm.definition!, settings);
    expect((await vms.config(vm.pveNode, vm.vmid))!.tags).toBeUndefined(); // qemu-server 9.2: tags follow the create
    await vms.ensureTags(vm.pveNode, vm.definition!);
    const config = (await vms.config(vm.pveNode, vm.vmid))!;
    await vms.growBootDisk(vm.pveNode, vm.definition!, config);
    await vms.growBootDisk(vm.pveNode, vm.definition!, (await vms.config(vm.pveNode, vm.vmid))!); // no-op, never shrinks
    expect(String((await vms.config(vm.pveNode, vm.vmid))!.scsi0)).toMatch(/size=32G/);
    await vms.start(vm.pveNode, vm.vmid);
    await vms.start(vm.pveNode, vm.vmid); // already running: nothing to do
    expect(await vms.status(vm.pveNode, vm.vmid)).toBe('running');

    await expect(vms.destroy(vm.pveNode, vm.vmid, { name: 'someone-else', tags: vm.tags })).rejects.toThrow(
      /refusing to delete it/,
    );
    expect(await vms.destroy(vm.pveNode, vm.vmid, { name: vm.name, tags: vm.tags }, 1)).toBe('destroyed');
    expect(await vms.destroy(vm.pveNode, vm.vmid, { name: vm.name, tags: vm.tags })).toBe('absent');
    await client.delete('/pools', { poolid: plan.pool });
  });

  it('downloads the image with the pinned sha256, PVE checks the copy already there, and a wrong pin fails', async () => {
    const vms = new VmLifecycle(client, { paceScale: 0.002 });
    const plan = planTwin(resolveTwin(spec, 'pr-5'), await observeProxmox(client, spec));
    const { fileName, url, sha256 } = plan.image;
    expect(sha256).toBe(servedImageDigest(url, 'sha256')); // examples/twin.yaml pins the lab's image
    expect(await vms.ensureImage('pve3', 'local', fileName, url, sha256)).toBe('downloaded');
    expect(await vms.ensureImage('pve3', 'local', fileName, url, sha256)).toBe('present');
    const wrong = 'f'.repeat(64);
    await expect(vms.ensureImage('pve3', 'local', fileName, url, wrong)).rejects.toThrow(
      `checksum mismatch: got '${sha256}' != expect '${wrong}', aborting`,
    );
    await expect(vms.ensureImage('pve2', 'local', fileName, url, wrong)).rejects.toThrow(
      `checksum mismatch: got '${sha256}' != expect '${wrong}'`,
    );
    const content = await client.get<{ volid: string }[]>('/nodes/pve2/storage/local/content', {
      content: 'import',
    });
    expect(content.map((item) => item.volid)).not.toContain(`local:import/${fileName}`);
  });

  it('creates sent at once by separate runners onto one storage all land, waiting out the lock timeouts', async () => {
    const plan = planTwin(resolveTwin(spec, 'pr-6'), await observeProxmox(client, spec));
    const control = plan.vms.filter((vm) => vm.role === 'controlplane');
    // Two workers hold the lock through their image copy: sent together, one of them must lose.
    const workers = plan.vms.filter((vm) => vm.role === 'worker').slice(0, 2);
    const contenders = [...workers, ...control]; // 8 creates, ~79 s of lock time, a 10 s timeout
    await new VmLifecycle(client, { paceScale: 0.002 }).ensureImage(
      'pve1',
      'local',
      plan.image.fileName,
      plan.image.url,
    );
    await client.post('/pools', { poolid: plan.pool });
    const settings = createSettings(plan, 'pve1');
    await Promise.all(
      contenders.map((vm) => new VmLifecycle(client, { paceScale: 0.002 }).create(vm.definition!, settings)),
    );
    const lostRaces = Object.values(lab.state.data.tasks).filter(
      (task) =>
        task.type === 'qmcreate' && /pve-storage-local-lvm' - got timeout/.test(task.exitstatus ?? ''),
    );
    expect(lostRaces.length).toBeGreaterThan(0);
    const vms = new VmLifecycle(client, { paceScale: 0.002 });
    for (const vm of contenders) {
      await vms.ensureTags('pve1', vm.definition!);
      expect(await vms.destroy('pve1', vm.vmid, { name: vm.name, tags: vm.tags }, 1)).toBe('destroyed');
    }
    await client.delete('/pools', { poolid: plan.pool });
  });

  it('refuses a twin that does not fit the free memory before anything exists, naming node and shortfall', async () => {
    const huge = structuredClone(spec);
    huge.clusters[0]!.workers.memoryMiB = 60 * 1024;
    huge.environments.preview.clusters = {};
    const view = await observeProxmox(client, spec);
    const plan = planTwin(resolveTwin(huge, 'pr-4'), view);
    const demands = plan.vms.map((vm) => ({
      pveNode: vm.pveNode,
      memoryMiB: vm.memoryMiB,
      diskGiB: vm.definition!.diskGiB,
      name: vm.name,
    }));
    const free = view.nodes;
    expect(() => admit('pr-4', demands, free, 'local-lvm')).toThrow(
      /pve\d needs \d+ MiB of memory for \d+ VM\(s\) but has \d+ MiB free \(short by \d+ MiB\)/,
    );
    const bigDisks = plan.vms.map((vm) => ({
      pveNode: vm.pveNode,
      memoryMiB: 1,
      diskGiB: 500,
      name: vm.name,
    }));
    expect(() => admit('pr-4', bigDisks, free, 'local-lvm')).toThrow(
      /GiB of disk on local-lvm for \d+ VM\(s\) but has \d+ GiB free \(short by \d+ GiB\)/,
    );
    expect((await listVms(client)).length).toBe(0);
  });

  it('destroy finds the twin by tags on every node, releases its slot and state, and proves nothing is left', async () => {
    const resolved = resolveTwin(spec, 'pr-5');
    const plan = planTwin(resolved, await observeProxmox(client, spec));
    await client.post('/pools', {
      poolid: plan.pool,
      comment: `aggrik8s-twin slot of pr-5 since ${new Date().toISOString()}`,
    });
    const vms = new VmLifecycle(client, { paceScale: 0.002 });
    for (const vm of plan.vms.slice(0, 3)) {
      await vms.ensureImage(vm.pveNode, 'local', plan.image.fileName, plan.image.url);
      await vms.create(vm.definition!, {
        pveNode: vm.pveNode,
        pool: plan.pool,
        bridge: 'vmbr0',
        diskStorage: 'local-lvm',
        imageVolume: importVolumeId('local', plan.image),
      });
      await vms.start(vm.pveNode, vm.vmid);
    }
    const store = new LocalStateStore(mkdtempSync(join(tmpdir(), 'state-')));
    await store.write({ twin: 'pr-5', cluster: 'east', name: 'kubeconfig' }, 'x');
    const ctx = {
      twin: resolved,
      client,
      store,
      runner: execRunner,
      tools: { talosctl: 'talosctl', kubectl: 'kubectl', helm: 'helm' },
      workDir: mkdtempSync(join(tmpdir(), 'work-')),
      pace: scaledPace(0.002),
      log: () => {},
    };
    const result = await destroyTwin(ctx);
    expect(result.vms.map((vm) => vm.result)).toEqual(['destroyed', 'destroyed', 'destroyed']);
    expect(result.pools).toEqual([plan.pool]);
    expect(await store.list('pr-5')).toEqual([]);
    expect((await listVms(client)).filter((vm) => vm.tags.includes('twin-pr-5'))).toEqual([]);
    const again = await destroyTwin(ctx);
    expect(again.vms).toEqual([]);
  });
});
