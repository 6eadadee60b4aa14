import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contractFile } from '../../../src/lab/contracts-dir.js';
import { PveContract } from '../../../src/lab/pve/contract.js';
import { namedPropertyFormat, verifyNamedFormat } from '../../../src/lab/pve/formats.js';
import type { ContractParam } from '../../../src/lab/pve/property-string.js';

interface RawSubset {
  endpoints: {
    path: string;
    info: Record<string, { parameters?: { properties?: Record<string, ContractParam> } }>;
  }[];
}

/** Every parameter of the raw contract file, property-string keys included, with where it sits. */
function rawParams(): { where: string; param: ContractParam }[] {
  const subset = JSON.parse(readFileSync(contractFile('pveApi'), 'utf8')) as RawSubset;
  const found: { where: string; param: ContractParam }[] = [];
  const visit = (where: string, param: ContractParam) => {
    found.push({ where, param });
    if (typeof param.format === 'object') {
      for (const [key, inner] of Object.entries(param.format)) visit(`${where}.${key}`, inner);
    }
  };
  for (const endpoint of subset.endpoints) {
    for (const [method, info] of Object.entries(endpoint.info)) {
      for (const [name, param] of Object.entries(info.parameters?.properties ?? {})) {
        visit(`${method} ${endpoint.path} ${name}`, param);
      }
    }
  }
  return found;
}

const vmCpuFlags =
  'nested-virt, md-clear, pcid, spec-ctrl, ssbd, ibpb, virt-ssbd, amd-ssbd, amd-no-ssb, pdpe1gb, hv-tlbflush, hv-evmcs, aes';

