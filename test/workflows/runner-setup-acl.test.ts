import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AccessModel } from '../../src/lab/pve/access/evaluate.js';
import {
  OPERATOR_TOKEN_ID,
  PREVIEW_TOKEN_ID,
  PVE9_OPERATOR_SETUP,
  PVE9_PREVIEW_TOKEN_SETUP,
} from '../../src/lab/pve/access/operator-setup.js';
import type { PveMajor } from '../../src/lab/pve/access/privileges.js';
import { validPrivileges } from '../../src/lab/pve/access/privileges.js';
import { runPveum, shellWords } from '../../src/lab/pve/access/pveum.js';
import type { AccessConfig } from '../../src/lab/pve/access/user-cfg.js';
import { emptyAccessConfig } from '../../src/lab/pve/access/user-cfg.js';

const README = readFileSync('runner-setup/README.md', 'utf8');
const TOKEN = 'twin@pve!gha';
const SLOT_POOL = 'aggrik8s/slot-0';
const SLOT_VM = 7100;

/** The lines of the first ```sh block after the heading `### <heading>` (the next heading ends the search). */
function shBlockAfter(heading: string): string[] {
  const lines = README.split('\n');
  const start = lines.indexOf(`### ${heading}`);
  if (start < 0) throw new Error(`runner-setup/README.md has no heading '### ${heading}'`);
  const rest = lines.slice(start + 1);
  const open = rest.findIndex((line) => line === '```sh' || line.startsWith('#'));
  if (open < 0 || rest[open] !== '```sh') throw new Error(`no sh block right after '### ${heading}'`);
  const close = rest.findIndex((line, i) => i > open && line === '```');
  if (close < 0) throw new Error(`the sh block after '### ${heading}' is not closed`);
  return rest.slice(open + 1, close);
}

const pveumLines = (heading: string) => shBlockAfter(heading).filter((line) => line.startsWith('pveum '));
const PVE9 = pveumLines('PVE 9 commands');
const PVE8 = pveumLines('PVE 8 commands');

/** Runs the block on a fresh user.cfg, then adds a slot pool with one member VM and an unrelated pool. */
function configFrom(lines: string[], major: PveMajor): AccessConfig {
  const config = emptyAccessConfig();
  for (const line of lines) runPveum(config, major, line);
  config.pools[SLOT_POOL] = { poolid: SLOT_POOL, vms: [SLOT_VM], storage: [] };
  config.pools.other = { poolid: 'other', vms: [7200], storage: [] };
  return config;
}

function privilegesOn(lines: string[], major: PveMajor, path: string): string[] {
  return [...new AccessModel(configFrom(lines, major), major).permissions(TOKEN, path).keys()];
}

const rolePrivileges = (lines: string[]) =>
  lines
    .filter((line) => line.startsWith('pveum role add '))
    .flatMap((line) => {
      const words = shellWords(line);
      return (words[words.indexOf('--privs') + 1] ?? '').split(/[,;\s]+/).filter((priv) => priv !== '');
    });

