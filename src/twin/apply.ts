import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigurationError, errorMessage, isConfigurationError } from '../errors.js';
import { Helm } from '../kube/helm.js';
import { Kubectl } from '../kube/kubectl.js';
import { waitUntil } from '../kube/readiness.js';
import { ensureMeshCa } from '../mesh/ca.js';
import { ciliumValues, valuesYaml } from '../mesh/cilium-values.js';
import type { Step, StepRecord } from '../plan/executor.js';
import { runGraph } from '../plan/executor.js';
import type { PlannedVm, TwinPlan } from '../plan/plan.js';
import { creationDemands, observeProxmox, planTwin } from '../plan/plan.js';
import { admit, afterReservations, reservationsOf } from '../proxmox/capacity.js';
import type { CapacityDemand } from '../proxmox/capacity.js';
import { claimedBefore, listSlotClaims, slotComment } from '../proxmox/slots.js';
import type { SlotClaim } from '../proxmox/slots.js';
import type { PveNodeCapacity } from '../proxmox/inventory.js';
import type { TalosVm } from '../proxmox/vm-config.js';
import { createsInFlight } from '../proxmox/tasks.js';
import { VmLifecycle } from '../proxmox/vm-lifecycle.js';
import { importVolumeId, installerImage } from '../talos/image.js';
import type { TalosClusterInput } from '../talos/config.js';
import { commonPatch, controlPlanePatch, nodePatch, workerPatch } from '../talos/config.js';
import { Talosctl } from '../talos/talosctl.js';
import { KeyedLimiter } from '../util/limit.js';
import { canonicalJson } from '../util/values.js';
import { freshWorkDir } from '../util/work-dir.js';
import type { StateKey } from '../state/store.js';
import type { TwinContext } from './context.js';
import { ensureEtcdBootstrapped } from './etcd-bootstrap.js';
import { bringUpTalosNode } from './talos-node.js';
import { clusterKeys, describeFailures, readTwinRecord } from './outcome.js';
import type { ClusterOutcome, TwinOutcome, TwinRecord } from './outcome.js';

const CILIUM_CHART = { chart: 'cilium', repo: 'https://helm.cilium.io' } as const;

/**
 * Converges a twin: a missing twin is created, an existing one keeps every healthy node, gains or loses
 * workers, and is never bootstrapped twice. Every step checks what exists first, so a run that was killed
 * midway is finished by the next one.
 */