/** For each format the contract uses: values PVE accepts, and one it refuses with PVE's message. */
const SAMPLES: Record<string, { good: string[]; bad: [string, string] }> = {
  'pve-vmid': { good: ['100', '999999999'], bad: ['1000000000', 'value does not look like a valid VM ID\n'] },
  'pve-node': { good: ['pve1', 'n-2'], bad: ['pve_1', 'value does not look like a valid node name\n'] },
  'pve-cpuset': { good: ['0,5,8-11', '3'], bad: ['3-1', 'unable to parse cpuset option\n'] },
  'pve-qemu-sev-fmt': {
    good: ['snp,allow-smt=0', 'type=std'],
    bad: ['no-debug=1', 'format error\ntype: property is missing and it is not optional\n'],
  },
  'pve-qm-boot': {
    good: ['order=scsi0;ide2;net0', 'cdn', 'order=hostpci15;usb13'],
    bad: ['order=efidisk0', "format error\norder: invalid format - invalid boot device 'efidisk0'\n\n"],
  },
  'pve-qm-bootdisk': { good: ['scsi0', 'efidisk0'], bad: ['unused0', "invalid boot disk 'unused0'\n"] },
  'pve-qm-ide': {
    good: ['local:iso/talos.iso,media=cdrom', 'none,media=cdrom', 'cdrom'],
    bad: [
      'local:iso/x.iso,import-from=local:import/a.qcow2',
      'invalid key in comma-separated list property: import-from\n',
    ],
  },
  'pve-qm-cicustom': {
    good: ['user=local:snippets/user.yaml,network=local:snippets/net.yaml'],
    bad: ['user=user.yaml', "format error\nuser: invalid format - unable to parse volume ID 'user.yaml'\n\n"],
  },
  'pve-vm-cpu-conf': {
    good: ['x86-64-v2-AES', 'host,flags=+aes;-pcid', 'cputype=kvm64,hidden=1,phys-bits=host'],
    bad: ['host,flags=+avx512f', `VM-specific CPU flags must be a subset of: ${vmCpuFlags}\n`],
  },
  'pve-volume-id-or-qm-path': {
    good: ['cdrom', 'none', '/dev/sdb', 'local-lvm:vm-101-disk-0', 'local-lvm:32'],
    bad: ['disk.qcow2', "unable to parse volume ID 'disk.qcow2'\n"],
  },
  'pve-volume-id-or-absolute-path': {
    good: ['/var/lib/vz/import/x.qcow2', 'local:import/x.qcow2'],
    bad: ['none', "unable to parse volume ID 'none'\n"],
  },
  'disk-size': {
    good: ['32G', '1.5T', '1024'],
    bad: ['32GB', 'value does not look like a valid disk size: 32GB\n'],
  },
  'pve-volume-id': {
    good: ['local:snippets/x.yaml', 'ceph.pool-1:vm-101-disk-0'],
    bad: ['1local:x', "unable to parse volume ID '1local:x'\n"],
  },
  'pve-qm-hostpci': {
    good: ['0000:01:00.0;0000:01:00.1,pcie=1', 'mapping=gpu0,driver=vfio'],
    bad: ['01:00.0,vendor-id=0x12', 'format error\nvendor-id: value does not match the regex pattern\n'],
  },
  'pve-hotplug-features': {
    good: ['0', '1', 'network,disk,usb', 'cpu;memory cloudinit'],
    bad: ['network,floppy', "invalid hotplug feature 'floppy'\n"],
  },
  urlencoded: {
    good: ['ssh-ed25519%20AAAAC3Nza%20ci%40lab'],
    bad: ['ssh-ed25519 AAAA', 'invalid urlencoded string: ssh-ed25519 AAAA\n'],
  },
  'pve-storage-id': {
    good: ['local-lvm', 'ceph.rbd_1'],
    bad: ['local-', "storage ID 'local-' contains illegal characters\n"],
  },
  'pve-qemu-tdx-fmt': {
    good: ['tdx,attestation=1,vsock-cid=3'],
    bad: ['tdx', 'format error\nattestation: property is missing and it is not optional\n'],
  },
  'pve-qm-ipconfig': {
    good: ['ip=10.0.0.2/24,gw=10.0.0.1,ip6=fd00::2/64,gw6=fd00::1', 'ip=dhcp', 'ip6=auto', 'ip=manual'],
    bad: ['gw6=fd00::1', "format error\nip6: missing property - 'gw6' requires this property\n"],
  },
  'dns-name': {
    good: ['talos-cp-1', 'talos-cp-1.lab.example'],
    bad: ['talos_cp', 'value does not look like a valid DNS name\n'],
  },
  'address-list': {
    good: ['1.1.1.1 2606:4700::1111,dns.example;10.0.0.1'],
    bad: ['1.1.1.1;-bad', 'value does not look like a valid address: -bad\n'],
  },
  'pve-bridge-id': { good: ['vmbr0', 'vnet_lab.20'], bad: ['vmbr0/1', "invalid bridge ID 'vmbr0/1'\n"] },
  'mac-addr': {
    good: ['BC:24:11:AA:bb:cc'],
    bad: ['BD:24:11:AA:BB:CC', 'value does not look like a valid unicast MAC address\n'],
  },
  'pve-poolid': {
    good: ['k8s', 'twins/pr-7', 'a.b/c_d/e-f'],
    bad: ['pr 7', "pool name 'pr 7' contains invalid characters\n"],
  },
  'pve-qm-rng': {
    good: ['/dev/urandom,max_bytes=1024,period=1000'],
    bad: ['max_bytes=1024', 'format error\nsource: property is missing and it is not optional\n'],
  },
  'pve-qm-smbios1': {
    good: ['uuid=5b0f1a1e-2f3c-4d5e-8f90-0123456789ab,base64=1,manufacturer=UHJveG1veA=='],
    bad: ['serial=not base64!', 'format error\nserial: value does not match the regex pattern\n'],
  },
  'pve-startup-order': {
    good: ['order=1,up=30,down=60', '2'],
    bad: ['order=first', 'unable to parse startup options\n'],
  },
  'pve-tag-list': {
    good: ['a;b c,D', 'k8s.role.cp;talos+1'],
    bad: ['ok;no/slash', 'invalid characters in tag\n'],
  },
  'pve-configid': { good: ['gpu-map_1'], bad: ['x', "invalid configuration ID 'x'\n"] },
  'pve-qm-watchdog': {
    good: ['i6300esb,action=reset', 'model=ib700'],
    bad: [
      'model=i6300esb,action=explode',
      "format error\naction: value 'explode' does not have a value in the enumeration " +
        "'reset, shutdown, poweroff, pause, debug, none'\n",
    ],
  },
  'pve-configid-list': {
    good: ['net1,ipconfig1;scsi2', ''],
    bad: ['net1,-x', "invalid configuration ID '-x'\n"],
  },
  CIDR: {
    good: ['10.10.0.0/16', 'fd00::/64'],
    bad: ['10.0.0.0/7', 'value does not look like a valid CIDR network\n'],
  },
  'storage-pair-list': {
    good: ['local-lvm:ceph,1', 'local'],
    bad: [
      'local:bad!',
      "entry 'local:bad!' contains invalid ID - storage ID 'bad!' contains illegal characters\n\n\n",
    ],
  },
  'pve-storage-content': {
    good: ['import', 'iso', 'snippets', 'images'],
    bad: ['imports', "invalid content type 'imports'\n"],
  },
  'pve-storage-id-list': {
    good: ['local,local-lvm'],
    bad: ['local,9x', "storage ID '9x' contains illegal characters\n"],
  },
  'pve-vmid-list': { good: ['101,102;103'], bad: ['101,99', 'value does not look like a valid VM ID\n'] },
};

