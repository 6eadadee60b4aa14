import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Helm } from '../kube/helm.js';
import { Kubectl } from '../kube/kubectl.js';
import { waitUntil } from '../kube/readiness.js';
import { ciliumValues, valuesYaml } from '../mesh/cilium-values.js';
import { twinCiliumValues } from '../mesh/clustermesh.js';
import type { MeshPeer } from '../mesh/clustermesh.js';
import type { Step } from '../plan/executor.js';
import type { PlannedVm, TwinPlan } from '../plan/plan.js';
import type { VmLifecycle } from '../proxmox/vm-lifecycle.js';
import type { StateKey } from '../state/store.js';
import type { TalosClusterInput } from '../talos/config.js';
import { commonPatch, controlPlanePatch, workerPatch } from '../talos/config.js';
import { installerImage } from '../talos/image.js';
import { configContract } from '../talos/machine-configs.js';
import type { Talosctl } from '../talos/talosctl.js';
import { canonicalJson } from '../util/values.js';
import type { ClusterFiles } from './cluster-files.js';
import { ensureSecrets, mkdirPrivate, nodeConfig, storeFile } from './cluster-files.js';
import { buildWait } from './build-waits.js';
import type { TwinContext } from './context.js';
import type { LearnedDurations } from '../util/durations.js';
import { ensureEtcdBootstrapped } from './etcd-bootstrap.js';
import { bringUpTalosNode } from './talos-node.js';
import { removalSteps } from './vm-steps.js';

const CILIUM_CHART = { chart: 'cilium', repo: 'https://helm.cilium.io' } as const;

/** What every step of one apply shares: the run's tools, its scratch folder and the clusters' files. */
export interface ApplyRun {
  ctx: TwinContext;
  plan: TwinPlan;
  vms: VmLifecycle;
  talosctl: Talosctl;
  ca: { certPem: string; keyPem: string };
  work: string;
  /** Filled by each cluster's talos-config step, read by the steps after it. */
  files: Map<string, ClusterFiles>;
  /** How long the build's waits took at the soonest so far (buildWaits): where looks can be skipped. */
  waits: LearnedDurations;
}

/** One cluster: machine configs, each node configured, etcd bootstrapped once, API, Cilium, all nodes Ready. */
export function clusterSteps(
  run: ApplyRun,
  cluster: TwinPlan['clusters'][number],
  members: PlannedVm[],
): Step[] {
  const controlPlanes = members.filter((vm) => vm.role === 'controlplane');
  const input = clusterInput(run.ctx, cluster, members.length - controlPlanes.length);
  const first = controlPlanes[0];
  return [
    talosConfigStep(run, input, controlPlanes),
    ...members.map((vm) => talosNodeStep(run, vm, input.vip)),
    ...(first
      ? [
          bootstrapStep(run, input, controlPlanes),
          apiStep(run, cluster, first),
          ciliumStep(run, cluster, members.length),
          readyStep(run, cluster.name, members),
        ]
      : []),
    ...removalSteps(run.ctx, run.plan, run.vms, cluster.name, () => run.files.get(cluster.name)),
  ];
}

export function clusterInput(
  ctx: TwinContext,
  cluster: TwinPlan['clusters'][number],
  workers: number,
): TalosClusterInput {
  const { spec } = ctx.twin;
  return {
    name: cluster.name,
    vip: cluster.vip,
    pods: cluster.pods,
    services: cluster.services,
    installImage: installerImage(spec.talos),
    kubernetesVersion: spec.talos.kubernetesVersion,
    talosVersion: spec.talos.version,
    versionContract: configContract(spec.talos.version), // the configs the Talos layer compares with
    workers,
    timeServers: spec.talos.timeServers,
    registryMirrors: spec.talos.registryMirrors,
  };
}

function stateKey(run: ApplyRun, cluster: string) {
  return (name: string): StateKey => ({ twin: run.plan.twin, cluster, name });
}

