import type { AccessModel } from '../access/evaluate.js';
import type { NodeRecord, PoolRecord, VmRecord } from '../state.js';
import type { ApiRequest, HandlerTable, LabContext } from './context.js';
import { fail, intParam, ok, paramError } from './context.js';
import { ROOTFS_BYTES, nodeMemoryUsed, nodeSummary, nodeUptime, vmStatus } from './usage.js';
import { usedBytes } from './volumes.js';

/** The PVE release the contract describes (pve-docs "bump version to 9.1.3"). */
const PVE_VERSION = { version: '9.1.3', release: '9.1', repoid: 'e5010dce' };
const KERNEL = '6.17.2-1-pve';

/** datacenter.cfg next-id defaults: lower 100, upper 1000000 (exclusive). */
const NEXT_ID_LOWER = 100;
const NEXT_ID_UPPER = 1_000_000;

export const clusterHandlers: HandlerTable = {
  'GET /version': () => ok({ ...PVE_VERSION, console: 'html5' }),
  'GET /nodes': listNodes,
  'GET /nodes/{node}/status': nodeStatus,
  'GET /cluster/resources': clusterResources,
  'GET /cluster/nextid': nextId,
};

/** Who asks, with the access model read once for the whole list. */
interface Viewer {
  model: AccessModel;
  user: string;
}

const viewerOf = (lab: LabContext, req: ApiRequest): Viewer => ({
  model: lab.state.access.model,
  user: req.user,
});

const mayAudit = (viewer: Viewer, path: string, priv: string) => viewer.model.has(viewer.user, path, [priv]);

/**
 * API2Tools extract_node_stats: a node is always listed, its usage only for callers with Sys.Audit
 * on /nodes/<node> (P.7; Cluster.pm resources and Nodes.pm index alike).
 */
function nodeStats(lab: LabContext, viewer: Viewer, name: string) {
  if (!mayAudit(viewer, `/nodes/${name}`, 'Sys.Audit')) return {};
  return nodeSummary(lab, lab.state.node(name) as NodeRecord);
}

function listNodes(lab: LabContext, req: ApiRequest) {
  const viewer = viewerOf(lab, req);
  return ok(
    lab.state.nodeNames().map((name) => ({
      id: `node/${name}`,
      type: 'node',
      node: name,
      status: 'online',
      level: '',
      ssl_fingerprint: lab.fingerprint,
      ...nodeStats(lab, viewer, name),
    })),
  );
}

function nodeStatus(lab: LabContext, req: ApiRequest) {
  const node = lab.state.node(req.params.node ?? '') as NodeRecord;
  const summary = nodeSummary(lab, node);
  const used = nodeMemoryUsed(lab, node.name);
  const free = Math.max(0, node.memoryBytes - used);
  return ok({
    cpu: summary.cpu,
    cpuinfo: {
      cores: Math.max(1, Math.floor(node.cpus / 2)),
      cpus: node.cpus,
      sockets: 1,
      model: 'QEMU Virtual CPU (lab)',
      mhz: '2400.000',
      hvm: '1',
    },
    memory: { total: node.memoryBytes, used, free, available: free },
    swap: { total: 8 * 1024 ** 3, used: 0, free: 8 * 1024 ** 3 },
    rootfs: {
      total: ROOTFS_BYTES,
      used: summary.disk,
      free: ROOTFS_BYTES - summary.disk,
      avail: ROOTFS_BYTES - summary.disk,
    },
    loadavg: ['0.12', '0.09', '0.05'],
    uptime: nodeUptime(lab, node),
    idle: 0,
    wait: 0,
    ksm: { shared: 0 },
    pveversion: `pve-manager/${PVE_VERSION.version}/${PVE_VERSION.repoid}`,
    kversion: `Linux ${KERNEL} #1 SMP PREEMPT_DYNAMIC PMX ${KERNEL}`,
    'current-kernel': {
      sysname: 'Linux',
      release: KERNEL,
      version: `#1 SMP PREEMPT_DYNAMIC PMX ${KERNEL}`,
      machine: 'x86_64',
    },
    'boot-info': { mode: 'efi', secureboot: 0 },
  });
}

/** A VM item; its `pool` only for callers who may audit that pool (Cluster.pm lines 596-601). */
function vmResource(lab: LabContext, viewer: Viewer, vm: VmRecord) {
  const status = vmStatus(lab, vm);
  const pool = lab.state.poolOfVm(vm.vmid);
  const showPool = pool !== undefined && mayAudit(viewer, `/pool/${pool}`, 'Pool.Audit');
  return {
    id: `qemu/${vm.vmid}`,
    type: 'qemu',
    vmid: vm.vmid,
    name: status.name,
    node: vm.node,
    status: status.status,
    template: vm.config.template === '1' ? 1 : 0,
    maxmem: status.maxmem,
    mem: status.mem,
    maxcpu: status.cpus,
    cpu: status.cpu,
    maxdisk: status.maxdisk,
    disk: status.disk,
    uptime: status.uptime,
    netin: 0,
    netout: 0,
    diskread: 0,
    diskwrite: 0,
    ...(vm.config.tags ? { tags: vm.config.tags } : {}),
    ...(vm.config.lock ? { lock: vm.config.lock } : {}),
    ...(showPool ? { pool } : {}),
  };
}