describe('verifyNamedFormat', () => {
  const formatsInContract = new Set(
    rawParams()
      .map(({ param }) => param.format)
      .filter((format): format is string => typeof format === 'string'),
  );

  it('has samples for exactly the formats the contract uses (a new format fails here)', () => {
    expect([...formatsInContract].sort()).toEqual(Object.keys(SAMPLES).sort());
  });

  for (const [format, { good, bad }] of Object.entries(SAMPLES)) {
    it(`implements ${format}`, () => {
      for (const value of good) expect(verifyNamedFormat(format, value), value).toBeUndefined();
      expect(verifyNamedFormat(format, bad[0])).toBe(bad[1]);
    });
  }

  it('refuses to guess a format it does not implement', () => {
    expect(() => verifyNamedFormat('pve-no-such-format', 'x')).toThrow(/does not implement PVE format/);
  });
});

describe('pool ids (pve-access-control verify_poolname with nested pools)', () => {
  it('accepts up to three levels', () => {
    for (const id of ['twins', 'twins/pr-7', 'lab/twins/pr-7'])
      expect(verifyNamedFormat('pve-poolid', id)).toBeUndefined();
  });

  it('refuses a fourth level, empty levels and the flat rule characters', () => {
    expect(verifyNamedFormat('pve-poolid', 'a/b/c/d')).toBe(
      "pool name 'a/b/c/d' nested too deeply (max levels = 3)\n",
    );
    expect(verifyNamedFormat('pve-poolid', 'twins//pr-7')).toBe(
      "pool name 'twins//pr-7' contains invalid characters\n",
    );
    expect(verifyNamedFormat('pve-poolid', 'twins/')).toBe(
      "pool name 'twins/' contains invalid characters\n",
    );
    expect(verifyNamedFormat('pve-poolid', 'pr:7')).toBe("pool name 'pr:7' contains invalid characters\n");
  });
});

describe('the CPU validator (qemu-server validate_vm_cpu_conf)', () => {
  it.each([
    ['flags=+aes', 'CPU is missing cputype\n'],
    ['custom-fast', "Custom cputype 'fast' not found\n"],
    ['kvm64,reported-model=qemu64', "Property 'reported-model' not allowed in VM-specific CPU config.\n"],
    [
      'kvm64,phys-bits=70',
      "format error\nphys-bits: invalid format - value must be an integer between 8 and 64 or 'host'\n\n",
    ],
  ])('refuses %s', (value, message) => {
    expect(verifyNamedFormat('pve-vm-cpu-conf', value)).toBe(message);
  });
});

describe('named property formats agree with the contract', () => {
  const typetextKeys = (typetext: string) =>
    [...typetext.replace(/<[^>]*>/g, '').matchAll(/([\w-]+)=/g)].map((m) => m[1]).sort();

  it('has the keys each typetext lists', () => {
    let compared = 0;
    for (const { where, param } of rawParams()) {
      const format = typeof param.format === 'string' ? namedPropertyFormat(param.format) : undefined;
      if (!format || !param.typetext?.includes('=')) continue;
      const keys = Object.keys(format).filter((key) => format[key]?.alias === undefined);
      expect(keys.sort(), where).toEqual(typetextKeys(param.typetext));
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(10);
  });

  it("gives cdrom (pve-qm-ide) exactly ide[n]'s keys without import-from", () => {
    const create = PveContract.load()
      .endpoints()
      .find((e) => e.method === 'POST' && e.path === '/nodes/{node}/qemu');
    const ideFormat = create?.params.ide0?.format as Record<string, ContractParam>;
    const constraints = (param: ContractParam | undefined) => {
      const {
        type,
        enum: values,
        pattern,
        minimum,
        maximum,
        maxLength,
        alias,
        default_key,
        optional,
        format,
      } = param ?? {};
      return { type, values, pattern, minimum, maximum, maxLength, alias, default_key, optional, format };
    };
    const expected = Object.fromEntries(
      Object.entries(ideFormat)
        .filter(([key]) => key !== 'import-from')
        .map(([key, param]) => [key, constraints(param)]),
    );
    const named = namedPropertyFormat('pve-qm-ide') ?? {};
    const actual = Object.fromEntries(Object.entries(named).map(([key, param]) => [key, constraints(param)]));
    // PVE's qr// wwn pattern is stringified as (?^:...); ours is the same regex in JS syntax.
    expect(actual.wwn?.pattern).toBe('(?:^(0x)[0-9a-fA-F]{16})');
    expect({ ...actual, wwn: { ...actual.wwn, pattern: expected.wwn?.pattern } }).toEqual(expected);
  });
});
