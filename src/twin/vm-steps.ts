import { Kubectl } from '../kube/kubectl.js';
import type { Step } from '../plan/executor.js';
import type { PlannedVm, TwinPlan } from '../plan/plan.js';
import type { TalosVm } from '../proxmox/vm-config.js';
import type { VmLifecycle } from '../proxmox/vm-lifecycle.js';
import { ConfigurationError } from '../errors.js';
import { PveTaskError } from '../proxmox/errors.js';
import type { TalosImage } from '../talos/image.js';
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
    doing: `fetching the Talos image onto ${pveNode}`,
    stage: 'image',
    needs: [],
    run: async () => {
      const { fileName, url, sha256 } = plan.image;
      const result = await vms
        .ensureImage(pveNode, spec.proxmox.storage.images, fileName, url, sha256)
        .catch((error: unknown) => {
          throw imageDigestError(error, pveNode, plan.image) ?? error;
        });
      const verified =
        sha256 === undefined ? ' (no talos.imageSha256: not verified)' : ', sha256 verified by PVE';
      ctx.log(`${pveNode}: Talos image ${fileName} ${result}${verified}`);
    },
  }));
}

/** PVE's checksum mismatch of the image, as an error naming the spec field and the fix. */
function imageDigestError(error: unknown, pveNode: string, image: TalosImage): Error | undefined {
  if (!(error instanceof PveTaskError)) return undefined;
  const mismatch = /^checksum mismatch: got '([0-9a-f]+)' != expect '([0-9a-f]+)'/.exec(error.exitstatus);
  if (!mismatch) return undefined;
  return new ConfigurationError(
    `talos.imageSha256: ${pveNode} downloaded ${image.url} (or holds ${image.fileName}) with sha256 ${mismatch[1]}, ` +
      `not the pinned ${mismatch[2]}; nothing was imported. If talos.version, schematic or arch changed, set ` +
      "talos.imageSha256 to the new image's sha256, computed from an image you checked (curl -fsSL URL | sha256sum); " +
      'otherwise find out what served or changed the file.',
    { cause: error },
  );
}

/**
 * One VM: created, tagged and its boot disk grown, started. PVE allocates a storage's volumes under one lock
 * that a waiting request gets within 10 s or never, so creates on one node storage take turns
 * (`storageQueue`). A create without extra disks needs the lock only to allocate its two volumes (the import
 * is copied without it), so the next create is sent once PVE accepted it; one with extra disks allocates them
 * after the copy, so it keeps its turn to the end. Short creates go first: those are the control planes,
 * whose boots lead to everything else. Growing a disk takes the VM's config lock (the lab's contract), not
 * the storage's turn.
 */
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
  const storage = `${vm.pveNode}/${settings.diskStorage}`;
  const long = holdsStorageAfterCopy(vm);
  return [
    {
      id: `vm-create:${vm.name}`,
      title: `${vm.name}: VM ${vm.vmid} on ${vm.pveNode}`,
      doing: `creating VM ${vm.name} (${vm.vmid}) on ${vm.pveNode}`,
      stage: 'vm',
      needs: [`image:${vm.pveNode}`],
      run: async () => {
        // The plan saw every VM the token may see: a VMID it did not see is free (or held by a create in
        // flight, which claimAndPlan waited for). Probing it would be a 403 for a pool-scoped token (P.9).
        if (vm.action !== 'create') return;
        await storageQueue.hold(
          storage,
          (release) => vms.create(definition, settings, long ? undefined : release),
          long ? 1 : 0,
        );
      },
    },
    {
      id: `vm-grow:${vm.name}`,
      title: `${vm.name}: tagged, boot disk grown`,
      doing: `tagging ${vm.name} and growing its boot disk`,
      stage: 'vm',
      needs: [`vm-create:${vm.name}`],
      run: async () => {
        const config = await vms.config(vm.pveNode, vm.vmid);
        if (!config) throw new Error(`VM ${vm.vmid} vanished after it was created`);
        await vms.ensureTags(vm.pveNode, definition, config);
        await vms.growBootDisk(vm.pveNode, definition, config);
      },
    },
    {
      id: `vm-start:${vm.name}`,
      title: `${vm.name}: started`,
      doing: `starting ${vm.name}`,
      stage: 'vm',
      needs: [`vm-grow:${vm.name}`],
      // A VM this run created is stopped (PVE creates it so): no need to ask before starting it.
      run: () => vms.start(vm.pveNode, vm.vmid, { createdStopped: vm.action === 'create' }),
    },
  ];
}

/** Whether the VM's create allocates volumes after its image copy (extra disks: the OSD hosts). */
function holdsStorageAfterCopy(vm: PlannedVm): boolean {
  return (vm.definition?.extraDisksGiB.length ?? 0) > 0;
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
      doing: `draining ${vm.name} and removing its VM`,
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
