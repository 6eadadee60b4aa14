import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PlannedVm } from '../plan/plan.js';
import { nodePatch } from '../talos/config.js';
import type { Talosctl } from '../talos/talosctl.js';
import type { StateKey } from '../state/store.js';
import type { TwinContext } from './context.js';

/** Where a cluster's generated machine configs and credentials are kept (paths in the state store). */
export interface ClusterFiles {
  controlPlane: string;
  worker: string;
  talosconfig: string;
  kubeconfig: string;
}

export async function ensureSecrets(
  ctx: TwinContext,
  talosctl: Talosctl,
  key: StateKey,
  work: string,
  cluster: string,
): Promise<string> {
  if ((await ctx.store.read(key)) !== undefined) return ctx.store.pathOf(key); // generated once per cluster, ever
  const temp = join(work, `${cluster}.secrets.yaml`);
  await talosctl.genSecrets({ outputFile: temp, talosVersion: ctx.twin.spec.talos.version });
  return storeFile(ctx, key, temp);
}

export async function nodeConfig(
  ctx: TwinContext,
  talosctl: Talosctl,
  work: string,
  vm: PlannedVm,
  files: ClusterFiles,
  vip: string,
): Promise<string> {
  const node = vm.definition!;
  const patchFile = join(work, vm.cluster, `${vm.name}.patch.yaml`);
  await writeFile(
    patchFile,
    nodePatch({
      name: node.name,
      role: vm.role === 'controlplane' ? 'controlplane' : 'worker',
      address: node.address,
      prefixLength: node.prefixLength,
      gateway: node.gateway,
      dns: node.dns,
      ...(vm.role === 'controlplane' ? { vip } : {}),
    }),
    { mode: 0o600 },
  );
  const output = join(work, vm.cluster, `${vm.name}.yaml`);
  await talosctl.patchMachineConfig({
    baseFile: vm.role === 'controlplane' ? files.controlPlane : files.worker,
    patchFile,
    outputFile: output,
  });
  return storeFile(ctx, { twin: ctx.twin.twin, cluster: vm.cluster, name: `${vm.name}.yaml` }, output);
}

/** Moves a file a tool wrote into the state store (0600) and returns the stored copy's path. */
export async function storeFile(ctx: TwinContext, key: StateKey, path: string): Promise<string> {
  const stored = await ctx.store.write(key, await readFile(path, 'utf8'));
  await rm(path, { force: true });
  return stored;
}

export async function mkdirPrivate(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}
