import { Kubectl } from '../kube/kubectl.js';
import type { Step } from '../plan/executor.js';
import type { PlannedVm, TwinPlan } from '../plan/plan.js';
import type { TalosVm } from '../proxmox/vm-config.js';
import type { VmLifecycle } from '../proxmox/vm-lifecycle.js';
import { importVolumeId } from '../talos/image.js';
import type { KeyedLimiter } from '../util/limit.js';
import type { ClusterFiles } from './cluster-files.js';
import type { TwinContext } from './context.js';

/** The Talos image on every PVE node that gets a VM, fetched once per node storage. */
export function imageSteps(ctx: TwinContext, plan: TwinPlan, vms: VmLifecycle, wanted: PlannedVm[]): Step[] {
  const { spec } = ctx.twin;
  return [...new Set(wanted.map((vm) => vm.pveNode))].map((pveNode) => ({
    id: `image:${pveNode}`,
    title: `${pveNode}: Talos image`,
    stage: 'image',
    needs: [],
    run: async () => {
      const result = await vms.ensureImage(
        pveNode,
        spec.proxmox.storage.images,
        plan.image.fileName,
        plan.image.url,
      );
      ctx.log(`${pveNode}: Talos image ${plan.image.fileName} ${result}`);
    },
  }));
}

export function vmSteps(
  ctx: TwinContext,
  plan: TwinPlan,
  vms: VmLifecycle,
  storageQueue: KeyedLimiter,
  vm: PlannedVm,
): Step[] {
  const { spec } = ctx.twin;
  const definition: TalosVm = vm.definition!;
  const settings = {
    pveNode: vm.pveNode,
    pool: plan.pool,
    bridge: spec.proxmox.network.bridge,
    diskStorage: spec.proxmox.storage.disks,
    imageVolume: importVolumeId(spec.proxmox.storage.images, plan.image),
  };
  return [
    {
      id: `vm-create:${vm.name}`,
      title: `${vm.name}: VM ${vm.vmid} on ${vm.pveNode}`,
      stage: 'vm',
      needs: [`image:${vm.pveNode}`],
      run: async () => {
        // The plan saw every VM the token may see: a VMID it did not see is free (or held by a create in
        // flight, which claimAndPlan waited for). Probing it would be a 403 for a pool-scoped token (P.9).
        if (vm.action !== 'create') return;
        const storage = `${vm.pveNode}/${settings.diskStorage}`;
        await storageQueue.run(storage, () => vms.create(definition, settings));
      },
    },
    {
      id: `vm-start:${vm.name}`,
      title: `${vm.name}: disk grown and started`,
      stage: 'vm',
      needs: [`vm-create:${vm.name}`],
      run: async () => {
        const config = await vms.config(vm.pveNode, vm.vmid);
        if (!config) throw new Error(`VM ${vm.vmid} vanished after it was created`);
        await vms.ensureTags(vm.pveNode, definition, config);
        await storageQueue.run(`${vm.pveNode}/${settings.diskStorage}`, () =>
          vms.growBootDisk(vm.pveNode, definition, config),
        );
        await vms.start(vm.pveNode, vm.vmid);
      },
    },
  ];
}

/** Workers the spec dropped: drain and delete the node while the cluster is up, then remove the VM. */
export function removalSteps(
  ctx: TwinContext,
  plan: TwinPlan,
  vms: VmLifecycle,
  cluster: string,
  filesOf: () => ClusterFiles | undefined,
): Step[] {
  return plan.vms
    .filter((vm) => vm.action === 'destroy' && vm.cluster === cluster)
    .map((vm) => ({
      id: `remove:${vm.name}`,
      title: `${vm.name}: drained and removed`,
      stage: 'scale',
      needs: [`api:${cluster}`],
      run: async () => {
        const kubectl = new Kubectl(ctx.runner, {
          kubeconfig: filesOf()!.kubeconfig,
          path: ctx.tools.kubectl,
        });
        await kubectl.drain(vm.name, ctx.pace.rolloutTimeoutSec);
        await kubectl.deleteNode(vm.name);
        await vms.destroy(vm.pveNode, vm.vmid, { name: vm.name, tags: vm.tags });
      },
    }));
}
