import { describe, expect, it } from 'vitest';
import type { ContractEndpoint } from '../../../src/lab/pve/contract.js';
import { PveContract } from '../../../src/lab/pve/contract.js';

const contract = PveContract.load();

function endpoint(method: string, path: string): ContractEndpoint {
  const found = contract.endpoints().find((e) => e.method === method && e.path === path);
  if (!found) throw new Error(`no ${method} ${path} in the contract`);
  return found;
}

const UNKNOWN = 'property is not defined in schema and the schema does not allow additional properties';
const createVm = endpoint('POST', '/nodes/{node}/qemu');

/** CONTRACTS.md A.6 step 2: the Talos VM create request the product sends. */
const talosCreate: Record<string, string> = {
  node: 'pve1',
  vmid: '101',
  name: 'talos-cp-1',
  memory: '4096',
  balloon: '0',
  cores: '2',
  cpu: 'x86-64-v2-AES',
  ostype: 'l26',
  scsihw: 'virtio-scsi-single',
  scsi0: 'local-lvm:0,import-from=local:import/talos-v1.11.6-nocloud-amd64.qcow2,iothread=1,discard=on,ssd=1',
  scsi1: 'local-lvm:100',
  ide2: 'local-lvm:cloudinit',
  citype: 'nocloud',
  ipconfig0: 'ip=192.168.10.11/24,gw=192.168.10.1',
  nameserver: '192.168.10.1',
  net0: 'virtio,bridge=vmbr0,tag=20',
  agent: 'enabled=1',
  serial0: 'socket',
  boot: 'order=scsi0',
  onboot: '1',
  tags: 'talos;cluster-a;cp',
  pool: 'k8s',
};

const create = (changes: Record<string, string | undefined>) => {
  const params = { ...talosCreate };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete params[key];
    else params[key] = value;
  }
  return contract.verify(createVm, params);
};