function talosConfigStep(run: ApplyRun, input: TalosClusterInput, controlPlanes: PlannedVm[]): Step {
  const { ctx, talosctl, work } = run;
  const key = stateKey(run, input.name);
  return {
    id: `talos-config:${input.name}`,
    title: `${input.name}: Talos secrets and machine configs`,
    doing: `generating the Talos secrets and machine configs of ${input.name}`,
    stage: 'talos',
    needs: [],
    run: async () => {
      const secrets = await ensureSecrets(ctx, talosctl, key('secrets.yaml'), work, input.name);
      const dir = join(work, input.name);
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
      // never the VIP (CONTRACTS B.2)
      await talosctl.setEndpoints(
        generated.talosconfig,
        controlPlanes.map((vm) => vm.address!),
      );
      run.files.set(input.name, {
        controlPlane: await storeFile(ctx, key('controlplane.yaml'), generated.controlPlane),
        worker: await storeFile(ctx, key('worker.yaml'), generated.worker),
        talosconfig: await storeFile(ctx, key('talosconfig'), generated.talosconfig),
        kubeconfig: ctx.store.pathOf(key('kubeconfig')),
      });
    },
  };
}

function talosNodeStep(run: ApplyRun, vm: PlannedVm, vip: string): Step {
  const { ctx, talosctl, vms } = run;
  return {
    id: `talos:${vm.name}`,
    title: `${vm.name}: Talos config applied`,
    doing: `booting ${vm.name} into Talos and applying its config`,
    stage: 'talos',
    needs: [`talos-config:${vm.cluster}`, `vm-start:${vm.name}`],
    run: async () => {
      const files = run.files.get(vm.cluster)!;
      const configFile = await nodeConfig(ctx, talosctl, run.work, vm, files, vip);
      await bringUpTalosNode(
        { talosctl, vms, pace: ctx.pace, waits: run.waits, log: ctx.log },
        {
          name: vm.name,
          pveNode: vm.pveNode,
          vmid: vm.vmid,
          address: vm.definition!.address,
          configFile,
          talosconfig: files.talosconfig,
        },
      );
    },
  };
}

function bootstrapStep(run: ApplyRun, input: TalosClusterInput, controlPlanes: PlannedVm[]): Step {
  return {
    id: `bootstrap:${input.name}`,
    title: `${input.name}: etcd bootstrap`,
    doing: `waiting for etcd on ${controlPlanes[0]!.name} to bootstrap`,
    stage: 'kubernetes',
    needs: [`talos:${controlPlanes[0]!.name}`],
    run: async () =>
      void (await ensureEtcdBootstrapped(
        { ...run.ctx, talosctl: run.talosctl },
        {
          twin: run.plan.twin,
          cluster: input,
          talosconfig: run.files.get(input.name)!.talosconfig,
          controlPlanes: controlPlanes.map((vm) => ({ name: vm.name, address: vm.address! })),
          allCreatedThisRun: controlPlanes.every((vm) => vm.action === 'create'),
        },
      )),
  };
}

function apiStep(run: ApplyRun, cluster: TwinPlan['clusters'][number], first: PlannedVm): Step {
  const { ctx } = run;
  return {
    id: `api:${cluster.name}`,
    title: `${cluster.name}: Kubernetes API ready`,
    doing: `waiting for the Kubernetes API of ${cluster.name} at ${cluster.vip}`,
    stage: 'kubernetes',
    needs: [`bootstrap:${cluster.name}`],
    run: async () => {
      const files = run.files.get(cluster.name)!;
      const temp = join(run.work, `${cluster.name}.kubeconfig`);
      await run.talosctl.kubeconfig({
        talosconfig: files.talosconfig,
        node: first.address!,
        outputFile: temp,
      });
      files.kubeconfig = await storeFile(ctx, stateKey(run, cluster.name)('kubeconfig'), temp);
      const kubectl = new Kubectl(ctx.runner, { kubeconfig: files.kubeconfig, path: ctx.tools.kubectl });
      await buildWait(run.waits, 'kubernetes-api', () => kubectl.apiReady(), {
        timeoutMs: ctx.pace.apiTimeoutMs,
        intervalMs: ctx.pace.pollMs,
        describe: `the Kubernetes API of ${cluster.name} at https://${cluster.vip}:6443`,
      });
    },
  };
}

