import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PveContract } from '../../src/lab/pve/contract.js';
import { planTwin } from '../../src/plan/plan.js';
import { renderTwin, writeRendered } from '../../src/plan/render.js';
import type { ApiCall } from '../../src/proxmox/vm-config.js';
import { resolveTwin } from '../../src/spec/environment.js';
import { loadSpec } from '../../src/spec/load.js';

const { spec } = loadSpec('examples/twin.yaml');
const contract = PveContract.load();

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

function contractErrors(call: ApiCall): Record<string, string> {
  const route = contract.route(call.method, call.path);
  if (!route) return { path: `no ${call.method} ${call.path} in the contract` };
  return contract.verify(route.endpoint, { ...route.pathParams, ...call.params });
}

describe('twin render', () => {
  for (const twin of ['pr-7', 'production']) {
    it(`writes the stable layout for ${twin}, and every call is valid under the PVE contract`, () => {
      const plan = planTwin(resolveTwin(spec, twin), undefined, twin === 'production' ? {} : { slot: 3 });
      const out = mkdtempSync(join(tmpdir(), 'render-'));
      writeRendered(out, renderTwin(plan, spec));
      const files = filesUnder(out)
        .map((file) => relative(out, file))
        .sort();
      const vmFiles = files.filter((file) => file.split('/').length === 4);
      expect(files).toContain(`${twin}/proxmox.json`);
      expect(vmFiles).toHaveLength(plan.vms.length);
      for (const vm of plan.vms) expect(vmFiles).toContain(`${twin}/${vm.cluster}/${vm.name}/proxmox.json`);

      let calls = 0;
      for (const file of files) {
        const parsed = JSON.parse(readFileSync(join(out, file), 'utf8')) as ApiCall[];
        for (const call of parsed) {
          calls++;
          expect(Object.values(call.params).every((value) => typeof value === 'string')).toBe(true);
          expect({ file, call: `${call.method} ${call.path}`, errors: contractErrors(call) }).toEqual({
            file,
            call: `${call.method} ${call.path}`,
            errors: {},
          });
        }
      }
      expect(calls).toBeGreaterThan(plan.vms.length * 3);
    });
  }

  it('the create call carries the static address, the cloud-init drive, pool and the Ceph disk; the tags follow it', () => {
    const plan = planTwin(resolveTwin(spec, 'pr-7'), undefined, { slot: 2 });
    const worker = plan.vms.find((vm) => vm.role === 'worker')!;
    const files = renderTwin(plan, spec);
    const calls = JSON.parse(
      files.find((f) => f.path.endsWith(`${worker.name}/proxmox.json`))!.content,
    ) as ApiCall[];
    const create = calls[0]!;
    expect(create.path).toBe(`/nodes/${worker.pveNode}/qemu`);
    expect(create.params).toMatchObject({
      vmid: String(worker.vmid),
      name: worker.name,
      ide2: 'local-lvm:cloudinit',
      citype: 'nocloud',
      ipconfig0: `ip=${worker.address}/24,gw=192.168.15.1`,
      cpu: 'x86-64-v2-AES',
      scsihw: 'virtio-scsi-pci',
      scsi1: 'local-lvm:100,discard=on,ssd=1',
      pool: plan.pool,
    });
    // qemu-server 9.2 checks tags at create on /vms/<vmid>, before the VM joins its pool (P.6.1).
    expect(create.params).not.toHaveProperty('tags');
    expect(calls[1]).toEqual({
      method: 'PUT',
      path: `/nodes/${worker.pveNode}/qemu/${worker.vmid}/config`,
      params: { tags: 'aggrik8s;twin-pr-7;cluster-east;role-worker' },
    });
    expect(create.params.scsi0).toBe(
      `local-lvm:0,import-from=local:import/${plan.image.fileName},discard=on,ssd=1`,
    );
    expect(calls.slice(2).map((call) => `${call.method} ${call.path}`)).toEqual([
      `PUT /nodes/${worker.pveNode}/qemu/${worker.vmid}/resize`,
      `POST /nodes/${worker.pveNode}/qemu/${worker.vmid}/status/start`,
    ]);
  });
});
