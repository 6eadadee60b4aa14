import type { HttpMethod } from './errors.js';

/**
 * How the PVE API schema types a parameter: its JSON type; `type:format` when the schema names a format
 * (e.g. `integer:pve-vmid`, `string:dns-name`); `property-string` when the format is a key=value
 * structure (`scsi0=local-lvm:0,import-from=...`). Plain `string` may still carry an enum or pattern.
 */
export type PveParamType =
  'integer' | 'number' | 'boolean' | 'string' | 'property-string' | `integer:${string}` | `string:${string}`;

export interface PveEndpoint {
  method: HttpMethod;
  /** Below /api2/json; `{name}` marks a path parameter. */
  path: string;
  /** What the product sends, by schema name; `scsi[n]` stands for scsi0, scsi1, ... */
  params: Readonly<Record<string, PveParamType>>;
}

// Settings a VM gets at create time and may get again through config (CONTRACTS A.3, A.6).
const VM_SETTINGS = {
  name: 'string:dns-name',
  memory: 'property-string',
  balloon: 'integer',
  cores: 'integer',
  sockets: 'integer',
  cpu: 'string:pve-vm-cpu-conf',
  scsihw: 'string',
  'scsi[n]': 'property-string',
  'ide[n]': 'property-string',
  'net[n]': 'property-string',
  'ipconfig[n]': 'string:pve-qm-ipconfig',
  nameserver: 'string:address-list',
  searchdomain: 'string',
  citype: 'string',
  agent: 'property-string',
  'serial[n]': 'string',
  vga: 'property-string',
  boot: 'string:pve-qm-boot',
  ostype: 'string',
  onboot: 'boolean',
  tags: 'string:pve-tag-list',
  description: 'string',
} as const satisfies Record<string, PveParamType>;

const CONFIG_CHANGE = {
  delete: 'string:pve-configid-list',
  digest: 'string',
} as const satisfies Record<string, PveParamType>;

const POOL_ID = { poolid: 'string:pve-poolid' } as const satisfies Record<string, PveParamType>;

/**
 * Every PVE endpoint the product calls, checked against the API schema extracts (pve-api-subset.json and
 * pve-api-extra.json) by test/proxmox/endpoints.test.ts.
 */