export async function applyTwin(ctx: TwinContext): Promise<TwinOutcome> {
  const { plan, reservation } = await claimAndPlan(ctx).catch((error: unknown) => {
    if (isConfigurationError(error)) throw error;
    throw new Error(
      `stage plan, ${ctx.twin.twin}: reading Proxmox and claiming the slot: ${errorMessage(error)}`,
      {
        cause: error,
      },
    );
  });
  const ca = await ensureMeshCa(ctx.store, ctx.twin.twin); // before clusters run in parallel: one CA per twin
  const work = ctx.workDir;
  await freshWorkDir(work);
  try {
    const steps = buildSteps(ctx, plan, ca, work);
    const { records } = await runGraph(steps, ctx.events);
    if (reservation) await releaseReservation(ctx, plan, reservation.claimedAt);
    return outcome(ctx, plan, records);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Plans against Proxmox, refuses conflicts and what does not fit, then claims the slot atomically with a
 * reservation of the capacity its new VMs take. Twins claimed at the same moment each saw the same free
 * space, so after claiming, a twin checks again against the reservations of twins claimed before it and
 * gives its slot back if it no longer fits: the earliest claim wins, nothing is half-built.
 */
async function claimAndPlan(ctx: TwinContext): Promise<ClaimedPlan> {
  const { spec } = ctx.twin;
  for (let attempt = 0; attempt < spec.proxmox.slots.count + 1; attempt++) {
    const view = await observeProxmox(ctx.client, spec.proxmox);
    const plan = planTwin(ctx.twin, view);
    if (await waitForTasksInFlight(ctx, plan)) continue; // plan again once they ended
    refuseConflicts(plan);
    refuseIdentityChanges(plan, await readTwinRecord(ctx.store, plan.twin));
    const demands = creationDemands(plan);
    const others = view.claims.filter((claim) => claim.twin !== plan.twin);
    admitBeside(ctx, plan, demands, view, others);
    if (plan.slotState === 'held') return { plan, ...unreleasedReservation(view.claims, plan) };
    const claimedAt = new Date();
    const reserves = reservationsOf(demands);
    try {
      await ctx.client.post('/pools', {
        poolid: plan.pool,
        comment: slotComment(plan.twin, claimedAt, reserves),
      });
    } catch (error) {
      // Another runner took this slot a moment ago: plan again against what it did.
      const claims = await listSlotClaims(ctx.client, spec.proxmox.slots.poolPrefix);
      const holder = claims.find((claim) => claim.slot === plan.slot);
      if (holder?.twin === plan.twin) return { plan: { ...plan, slotState: 'held' } };
      if (!holder) throw error;
      ctx.log(`slot ${plan.slot} was just taken by ${holder.twin ?? 'another twin'}; choosing again`);
      continue;
    }
    ctx.log(`claimed slot ${plan.slot} (pool ${plan.pool})`);
    await admitAgainstEarlierClaims(ctx, plan, demands);
    return { plan: { ...plan, slotState: 'held' }, reservation: { claimedAt } };
  }
  throw new ConfigurationError(
    `could not claim a slot for twin ${ctx.twin.twin}: every attempt lost a race; try again`,
  );
}

interface ClaimedPlan {
  plan: TwinPlan;
  /** Set when this run claimed the slot with a reservation, to be released once the VMs exist. */
  reservation?: { claimedAt: Date };
}

/**
 * A VMID the plan would create that a create task still holds: one a killed or failed run left in flight
 * (PVE writes the config with `lock: create` first and adds the VM to its pool only when the task ends, so
 * a pool-scoped token sees neither the VM nor its lock, P.7). Waits for those tasks to end, bounded like a
 * boot; returns whether it waited.
 */
async function waitForTasksInFlight(ctx: TwinContext, plan: TwinPlan): Promise<boolean> {
  const free = new Set(
    plan.vms
      .filter((vm) => vm.action === 'create' || (vm.action === 'conflict' && vm.lock))
      .map((vm) => vm.vmid),
  );
  if (free.size === 0) return false;
  const pveNodes = ctx.twin.spec.proxmox.nodes;
  const running = await createsInFlight(ctx.client, pveNodes, free);
  if (running.length === 0) return false;
  const vmids = running.map((task) => task.vmid).join(', ');
  ctx.log(`VMID(s) ${vmids} held by a create task in flight; waiting for it to end`);
  await waitUntil(async () => (await createsInFlight(ctx.client, pveNodes, free)).length === 0, {
    timeoutMs: ctx.pace.bootTimeoutMs,
    intervalMs: ctx.pace.pollMs,
    describe: `the create task(s) of VMID(s) ${vmids} to end (if one stays, look at it in the PVE GUI, then apply again)`,
  });
  return true;
}

/** Admission against the free capacity that the reservations of `claims` leave. */
function admitBeside(
  ctx: TwinContext,
  plan: TwinPlan,
  demands: CapacityDemand[],
  view: { nodes: PveNodeCapacity[] },
  claims: SlotClaim[],
): void {
  const building = claims.filter((claim) => claim.reserves);
  admit(
    plan.twin,
    demands,
    afterReservations(
      view.nodes,
      building.flatMap((claim) => claim.reserves ?? []),
    ),
    ctx.twin.spec.proxmox.storage.disks,
    building.map((claim) => claim.twin ?? claim.poolId),
  );
}

/** The check after claiming; on refusal the slot is given back before the error, so nothing is left. */
async function admitAgainstEarlierClaims(ctx: TwinContext, plan: TwinPlan, demands: CapacityDemand[]) {
  const { spec } = ctx.twin;
  const view = await observeProxmox(ctx.client, spec.proxmox);
  const mine = view.claims.find((claim) => claim.slot === plan.slot && claim.twin === plan.twin);
  const earlier = view.claims.filter(
    (claim) => claim.twin !== plan.twin && (!mine || claimedBefore(claim, mine)),
  );
  try {
    admitBeside(ctx, plan, demands, view, earlier);
  } catch (error) {
    await ctx.client.delete('/pools', { poolid: plan.pool });
    ctx.log(`gave slot ${plan.slot} back: twins claimed just before took the capacity`);
    throw error;
  }
}

/** A reservation an earlier run of this twin made and never dropped (it was killed): this run drops it. */
function unreleasedReservation(claims: SlotClaim[], plan: TwinPlan): Pick<ClaimedPlan, 'reservation'> {
  const mine = claims.find((claim) => claim.slot === plan.slot && claim.twin === plan.twin);
  const claimedAt = Date.parse(mine?.claimedAt ?? '');
  if (!mine?.reserves || Number.isNaN(claimedAt)) return {};
  return { reservation: { claimedAt: new Date(claimedAt) } };
}

/** Once the twin's VMs exist they hold their capacity themselves: the claim keeps only its name and age. */
async function releaseReservation(ctx: TwinContext, plan: TwinPlan, claimedAt: Date): Promise<void> {
  try {
    await ctx.client.put('/pools', { poolid: plan.pool, comment: slotComment(plan.twin, claimedAt) });
  } catch (error) {
    // Only admission of other twins reads it, and a stale reservation errs on the safe side.
    ctx.log(
      `slot ${plan.slot}: the capacity reservation stays in pool ${plan.pool} (${errorMessage(error)}); ` +
        'the next apply or the destroy of this twin drops it',
    );
  }
}

/**
 * A running cluster keeps its Cilium cluster id and pod CIDR: Cilium fixes both at install (identities and
 * the mesh are derived from the id; every pod address from the CIDR), so a spec that changes them for an
 * existing cluster is refused before anything changes, rather than half-applied.
 */
function refuseIdentityChanges(plan: TwinPlan, record: TwinRecord | undefined): void {
  if (!record) return;
  const changes = plan.clusters.flatMap((cluster) => {
    const before = record.clusters.find((known) => known.name === cluster.name);
    if (!before) return [];
    return [
      ...(before.id !== cluster.id ? [`cluster ${cluster.name}: id ${before.id} -> ${cluster.id}`] : []),
      ...(before.pods !== cluster.pods
        ? [`cluster ${cluster.name}: pods ${before.pods} -> ${cluster.pods}`]
        : []),
    ];
  });
  if (changes.length === 0) return;
  throw new ConfigurationError(
    `twin ${plan.twin} cannot take these changes in place, nothing was changed:\n  ${changes.join('\n  ')}\n` +
      "Cilium fixes a cluster's id and pod CIDR at install: restore them in the spec, or destroy the twin " +
      '(operation destroy) and apply it again',
  );
}

function refuseConflicts(plan: TwinPlan): void {
  const conflicts = plan.vms.filter((vm) => vm.action === 'conflict');
  if (conflicts.length === 0) return;
  throw new ConfigurationError(
    `twin ${plan.twin} cannot be applied, nothing was changed:\n  ${conflicts.flatMap((vm) => vm.reasons).join('\n  ')}\n` +
      'remove those VMs or move this twin to another slot',
  );
}

interface ClusterFiles {
  controlPlane: string;
  worker: string;
  talosconfig: string;
  kubeconfig: string;
}

function buildSteps(
  ctx: TwinContext,
  plan: TwinPlan,
  ca: { certPem: string; keyPem: string },
  work: string,
): Step[] {
  const { spec } = ctx.twin;
  const vms = new VmLifecycle(ctx.client, { paceScale: ctx.pace.scale });
  // PVE serialises allocations on a storage behind one lock with a 10 s timeout; importing a Talos image
  // takes longer, so parallel creates on one node's storage only queue on that lock and time out. Queue here.
  const storageQueue = new KeyedLimiter(1);
  const talosctl = new Talosctl(ctx.runner, { path: ctx.tools.talosctl });
  const etcdDeps = { ...ctx, talosctl };
  const wanted = plan.vms.filter((vm) => vm.definition && vm.action !== 'conflict');
  const steps: Step[] = [];
  const files = new Map<string, ClusterFiles>();

  for (const pveNode of new Set(wanted.map((vm) => vm.pveNode))) {
    steps.push({
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
    });
  }

  for (const vm of wanted) steps.push(...vmSteps(ctx, plan, vms, storageQueue, vm));

  for (const cluster of plan.clusters) {
    const members = wanted.filter((vm) => vm.cluster === cluster.name);
    const controlPlanes = members.filter((vm) => vm.role === 'controlplane');
    const input: TalosClusterInput = {
      name: cluster.name,
      vip: cluster.vip,
      pods: cluster.pods,
      services: cluster.services,
      installImage: installerImage(spec.talos),
      kubernetesVersion: spec.talos.kubernetesVersion,
      talosVersion: spec.talos.version,
      workers: members.length - controlPlanes.length,
      timeServers: spec.talos.timeServers,
      registryMirrors: spec.talos.registryMirrors,
    };
    const key = (name: string): StateKey => ({ twin: plan.twin, cluster: cluster.name, name });
    const cpAddresses = controlPlanes.map((vm) => vm.address!);
    const id = (what: string) => `${what}:${cluster.name}`;

    steps.push({
      id: id('talos-config'),
      title: `${cluster.name}: Talos secrets and machine configs`,
      stage: 'talos',
      needs: [],
      run: async () => {
        const secrets = await ensureSecrets(ctx, talosctl, key('secrets.yaml'), work, cluster.name);
        const dir = join(work, cluster.name);
        const patch = async (name: string, content: string) => {
          const path = join(dir, name);
          await writeFile(path, content, { mode: 0o600 });
          return path;
        };
        await mkdirPrivate(dir);
        const generated = await talosctl.genConfig({
          cluster: input,
          secretsFile: secrets,
          patches: {
            common: await patch('common.patch.yaml', commonPatch(input)),
            controlPlane: await patch('controlplane.patch.yaml', controlPlanePatch(input)),
            worker: await patch('worker.patch.yaml', workerPatch(input)),
          },
          outputDir: dir,
        });
        await talosctl.setEndpoints(generated.talosconfig, cpAddresses); // never the VIP (CONTRACTS B.2)
        files.set(cluster.name, {
          controlPlane: await storeFile(ctx, key('controlplane.yaml'), generated.controlPlane),
          worker: await storeFile(ctx, key('worker.yaml'), generated.worker),
          talosconfig: await storeFile(ctx, key('talosconfig'), generated.talosconfig),
          kubeconfig: ctx.store.pathOf(key('kubeconfig')),
        });
      },
    });

    for (const vm of members) {
      steps.push({
        id: `talos:${vm.name}`,
        title: `${vm.name}: Talos config applied`,
        stage: 'talos',
        needs: [id('talos-config'), `vm-start:${vm.name}`],
        run: async () => {
          const cluster = files.get(vm.cluster)!;
          const node = vm.definition!;
          const configFile = await nodeConfig(ctx, talosctl, work, vm, cluster, input.vip);
          await bringUpTalosNode(
            { talosctl, vms, pace: ctx.pace, log: ctx.log },
            {
              name: vm.name,
              pveNode: vm.pveNode,
              vmid: vm.vmid,
              address: node.address,
              configFile,
              talosconfig: cluster.talosconfig,
            },
          );
        },
      });
    }

    const first = controlPlanes[0];
    if (!first) continue;
    steps.push({
      id: id('bootstrap'),
      title: `${cluster.name}: etcd bootstrap`,
      stage: 'kubernetes',
      needs: [`talos:${first.name}`],
      run: async () =>
        void (await ensureEtcdBootstrapped(etcdDeps, {
          twin: plan.twin,
          cluster: input,
          talosconfig: files.get(cluster.name)!.talosconfig,
          controlPlanes: controlPlanes.map((vm) => ({ name: vm.name, address: vm.address! })),
        })),
    });
    steps.push({
      id: id('api'),
      title: `${cluster.name}: Kubernetes API ready`,
      stage: 'kubernetes',
      needs: [id('bootstrap')],
      run: async () => {
        const clusterFiles = files.get(cluster.name)!;
        const temp = join(work, `${cluster.name}.kubeconfig`);
        await talosctl.kubeconfig({
          talosconfig: clusterFiles.talosconfig,
          node: first.address!,
          outputFile: temp,
        });
        clusterFiles.kubeconfig = await storeFile(ctx, key('kubeconfig'), temp);
        const kubectl = new Kubectl(ctx.runner, {
          kubeconfig: clusterFiles.kubeconfig,
          path: ctx.tools.kubectl,
        });
        await waitUntil(() => kubectl.apiReady(), {
          timeoutMs: ctx.pace.apiTimeoutMs,
          intervalMs: ctx.pace.pollMs,
          describe: `the Kubernetes API of ${cluster.name} at https://${cluster.vip}:6443`,
        });
      },
    });
    steps.push({
      id: id('cilium'),
      title: `${cluster.name}: Cilium (CNI, mesh identity)`,
      stage: 'cilium',
      needs: [id('api')],
      run: async () => {
        const kubeconfig = files.get(cluster.name)!.kubeconfig;
        const values = ciliumValues({
          clusterName: cluster.name,
          clusterId: cluster.id,
          ca,
          nodeCount: members.length,
        });
        const helm = new Helm(ctx.runner, { kubeconfig, path: ctx.tools.helm });
        // action-mesh adds the clustermesh section to this release: keep it, and leave an unchanged release alone.
        const deployed = await helm.userValues('cilium', 'kube-system');
        const wanted = deployed?.clustermesh ? { ...values, clustermesh: deployed.clustermesh } : values;
        const status = deployed && (await helm.status('cilium', 'kube-system'));
        const current = status && status.status === 'deployed' && status.chartVersion === spec.cilium.version;
        if (!current || canonicalJson(wanted) !== canonicalJson(deployed)) {
          const valuesFile = await ctx.store.write(key('cilium-values.yaml'), valuesYaml(wanted));
          await helm.upgradeInstall({
            release: 'cilium',
            ...CILIUM_CHART,
            version: spec.cilium.version,
            namespace: 'kube-system',
            valuesFile,
          });
        }
        const kubectl = new Kubectl(ctx.runner, { kubeconfig, path: ctx.tools.kubectl });
        await kubectl.rolloutStatus('daemonset', 'cilium', 'kube-system', ctx.pace.rolloutTimeoutSec);
      },
    });
    steps.push({
      id: id('ready'),
      title: `${cluster.name}: all ${members.length} nodes Ready`,
      stage: 'cilium',
      needs: [id('cilium'), ...members.map((vm) => `talos:${vm.name}`)],
      run: async () => {
        const kubectl = new Kubectl(ctx.runner, {
          kubeconfig: files.get(cluster.name)!.kubeconfig,
          path: ctx.tools.kubectl,
        });
        // The operator's replicas want distinct nodes: a late node (a slow boot) holds its rollout up.
        await kubectl.rolloutStatus(
          'deployment',
          'cilium-operator',
          'kube-system',
          ctx.pace.rolloutTimeoutSec,
        );
        const names = new Set(members.map((vm) => vm.name));
        await waitUntil(
          async () => {
            const nodes = (await kubectl.nodes()).filter((node) => names.has(node.name));
            const ready = nodes.filter((node) => node.ready).length;
            return { ready: ready === names.size, detail: `${ready}/${names.size} Ready` };
          },
          {
            timeoutMs: ctx.pace.nodesReadyTimeoutMs,
            intervalMs: ctx.pace.pollMs,
            describe: `every node of ${cluster.name} Ready`,
          },
        );
      },
    });
    steps.push(...removalSteps(ctx, plan, vms, cluster.name, () => files.get(cluster.name)));
  }
  return steps;
}

function vmSteps(
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
function removalSteps(
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

async function ensureSecrets(
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

async function nodeConfig(
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
async function storeFile(ctx: TwinContext, key: StateKey, path: string): Promise<string> {
  const stored = await ctx.store.write(key, await readFile(path, 'utf8'));
  await rm(path, { force: true });
  return stored;
}

async function mkdirPrivate(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

function outcome(ctx: TwinContext, plan: TwinPlan, records: StepRecord[]): TwinOutcome {
  const clusters: ClusterOutcome[] = plan.clusters.map((cluster) => ({
    name: cluster.name,
    id: cluster.id,
    endpoint: `https://${cluster.vip}:6443`,
    vip: cluster.vip,
    pods: cluster.pods,
    nodes: plan.vms
      .filter((vm) => vm.cluster === cluster.name && vm.action !== 'destroy')
      .map((vm) => ({
        name: vm.name,
        role: vm.role,
        address: vm.address!,
        vmid: vm.vmid,
        pveNode: vm.pveNode,
        extraDisks: vm.definition?.extraDisksGiB.length ?? 0,
      })),
    ...clusterKeys(ctx.store, plan.twin, cluster.name),
  }));
  const failed = records.filter((record) => record.state === 'failed');
  return {
    twin: plan.twin,
    environment: plan.environment,
    slot: plan.slot,
    pool: plan.pool,
    clusters,
    records,
    ok: failed.length === 0 && records.every((record) => record.state === 'done'),
    ...(failed.length > 0 ? { failure: describeFailures(records) } : {}),
  };
}