/**
 * VMs with VM.Audit on /vms/<vmid> (pool inheritance included). A VM whose create still runs is
 * no pool member yet, so a pool-scoped caller does not see it (P.7).
 */
function vmResources(lab: LabContext, viewer: Viewer) {
  return lab.state
    .vms()
    .filter((vm) => mayAudit(viewer, `/vms/${vm.vmid}`, 'VM.Audit'))
    .map((vm) => vmResource(lab, viewer, vm));
}

/**
 * Pool items the caller may audit. Their usage sums the running members, the ones the caller
 * cannot see included (Cluster.pm lines 562-587): each member's cpu fraction weighed by its CPUs.
 */
function poolResources(lab: LabContext, viewer: Viewer) {
  return lab.state
    .pools()
    .filter((pool) => mayAudit(viewer, `/pool/${pool.poolid}`, 'Pool.Audit'))
    .map((pool) => ({
      id: `/pool/${pool.poolid}`,
      type: 'pool',
      pool: pool.poolid,
      ...poolUsage(lab, pool),
    }));
}

function poolUsage(lab: LabContext, pool: PoolRecord) {
  const running = pool.vms
    .map((vmid) => lab.state.vm(vmid))
    .filter((vm): vm is VmRecord => vm !== undefined)
    .map((vm) => vmStatus(lab, vm))
    .filter((status) => status.uptime > 0);
  if (running.length === 0) return {};
  const maxcpu = running.reduce((sum, status) => sum + status.cpus, 0);
  return {
    uptime: Math.max(...running.map((status) => status.uptime)),
    mem: running.reduce((sum, status) => sum + status.mem, 0),
    maxmem: running.reduce((sum, status) => sum + status.maxmem, 0),
    cpu: running.reduce((sum, status) => sum + status.cpu * status.cpus, 0) / maxcpu,
    maxcpu,
  };
}

function nodeResources(lab: LabContext, viewer: Viewer) {
  return lab.state.nodeNames().map((name) => ({
    id: `node/${name}`,
    type: 'node',
    node: name,
    status: 'online',
    level: '',
    'cgroup-mode': 2,
    ...nodeStats(lab, viewer, name),
  }));
}

/** Storages with Datastore.Audit (AllocateSpace is not enough here, unlike GET /storage). */
function storageResources(lab: LabContext, viewer: Viewer) {
  return lab.state.nodeNames().flatMap((name) =>
    Object.values((lab.state.node(name) as NodeRecord).storages)
      .filter((storage) => mayAudit(viewer, `/storage/${storage.id}`, 'Datastore.Audit'))
      .map((storage) => ({
        id: `storage/${name}/${storage.id}`,
        type: 'storage',
        storage: storage.id,
        node: name,
        status: 'available',
        plugintype: storage.type,
        content: storage.content.join(','),
        shared: 0,
        disk: usedBytes(storage),
        maxdisk: storage.totalBytes,
      })),
  );
}

/** The local network zone of each node, for callers with SDN.Audit on it (SDN.Use is not enough). */
function sdnResources(lab: LabContext, viewer: Viewer) {
  if (!mayAudit(viewer, '/sdn/zones/localnetwork', 'SDN.Audit')) return [];
  return lab.state.nodeNames().map((name) => ({
    id: `sdn/${name}/localnetwork`,
    type: 'sdn',
    sdn: 'localnetwork',
    node: name,
    status: 'ok',
  }));
}

/**
 * Cluster.pm resources: every kind filtered by the caller's rights, never a 403. Without `type`
 * the order is PVE's: pools, VMs, nodes, storages, SDN. Pool items come only without `type`.
 */
function clusterResources(lab: LabContext, req: ApiRequest) {
  const viewer = viewerOf(lab, req);
  switch (req.params.type) {
    case 'vm':
      return ok(vmResources(lab, viewer));
    case 'node':
      return ok(nodeResources(lab, viewer));
    case 'storage':
      return ok(storageResources(lab, viewer));
    case 'sdn':
      return ok(sdnResources(lab, viewer));
    default:
      return ok([
        ...poolResources(lab, viewer),
        ...vmResources(lab, viewer),
        ...nodeResources(lab, viewer),
        ...storageResources(lab, viewer),
        ...sdnResources(lab, viewer),
      ]);
  }
}

/** pve-manager Cluster.pm nextid: the answer is a string, and nothing is reserved. */
function nextId(lab: LabContext, req: ApiRequest) {
  const asked = intParam(req.params, 'vmid');
  if (asked !== undefined) {
    if (lab.state.vm(asked)) paramError({ vmid: `VM ${asked} already exists` });
    return ok(String(asked));
  }
  for (let vmid = NEXT_ID_LOWER; vmid < NEXT_ID_UPPER; vmid++) {
    if (!lab.state.vm(vmid)) return ok(String(vmid));
  }
  return fail(`unable to get any free VMID in range [${NEXT_ID_LOWER}, ${NEXT_ID_UPPER}]`);
}
