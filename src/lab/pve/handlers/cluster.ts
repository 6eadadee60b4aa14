import type { NodeRecord, VmRecord } from '../state.js';
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

function listNodes(lab: LabContext) {
  return ok(
    lab.state.nodeNames().map((name) => {
      const node = lab.state.node(name) as NodeRecord;
      return {
        id: `node/${name}`,
        type: 'node',
        node: name,
        status: 'online',
        level: '',
        ssl_fingerprint: lab.fingerprint,
        ...nodeSummary(lab, node),
      };
    }),
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

function vmResource(lab: LabContext, vm: VmRecord) {
  const status = vmStatus(lab, vm);
  const pool = lab.state.poolOfVm(vm.vmid);
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
    ...(pool ? { pool } : {}),
  };
}

function nodeResources(lab: LabContext) {
  return lab.state.nodeNames().map((name) => ({
    id: `node/${name}`,
    type: 'node',
    node: name,
    status: 'online',
    level: '',
    'cgroup-mode': 2,
    ...nodeSummary(lab, lab.state.node(name) as NodeRecord),
  }));
}

function storageResources(lab: LabContext) {
  return lab.state.nodeNames().flatMap((name) =>
    Object.values((lab.state.node(name) as NodeRecord).storages).map((storage) => ({
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

function sdnResources(lab: LabContext) {
  return lab.state.nodeNames().map((name) => ({
    id: `sdn/${name}/localnetwork`,
    type: 'sdn',
    sdn: 'localnetwork',
    node: name,
    status: 'ok',
  }));
}

function clusterResources(lab: LabContext, req: ApiRequest) {
  const vms = () => lab.state.vms().map((vm) => vmResource(lab, vm));
  switch (req.params.type) {
    case 'vm':
      return ok(vms());
    case 'node':
      return ok(nodeResources(lab));
    case 'storage':
      return ok(storageResources(lab));
    case 'sdn':
      return ok(sdnResources(lab));
    default: {
      const pools = lab.state
        .pools()
        .map((pool) => ({ id: `/pool/${pool.poolid}`, type: 'pool', pool: pool.poolid }));
      return ok([...nodeResources(lab), ...storageResources(lab), ...vms(), ...pools, ...sdnResources(lab)]);
    }
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
