import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TwinSpec } from '../spec/schema.js';
import { slotComment } from '../proxmox/slots.js';
import { reservationsOf } from '../proxmox/capacity.js';
import type { ApiCall } from '../proxmox/vm-config.js';
import { vmCreateCalls } from '../proxmox/vm-config.js';
import { imageDownloadParams, importVolumeId } from '../talos/image.js';
import type { TwinPlan } from './plan.js';
import { creationDemands } from './plan.js';

/** One generated artifact: a path relative to the output folder and its exact content. */
export interface RenderedFile {
  path: string;
  content: string;
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/**
 * The twin-wide calls: claim the slot pool, then fetch the Talos image once on every PVE node that
 * gets a VM (`local` storage is per node).
 */
export function twinCalls(plan: TwinPlan, spec: TwinSpec, claimedAt: Date): ApiCall[] {
  const calls: ApiCall[] = [];
  if (plan.slotState === 'claim') {
    calls.push({
      method: 'POST',
      path: '/pools',
      params: {
        poolid: plan.pool,
        comment: slotComment(plan.twin, claimedAt, reservationsOf(creationDemands(plan)), plan.identity),
      },
    });
  }
  const pveNodes = [
    ...new Set(plan.vms.filter((vm) => vm.action === 'create').map((vm) => vm.pveNode)),
  ].sort();
  for (const pveNode of pveNodes) {
    calls.push({
      method: 'POST',
      path: `/nodes/${pveNode}/storage/${spec.proxmox.storage.images}/download-url`,
      params: imageDownloadParams(plan.image),
    });
  }
  return calls;
}

/** Layout: `<twin>/proxmox.json` and `<twin>/<cluster>/<node>/proxmox.json` (stable: people and tools read it). */
export function renderTwin(plan: TwinPlan, spec: TwinSpec, claimedAt = new Date()): RenderedFile[] {
  const files: RenderedFile[] = [
    { path: join(plan.twin, 'proxmox.json'), content: json(twinCalls(plan, spec, claimedAt)) },
  ];
  for (const vm of plan.vms) {
    if (!vm.definition) continue;
    const calls = vmCreateCalls(vm.definition, {
      pveNode: vm.pveNode,
      pool: plan.pool,
      bridge: spec.proxmox.network.bridge,
      diskStorage: spec.proxmox.storage.disks,
      imageVolume: importVolumeId(spec.proxmox.storage.images, plan.image),
    });
    files.push({ path: join(plan.twin, vm.cluster, vm.name, 'proxmox.json'), content: json(calls) });
  }
  return files;
}

export function writeRendered(outDir: string, files: RenderedFile[]): string[] {
  return files.map((file) => {
    const target = join(outDir, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content);
    return target;
  });
}