describe('runner-setup/README.md: the least-privilege token', () => {
  it('shows exactly the pveum commands the lab builds its default token from (PVE 9)', () => {
    expect(OPERATOR_TOKEN_ID).toBe(TOKEN);
    expect(PVE9).toEqual(PVE9_OPERATOR_SETUP);
  });

  it('puts one pveum command per line, without loops, continuations or end-of-line comments', () => {
    for (const block of [shBlockAfter('PVE 9 commands'), shBlockAfter('PVE 8 commands')]) {
      for (const line of block) {
        expect(line.trim() === '' || line.startsWith('#') || line.startsWith('pveum ')).toBe(true);
        expect(line.endsWith('\\')).toBe(false);
        if (line.startsWith('pveum ')) expect(shellWords(line)).not.toContain('#');
      }
    }
  });

  it('names only privileges each release knows', () => {
    const pve8 = new Set(validPrivileges(8));
    const pve9 = new Set(validPrivileges(9));
    expect(rolePrivileges(PVE8).filter((priv) => !pve8.has(priv))).toEqual([]);
    expect(rolePrivileges(PVE9).filter((priv) => !pve9.has(priv))).toEqual([]);
    expect(rolePrivileges(PVE8)).toContain('VM.Monitor');
    expect(rolePrivileges(PVE8)).not.toContain('VM.GuestAgent.Audit');
  });

  it.each([
    ['PVE 9', PVE9, 9 as const],
    ['PVE 8', PVE8, 8 as const],
  ])('the %s block runs cleanly through pveum', (_name, lines, major) => {
    const config = emptyAccessConfig();
    for (const line of lines) expect(() => runPveum(config, major, line), line).not.toThrow();
    expect(config.users['twin@pve']?.tokens.gha?.privsep).toBe(true);
    expect(config.pools.aggrik8s).toBeDefined();
    expect(config.pools['aggrik8s-production']).toBeDefined();
  });

  it.each([
    ['PVE 9', PVE9, 9 as const, 'VM.GuestAgent.Audit'],
    ['PVE 8', PVE8, 8 as const, 'VM.Monitor'],
  ])('the %s block gives the token what the product needs, and only there', (_name, lines, major, agent) => {
    const on = (path: string) => privilegesOn(lines, major, path);
    // Claim, create into and release a slot pool: inherited from /pool/aggrik8s.
    expect(on(`/pool/${SLOT_POOL}`)).toEqual(
      expect.arrayContaining(['VM.Allocate', 'VM.Config.Options', 'Pool.Allocate', 'Pool.Audit']),
    );
    // A member VM inherits the pool's roles: tags after create, power, reads, guest agent, resize, delete.
    expect(on(`/vms/${SLOT_VM}`)).toEqual(
      expect.arrayContaining([
        'VM.Allocate',
        'VM.Audit',
        'VM.Config.Options',
        'VM.Config.Disk',
        'VM.PowerMgmt',
        agent,
      ]),
    );
    expect(on('/storage/local')).toEqual(
      expect.arrayContaining(['Datastore.AllocateTemplate', 'Datastore.Audit']),
    );
    expect(on('/storage/local-lvm')).toEqual(
      expect.arrayContaining(['Datastore.AllocateSpace', 'Datastore.Audit']),
    );
    expect(on('/nodes/pve1')).toEqual(expect.arrayContaining(['Sys.AccessNetwork', 'Sys.Audit']));
    expect(on('/sdn/zones/localnetwork/vmbr0/1500')).toEqual(['SDN.Use']);

    // Nothing outside aggrik8s/, no /vms ACL, nothing the product does not need.
    expect(on('/pool/other')).toEqual([]);
    expect(on('/vms/7200')).toEqual([]);
    expect(on('/vms/7300')).toEqual([]);
    expect(on('/')).toEqual([]);
    expect(on('/storage/nfs')).toEqual([]);
    expect(on('/sdn/zones/localnetwork/vmbr1/1500')).toEqual([]);
    const everywhere = [
      '/',
      `/pool/${SLOT_POOL}`,
      `/vms/${SLOT_VM}`,
      '/storage/local',
      '/nodes/pve1',
    ].flatMap(on);
    for (const unneeded of [
      'VM.Config.CDROM',
      'VM.Clone',
      'Sys.Modify',
      'Datastore.Allocate',
      'Permissions.Modify',
    ])
      expect(everywhere).not.toContain(unneeded);
  });

  it('without ACLs of its own the privilege-separated token gets nothing from its user', () => {
    const config = configFrom(
      PVE9.filter((line) => !line.includes('--tokens')),
      9,
    );
    expect([...new AccessModel(config, 9).permissions(TOKEN, `/pool/${SLOT_POOL}`).keys()]).toEqual([]);
  });
});