export const PVE_ENDPOINTS = {
  version: { method: 'GET', path: '/version', params: {} },
  nodes: { method: 'GET', path: '/nodes', params: {} },
  nodeStatus: { method: 'GET', path: '/nodes/{node}/status', params: {} },
  clusterResources: { method: 'GET', path: '/cluster/resources', params: { type: 'string' } },
  nextId: { method: 'GET', path: '/cluster/nextid', params: { vmid: 'integer:pve-vmid' } },
  /** The caller's own effective privileges on one path (PVE-PERMISSIONS.md P.8): the preflight's question. */
  permissions: { method: 'GET', path: '/access/permissions', params: { path: 'string' } },

  listPools: { method: 'GET', path: '/pools', params: { ...POOL_ID, type: 'string' } },
  createPool: { method: 'POST', path: '/pools', params: { ...POOL_ID, comment: 'string' } },
  updatePool: {
    method: 'PUT',
    path: '/pools',
    params: {
      ...POOL_ID,
      vms: 'string:pve-vmid-list',
      delete: 'boolean',
      'allow-move': 'boolean',
      comment: 'string',
    },
  },
  deletePool: { method: 'DELETE', path: '/pools', params: POOL_ID },

  storageContent: {
    method: 'GET',
    path: '/nodes/{node}/storage/{storage}/content',
    params: { content: 'string:pve-storage-content', vmid: 'integer:pve-vmid' },
  },
  deleteVolume: { method: 'DELETE', path: '/nodes/{node}/storage/{storage}/content/{volume}', params: {} },
  downloadUrl: {
    method: 'POST',
    path: '/nodes/{node}/storage/{storage}/download-url',
    params: {
      url: 'string',
      content: 'string:pve-storage-content',
      filename: 'string',
      checksum: 'string',
      'checksum-algorithm': 'string',
      'verify-certificates': 'boolean',
    },
  },

  createVm: {
    method: 'POST',
    path: '/nodes/{node}/qemu',
    params: {
      vmid: 'integer:pve-vmid',
      ...VM_SETTINGS,
      pool: 'string:pve-poolid',
      start: 'boolean',
      'import-working-storage': 'string:pve-storage-id',
    },
  },
  cloneVm: {
    method: 'POST',
    path: '/nodes/{node}/qemu/{vmid}/clone',
    params: {
      newid: 'integer:pve-vmid',
      name: 'string:dns-name',
      full: 'boolean',
      target: 'string:pve-node',
      storage: 'string:pve-storage-id',
      format: 'string',
      pool: 'string:pve-poolid',
      description: 'string',
    },
  },
  vmConfig: { method: 'GET', path: '/nodes/{node}/qemu/{vmid}/config', params: { current: 'boolean' } },
  /** Asynchronous: returns a UPID, or null when done within background_delay. */
  updateVmConfig: {
    method: 'POST',
    path: '/nodes/{node}/qemu/{vmid}/config',
    params: { ...VM_SETTINGS, ...CONFIG_CHANGE, background_delay: 'integer' },
  },
  /** Synchronous: returns null; for changes without hotplug or storage allocation (tags, description). */
  setVmConfig: {
    method: 'PUT',
    path: '/nodes/{node}/qemu/{vmid}/config',
    params: {
      tags: 'string:pve-tag-list',
      description: 'string',
      onboot: 'boolean',
      // Resizing a running node VM: both go pending until PVE restarts it (twin/layers/vm.ts).
      cores: 'integer',
      memory: 'property-string',
      ...CONFIG_CHANGE,
    },
  },
  /** Current and pending values side by side (qemu-server vm_pending); VM.Audit. */
  vmPending: { method: 'GET', path: '/nodes/{node}/qemu/{vmid}/pending', params: {} },
  /** Returns a UPID in PVE 9.1 although it is a PUT. */
  resizeDisk: {
    method: 'PUT',
    path: '/nodes/{node}/qemu/{vmid}/resize',
    params: { disk: 'string', size: 'string', digest: 'string' },
  },
  startVm: { method: 'POST', path: '/nodes/{node}/qemu/{vmid}/status/start', params: { timeout: 'integer' } },
  stopVm: {
    method: 'POST',
    path: '/nodes/{node}/qemu/{vmid}/status/stop',
    params: { timeout: 'integer', 'overrule-shutdown': 'boolean' },
  },
  shutdownVm: {
    method: 'POST',
    path: '/nodes/{node}/qemu/{vmid}/status/shutdown',
    params: { timeout: 'integer', forceStop: 'boolean' },
  },
  /** A guest shutdown, then qmeventd starts the VM again, applying pending changes; VM.PowerMgmt. */
  rebootVm: {
    method: 'POST',
    path: '/nodes/{node}/qemu/{vmid}/status/reboot',
    params: { timeout: 'integer' },
  },
  vmStatus: { method: 'GET', path: '/nodes/{node}/qemu/{vmid}/status/current', params: {} },
  deleteVm: {
    method: 'DELETE',
    path: '/nodes/{node}/qemu/{vmid}',
    params: { purge: 'boolean', 'destroy-unreferenced-disks': 'boolean' },
  },
  agentNetworkInterfaces: {
    method: 'GET',
    path: '/nodes/{node}/qemu/{vmid}/agent/network-get-interfaces',
    params: {},
  },

  /** The caller's tasks on a node (all with Sys.Audit there): finds creates in flight by VMID. */
  nodeTasks: {
    method: 'GET',
    path: '/nodes/{node}/tasks',
    params: { source: 'string', typefilter: 'string' },
  },
  taskStatus: { method: 'GET', path: '/nodes/{node}/tasks/{upid}/status', params: {} },
  taskLog: {
    method: 'GET',
    path: '/nodes/{node}/tasks/{upid}/log',
    params: { start: 'integer', limit: 'integer' },
  },
} as const satisfies Record<string, PveEndpoint>;