describe('PveContract.verify: VM create', () => {
  it('accepts the full Talos create request of CONTRACTS A.6', () => {
    expect(create({})).toEqual({});
  });

  it('refuses a VM name with an underscore (dns-name)', () => {
    expect(create({ name: 'bad_name' })).toEqual({
      name: 'invalid format - value does not look like a valid DNS name\n',
    });
  });

  it('refuses a tag with a colon', () => {
    expect(create({ tags: 'talos;cluster:a' })).toEqual({
      tags: 'invalid format - invalid characters in tag\n',
    });
  });

  it('accepts upper-case tags (the tag regex is case-insensitive) and any list separator', () => {
    expect(create({ tags: 'Talos, cluster-a k8s.role.cp' })).toEqual({});
  });

  it('refuses an unknown parameter', () => {
    expect(create({ foo: 'bar' })).toEqual({ foo: UNKNOWN });
  });

  it('refuses names that only exist on Object.prototype', () => {
    const params = Object.fromEntries([
      ...Object.entries(talosCreate),
      ['constructor', 'x'],
      ['__proto__', 'y'],
    ]);
    const errors = contract.verify(createVm, params);
    expect(Object.entries(errors)).toEqual([
      ['constructor', UNKNOWN],
      ['__proto__', UNKNOWN],
    ]);
  });

  it('reports a missing vmid', () => {
    expect(create({ vmid: undefined })).toEqual({ vmid: 'property is missing and it is not optional' });
  });

  it('checks the pve-vmid format before the minimum, as PVE does', () => {
    expect(create({ vmid: '99' })).toEqual({
      vmid: 'invalid format - value does not look like a valid VM ID\n',
    });
    expect(create({ vmid: 'abc' })).toEqual({ vmid: "type check ('integer') failed - got 'abc'" });
  });

  it('checks minimum and maximum', () => {
    expect(create({ cores: '0' })).toEqual({ cores: 'value must have a minimum value of 1' });
    expect(create({ cpulimit: '129' })).toEqual({ cpulimit: 'value must have a maximum value of 128' });
  });

  it('refuses a value outside an enum with the whole enumeration', () => {
    expect(create({ scsihw: 'virtio-scsi' })).toEqual({
      scsihw:
        "value 'virtio-scsi' does not have a value in the enumeration " +
        "'lsi, lsi53c810, virtio-scsi-pci, virtio-scsi-single, megasas, pvscsi'",
    });
  });

  it('wants 1/0 for a top-level boolean; true is a type error', () => {
    expect(create({ onboot: 'true' })).toEqual({ onboot: "type check ('boolean') failed - got 'true'" });
    expect(create({ onboot: '0', start: '1' })).toEqual({});
  });

  it('checks patterns and lengths', () => {
    expect(create({ serial0: 'tty0' })).toEqual({ serial0: 'value does not match the regex pattern' });
    expect(create({ description: 'x'.repeat(8193) })).toEqual({
      description: 'value may only be 8192 characters long',
    });
  });

  it('refuses ipconfig with a gateway but no ip', () => {
    expect(create({ ipconfig0: 'gw=1.2.3.4' })).toEqual({
      ipconfig0:
        "invalid format - format error\nipconfig0.ip: missing property - 'ipconfig0.gw' requires this property\n",
    });
  });

  it('accepts dhcp and IPv6 auto in ipconfig, and refuses a bad CIDR', () => {
    expect(create({ ipconfig1: 'ip=dhcp,ip6=auto' })).toEqual({});
    expect(create({ ipconfig0: 'ip=192.168.10.11/33' })).toEqual({
      ipconfig0:
        'invalid format - format error\nipconfig0.ip: invalid format - ' +
        'value does not look like a valid ipv4 network configuration\n\n',
    });
  });

  it('accepts a boot order of several devices and refuses an unknown one', () => {
    expect(create({ boot: 'order=scsi0;net0' })).toEqual({});
    expect(create({ boot: 'order=scsi0;floppy0' })).toEqual({
      boot: "invalid format - format error\nboot.order: invalid format - invalid boot device 'floppy0'\n\n",
    });
  });

  it('knows the index range of numbered keys', () => {
    expect(create({ scsi30: 'local-lvm:8' })).toEqual({});
    expect(create({ scsi31: 'local-lvm:8' })).toEqual({ scsi31: UNKNOWN });
    expect(create({ scsi01: 'local-lvm:8' })).toEqual({ scsi01: UNKNOWN });
    expect(create({ net31: 'virtio,bridge=vmbr0', net32: 'virtio' })).toEqual({ net32: UNKNOWN });
  });

  it('checks the keys inside a property string', () => {
    expect(create({ net0: 'virtio,bridge=vmbr0,tag=5000' })).toEqual({
      net0: 'invalid format - format error\nnet0.tag: value must have a maximum value of 4094\n',
    });
    expect(create({ scsi0: 'local-lvm:0,discard=yes' })).toEqual({
      scsi0:
        'invalid format - format error\n' +
        "scsi0.discard: value 'yes' does not have a value in the enumeration 'ignore, on'\n",
    });
    expect(create({ scsi0: 'local-lvm:0,speed=fast' })).toEqual({
      scsi0: 'invalid format - invalid key in comma-separated list property: speed\n',
    });
  });

  it('takes the net model alias `<model>=<mac>` and refuses a second model', () => {
    expect(create({ net0: 'virtio=BC:24:11:00:00:01,bridge=vmbr0' })).toEqual({});
    expect(create({ net0: 'virtio,e1000=BC:24:11:00:00:01' })).toEqual({
      net0: "invalid format - key alias 'model' is already defined\n",
    });
    expect(create({ net0: 'virtio=01:24:11:00:00:01' })).toEqual({
      net0:
        'invalid format - format error\nnet0.macaddr: invalid format - ' +
        'value does not look like a valid unicast MAC address\n\n',
    });
  });

  it('accepts true/on/yes for a keyed boolean inside a property string', () => {
    expect(create({ agent: 'enabled=true,fstrim_cloned_disks=on' })).toEqual({});
  });

  it('checks the cpu type against the models qemu-server knows', () => {
    expect(create({ cpu: 'host,flags=+aes' })).toEqual({});
    expect(create({ cpu: 'x86-64-v9' })).toEqual({
      cpu: "invalid format - Built-in cputype 'x86-64-v9' is not defined (missing 'custom-' prefix?)\n",
    });
  });

  it('accepts a nameserver list and refuses a bad entry', () => {
    expect(create({ nameserver: '192.168.10.1 1.1.1.1;dns.example.org' })).toEqual({});
    expect(create({ nameserver: '192.168.10.1,bad_host' })).toEqual({
      nameserver: 'invalid format - value does not look like a valid address: bad_host\n',
    });
  });
});