describe('runner-setup/README.md: the preview token of the two trust tiers', () => {
  const PREVIEW = pveumLines('The preview token');
  // Production under its own parent pool: its slot 0 with one VM, and its lock; a preview in aggrik8s/slot-1.
  const PRODUCTION_SLOT = 'aggrik8s-production/slot-0';
  const PRODUCTION_LOCK = 'aggrik8s-production/slot-lock-production';
  const PRODUCTION_VM = 7000;
  const PREVIEW_SLOT = 'aggrik8s/slot-1';
  const PREVIEW_VM = 7101;

  function tiers(): AccessConfig {
    const config = configFrom([...PVE9, ...PREVIEW], 9);
    config.pools[PRODUCTION_SLOT] = { poolid: PRODUCTION_SLOT, vms: [PRODUCTION_VM], storage: [] };
    config.pools[PRODUCTION_LOCK] = { poolid: PRODUCTION_LOCK, vms: [], storage: [] };
    config.pools[PREVIEW_SLOT] = { poolid: PREVIEW_SLOT, vms: [PREVIEW_VM], storage: [] };
    return config;
  }
  const config = tiers();
  const on = (token: string, path: string, cfg = config) => [
    ...new AccessModel(cfg, 9).permissions(token, path).keys(),
  ];
  const productionPaths = [
    '/pool/aggrik8s-production',
    `/pool/${PRODUCTION_SLOT}`,
    `/pool/${PRODUCTION_LOCK}`,
    '/pool/aggrik8s-production/slot-1', // a pool production would create: its rights come from the parent
    `/vms/${PRODUCTION_VM}`,
  ];

  it('runs cleanly after the PVE 9 block, and is what the lab makes its preview token from', () => {
    expect(PREVIEW).toEqual(PVE9_PREVIEW_TOKEN_SETUP);
    expect(PREVIEW_TOKEN_ID).toBe('twin@pve!preview');
    expect(config.users['twin@pve']?.tokens.preview?.privsep).toBe(true);
    // No ACL on a slot pool: the boundary is the parent pool, which no destroy deletes.
    expect(PREVIEW.some((line) => /\/pool\/[^ ]*slot/.test(line))).toBe(false);
  });

  it("reaches a preview's slot and its VMs like the production token", () => {
    for (const path of [`/pool/${PREVIEW_SLOT}`, `/vms/${PREVIEW_VM}`, '/storage/local', '/nodes/pve1']) {
      expect(on(PREVIEW_TOKEN_ID, path).sort(), path).toEqual(on(TOKEN, path).sort());
    }
    expect(on(PREVIEW_TOKEN_ID, `/pool/${PREVIEW_SLOT}`)).toEqual(
      expect.arrayContaining(['VM.Allocate', 'Pool.Allocate']),
    );
  });

  it("gets nothing under production's parent pool: no Pool.Audit to list it, no right to act or lock", () => {
    for (const path of productionPaths) expect(on(PREVIEW_TOKEN_ID, path), path).toEqual([]);
  });

  it('the production token has what production needs there', () => {
    for (const path of productionPaths.slice(0, 4)) {
      expect(on(TOKEN, path), path).toEqual(
        expect.arrayContaining(['VM.Allocate', 'VM.Config.Options', 'Pool.Allocate', 'Pool.Audit']),
      );
    }
    expect(on(TOKEN, `/vms/${PRODUCTION_VM}`)).toEqual(
      expect.arrayContaining(['VM.Allocate', 'VM.Audit', 'VM.PowerMgmt', 'VM.Config.Options']),
    );
  });

  it('stays so after production is destroyed and created again (PVE deletes only the slot pool and its ACLs)', () => {
    const again = tiers();
    delete again.pools[PRODUCTION_SLOT];
    for (const path of Object.keys(again.acl))
      if (path.startsWith(`/pool/${PRODUCTION_SLOT}`)) delete again.acl[path];
    again.pools[PRODUCTION_SLOT] = { poolid: PRODUCTION_SLOT, vms: [PRODUCTION_VM], storage: [] };
    for (const path of productionPaths) expect(on(PREVIEW_TOKEN_ID, path, again), path).toEqual([]);
    expect(on(TOKEN, `/vms/${PRODUCTION_VM}`, again)).toEqual(expect.arrayContaining(['VM.PowerMgmt']));
  });
});
