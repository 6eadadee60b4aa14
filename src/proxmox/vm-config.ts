/** One Proxmox API call as it goes on the wire: `params` are exactly the form fields sent. */
export interface ApiCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  params: Record<string, string>;
}

/** What Proxmox must know of one Talos node; the planner fills it from the twin's layout. */
export interface TalosVm {
  vmid: number;
  name: string;
  description: string;
  cores: number;
  memoryMiB: number;
  diskGiB: number;
  extraDisksGiB: number[];
  address: string;
  prefixLength: number;
  gateway: string;
  dns: string[];
  vlan: number;
  tags: string[];
}

export interface VmSettings {
  pveNode: string;
  pool: string;
  bridge: string;
  diskStorage: string;
  imageVolume: string;
}

/** Talos needs x86-64-v2; the PVE backend default is kvm64 (CONTRACTS A.3), so say it. */
const CPU_TYPE = 'x86-64-v2-AES';

function diskOptions(): string {
  return 'discard=on,ssd=1';
}

/**
 * The create call for a Talos node (CONTRACTS A.6): boot disk imported from the nocloud image, a
 * cloud-init drive carrying the static address so Talos has it before any config is applied, extra
 * disks for Ceph on workers, and the twin's pool. No tags: qemu-server 9.2 checks tag rights on
 * /vms/<vmid> inside the create task, before the VM joins its pool, so a pool-scoped token would fail
 * there (PVE-PERMISSIONS.md P.6.1, P.9); the tags follow once the VM is a pool member (vmTagParams).
 */
export function vmCreateParams(node: TalosVm, vm: VmSettings): Record<string, string> {
  const params: Record<string, string> = {
    vmid: String(node.vmid),
    name: node.name,
    description: node.description,
    memory: String(node.memoryMiB),
    balloon: '0', // Talos does not support memory hot plug; ballooning only confuses capacity.
    cores: String(node.cores),
    cpu: CPU_TYPE,
    ostype: 'l26',
    scsihw: 'virtio-scsi-pci',
    scsi0: `${vm.diskStorage}:0,import-from=${vm.imageVolume},${diskOptions()}`,
    ide2: `${vm.diskStorage}:cloudinit`,
    citype: 'nocloud',
    ipconfig0: `ip=${node.address}/${node.prefixLength},gw=${node.gateway}`,
    nameserver: node.dns.join(' '),
    net0: `virtio,bridge=${vm.bridge},tag=${node.vlan}`,
    agent: 'enabled=1',
    serial0: 'socket',
    boot: 'order=scsi0',
    onboot: '1',
    pool: vm.pool,
  };
  node.extraDisksGiB.forEach((sizeGiB, i) => {
    params[`scsi${i + 1}`] = `${vm.diskStorage}:${sizeGiB},${diskOptions()}`;
  });
  return params;
}

function vmPath(node: TalosVm, vm: VmSettings): string {
  return `/nodes/${vm.pveNode}/qemu/${node.vmid}`;
}

/** The ownership tags, set by a config update once the VM is in its pool (VM.Config.Options from the pool). */
export function vmTagParams(node: TalosVm): Record<string, string> {
  return { tags: node.tags.join(';') };
}

/** Create, tag, grow the imported boot disk to the spec's size (the image is only ~1.2 GiB), then start. */
export function vmCreateCalls(node: TalosVm, vm: VmSettings): ApiCall[] {
  return [
    { method: 'POST', path: `/nodes/${vm.pveNode}/qemu`, params: vmCreateParams(node, vm) },
    { method: 'PUT', path: `${vmPath(node, vm)}/config`, params: vmTagParams(node) },
    {
      method: 'PUT',
      path: `${vmPath(node, vm)}/resize`,
      params: { disk: 'scsi0', size: `${node.diskGiB}G` },
    },
    { method: 'POST', path: `${vmPath(node, vm)}/status/start`, params: {} },
  ];
}