function ciliumStep(run: ApplyRun, cluster: TwinPlan['clusters'][number], nodeCount: number): Step {
  const { ctx } = run;
  const { spec } = ctx.twin;
  return {
    id: `cilium:${cluster.name}`,
    title: `${cluster.name}: Cilium (CNI, mesh identity)`,
    doing: `installing Cilium on ${cluster.name} and waiting for its agents`,
    stage: 'cilium',
    needs: [`api:${cluster.name}`],
    run: async () => {
      const kubeconfig = run.files.get(cluster.name)!.kubeconfig;
      const own = ciliumValues({ clusterName: cluster.name, clusterId: cluster.id, ca: run.ca, nodeCount });
      const values = twinCiliumValues(own as unknown as Record<string, unknown>, meshPeers(run.plan));
      const helm = new Helm(ctx.runner, { kubeconfig, path: ctx.tools.helm });
      // Keep the upgradeCompatibility the release layer set at a minor upgrade (I.1: kept once set), and
      // leave an unchanged release alone.
      const deployed = await helm.userValues('cilium', 'kube-system');
      const wanted = {
        ...values,
        ...(deployed?.upgradeCompatibility ? { upgradeCompatibility: deployed.upgradeCompatibility } : {}),
      };
      const status = deployed && (await helm.status('cilium', 'kube-system'));
      const current = status && status.status === 'deployed' && status.chartVersion === spec.cilium.version;
      if (status && status.status === 'deployed' && !current) {
        // Another chart version is the release layer's (converge.ts): pre-flight first across a minor (I.1),
        // and only once the nodes run what the new version supports.
        ctx.log(
          `${cluster.name}: Cilium ${status.chartVersion} runs; ${spec.cilium.version} follows in the release layer`,
        );
      } else if (!current || canonicalJson(wanted) !== canonicalJson(deployed)) {
        const valuesFile = await ctx.store.write(
          stateKey(run, cluster.name)('cilium-values.yaml'),
          valuesYaml(wanted),
        );
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
  };
}

/** Every cluster of the twin with the addresses of the nodes it keeps or gains: the mesh's peers. */
function meshPeers(plan: TwinPlan): MeshPeer[] {
  return plan.clusters.map((cluster) => ({
    name: cluster.name,
    id: cluster.id,
    addresses: plan.vms
      .filter((vm) => vm.cluster === cluster.name && vm.action !== 'destroy')
      .map((vm) => vm.address!),
  }));
}

function readyStep(run: ApplyRun, cluster: string, members: PlannedVm[]): Step {
  const { ctx } = run;
  return {
    id: `ready:${cluster}`,
    title: `${cluster}: all ${members.length} nodes Ready`,
    doing: `waiting for the ${members.length} nodes of ${cluster} to be Ready`,
    stage: 'cilium',
    needs: [`cilium:${cluster}`, ...members.map((vm) => `talos:${vm.name}`)],
    run: async () => {
      const kubectl = new Kubectl(ctx.runner, {
        kubeconfig: run.files.get(cluster)!.kubeconfig,
        path: ctx.tools.kubectl,
      });
      // The operator's replicas want distinct nodes: a late node (a slow boot) holds its rollout up.
      await kubectl.rolloutStatus('deployment', 'cilium-operator', 'kube-system', ctx.pace.rolloutTimeoutSec);
      const names = new Set(members.map((vm) => vm.name));
      // Once every node is registered, kubectl watches them turn Ready (a slice at a time) instead of polling.
      const sliceSec = Math.max(1, Math.round(ctx.pace.nodesReadyTimeoutMs / 10_000));
      await waitUntil(
        async () => {
          const nodes = (await kubectl.nodes()).filter((node) => names.has(node.name));
          const ready = nodes.filter((node) => node.ready).length;
          const detail = `${ready}/${names.size} Ready`;
          if (ready === names.size) return { ready: true, detail };
          if (nodes.length < names.size) return { ready: false, detail };
          return { ready: await kubectl.waitNodesReady([...names], sliceSec), detail };
        },
        {
          timeoutMs: ctx.pace.nodesReadyTimeoutMs,
          intervalMs: ctx.pace.pollMs,
          describe: `every node of ${cluster} Ready`,
        },
      );
    },
  };
}