describe('PveContract.verify: other endpoints', () => {
  const downloadUrl = endpoint('POST', '/nodes/{node}/storage/{storage}/download-url');
  const download = {
    node: 'pve1',
    storage: 'local',
    content: 'import',
    filename: 'talos-v1.11.6-abcdef12-nocloud-amd64.qcow2',
    url: 'https://factory.talos.dev/image/abc/v1.11.6/nocloud-amd64.qcow2',
  };

  it('accepts download-url with content=import', () => {
    expect(contract.verify(downloadUrl, download)).toEqual({});
    expect(
      contract.verify(downloadUrl, { ...download, checksum: 'ab', 'checksum-algorithm': 'sha256' }),
    ).toEqual({});
  });

  it('wants checksum and checksum-algorithm together', () => {
    expect(contract.verify(downloadUrl, { ...download, checksum: 'ab' })).toEqual({
      'checksum-algorithm': "missing property - 'checksum' requires this property",
    });
    expect(contract.verify(downloadUrl, { ...download, 'checksum-algorithm': 'sha256' })).toEqual({
      checksum: "missing property - 'checksum-algorithm' requires this property",
    });
  });

  it('knows the compression values apidata.js leaves out, and has no xz', () => {
    expect(contract.verify(downloadUrl, { ...download, compression: 'zst' })).toEqual({});
    expect(contract.verify(downloadUrl, { ...download, compression: 'xz' })).toEqual({
      compression: "value 'xz' does not have a value in the enumeration 'gz, lzo, zst, bz2'",
    });
  });

  it('refuses an unknown content type by format, then by the endpoint enum', () => {
    expect(contract.verify(downloadUrl, { ...download, content: 'isos' })).toEqual({
      content: "invalid format - invalid content type 'isos'\n",
    });
    expect(contract.verify(downloadUrl, { ...download, content: 'images' })).toEqual({
      content: "value 'images' does not have a value in the enumeration 'iso, vztmpl, import'",
    });
  });

  it('checks the pools type parameter requires poolid', () => {
    const listPools = endpoint('GET', '/pools');
    expect(contract.verify(listPools, { type: 'qemu' })).toEqual({
      poolid: "missing property - 'type' requires this property",
    });
    expect(contract.verify(listPools, { type: 'qemu', poolid: 'twins/pr-7' })).toEqual({});
  });

  it('checks the config update keys: delete list, digest length', () => {
    const update = endpoint('PUT', '/nodes/{node}/qemu/{vmid}/config');
    const base = { node: 'pve1', vmid: '101' };
    expect(contract.verify(update, { ...base, delete: 'ipconfig1,net1', tags: 'a' })).toEqual({});
    expect(contract.verify(update, { ...base, delete: 'net1;9lives' })).toEqual({
      delete: "invalid format - invalid configuration ID '9lives'\n",
    });
    expect(contract.verify(update, { ...base, digest: 'f'.repeat(41) })).toEqual({
      digest: 'value may only be 40 characters long',
    });
  });

  it('checks the resize size pattern and disk enum', () => {
    const resize = endpoint('PUT', '/nodes/{node}/qemu/{vmid}/resize');
    const base = { node: 'pve1', vmid: '101', disk: 'scsi0' };
    expect(contract.verify(resize, { ...base, size: '+30G' })).toEqual({});
    expect(contract.verify(resize, { ...base, size: '32GB' })).toEqual({
      size: 'value does not match the regex pattern',
    });
  });
});

describe('PveContract.route', () => {
  const upid = 'UPID:pve1:0000ABCD:00012345:6650A1B2:qmcreate:101:ci@pve!gha:';
  const samples: Record<string, string> = {
    node: 'pve1',
    vmid: '101',
    storage: 'local',
    upid,
    poolid: 'k8s',
    volume: 'local:iso/talos.iso',
  };

  it('routes every path template of the contract with sample values', () => {
    for (const e of contract.endpoints()) {
      const path = e.path.replace(/\{(\w+)\}/g, (_, name: string) => samples[name] ?? `unknown-${name}`);
      expect(path, e.path).not.toContain('unknown-');
      const result = contract.route(e.method, path);
      expect(result?.endpoint, `${e.method} ${path}`).toBe(e);
      const names = [...e.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '');
      expect(result?.pathParams).toEqual(Object.fromEntries(names.map((name) => [name, samples[name]])));
    }
  });

  it('returns undefined for an unknown path or a method the path does not have', () => {
    expect(contract.route('GET', '/nodes/pve1/lxc')).toBeUndefined();
    expect(contract.route('GET', '/nodes/pve1/qemu/101/nothing')).toBeUndefined();
    expect(contract.route('PATCH', '/pools')).toBeUndefined();
    expect(contract.route('POST', '/nodes/pve1/qemu/101/status/current')).toBeUndefined();
  });

  it("keeps a UPID with ':' '@' '!' as one path parameter", () => {
    const result = contract.route('GET', `/nodes/pve1/tasks/${upid}/status`);
    expect(result?.endpoint.path).toBe('/nodes/{node}/tasks/{upid}/status');
    expect(result?.pathParams).toEqual({ node: 'pve1', upid });
  });

  it('takes the rest of a storage content path as the volume, like PVE (volume ids hold a slash)', () => {
    const result = contract.route('DELETE', '/nodes/pve1/storage/local/content/local:import/talos.qcow2');
    expect(result?.pathParams).toEqual({
      node: 'pve1',
      storage: 'local',
      volume: 'local:import/talos.qcow2',
    });
  });

  it('does not route a nested pool id through the deprecated /pools/{poolid}', () => {
    expect(contract.route('GET', '/pools/twins/pr-7')).toBeUndefined();
    expect(contract.route('GET', '/pools/')?.endpoint.path).toBe('/pools');
  });

  it('marks proxied and protected methods as the schema does', () => {
    const start = contract.route('POST', '/nodes/pve1/qemu/101/status/start')?.endpoint;
    expect(start?.proxyto).toBe('node');
    expect(start?.protected).toBe(true);
    expect(contract.route('GET', '/version')?.endpoint.proxyto).toBeUndefined();
  });
});

describe('PveContract.load', () => {
  it('parses the file once and shares the result', () => {
    expect(PveContract.load()).toBe(contract);
  });

  it('names the file when it is not the apidata subset', () => {
    expect(() => PveContract.load('/nonexistent/pve-api.json')).toThrow(/cannot read the PVE API contract/);
  });
});
