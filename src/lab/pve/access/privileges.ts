/**
 * PVE's privileges and built-in roles (PVE-PERMISSIONS.md P.1-P.2, pve-access-control
 * AccessControl.pm `$privgroups` and `create_roles`), for PVE 9 and for PVE 8.
 */
export type PveMajor = 8 | 9;

type Level = 'root' | 'admin' | 'user' | 'audit';
type Groups = Record<string, Partial<Record<Level, string[]>>>;

const GUEST_AGENT_ADMIN = ['VM.GuestAgent.Unrestricted'];
const GUEST_AGENT_USER = [
  'VM.GuestAgent.FileRead',
  'VM.GuestAgent.FileSystemMgmt',
  'VM.GuestAgent.FileWrite',
];

/** `$privgroups` of PVE 9 (AC master lines 1057-1164). */
function privGroups(major: PveMajor): Groups {
  const vmAdmin = [
    'VM.Config.Disk',
    'VM.Config.CPU',
    'VM.Config.Memory',
    'VM.Config.Network',
    'VM.Config.HWType',
    'VM.Config.Options',
    'VM.Allocate',
    'VM.Clone',
    'VM.Migrate',
    'VM.Snapshot',
    'VM.Snapshot.Rollback',
    ...(major === 9 ? [...GUEST_AGENT_ADMIN, 'VM.Replicate'] : ['VM.Monitor']),
  ];
  const vmUser = [
    'VM.Config.CDROM',
    'VM.Config.Cloudinit',
    'VM.Console',
    'VM.Backup',
    'VM.PowerMgmt',
    ...(major === 9 ? GUEST_AGENT_USER : []),
  ];
  return {
    VM: {
      admin: vmAdmin,
      user: vmUser,
      audit: ['VM.Audit', ...(major === 9 ? ['VM.GuestAgent.Audit'] : [])],
    },
    Sys: {
      root: ['Sys.PowerMgmt', 'Sys.Modify', 'Sys.Incoming', 'Sys.AccessNetwork'],
      admin: ['Sys.Console', 'Sys.Syslog'],
      audit: ['Sys.Audit'],
    },
    Datastore: {
      admin: ['Datastore.Allocate', 'Datastore.AllocateTemplate'],
      user: ['Datastore.AllocateSpace'],
      audit: ['Datastore.Audit'],
    },
    SDN: { admin: ['SDN.Allocate', 'SDN.Audit'], user: ['SDN.Use'], audit: ['SDN.Audit'] },
    User: { root: ['Realm.Allocate'], admin: ['User.Modify', 'Group.Allocate', 'Realm.AllocateUser'] },
    Pool: { admin: ['Pool.Allocate'], user: ['Pool.Audit'], audit: ['Pool.Audit'] },
    Mapping: { admin: ['Mapping.Modify'], user: ['Mapping.Use'], audit: ['Mapping.Audit'] },
  };
}

const unique = (items: string[]) => [...new Set(items)].sort();

/** Every valid privilege name of that release (47 on PVE 9, 42 on PVE 8). */
export function validPrivileges(major: PveMajor): string[] {
  const groups = privGroups(major);
  const all = Object.values(groups).flatMap((levels) => Object.values(levels).flat());
  return unique([...all, 'Permissions.Modify']);
}

/** The built-in roles, as create_roles() builds them; user.cfg cannot change them. */
export function builtinRoles(major: PveMajor): Record<string, string[]> {
  const groups = privGroups(major);
  const roles: Record<string, string[]> = {
    Administrator: validPrivileges(major),
    NoAccess: [],
    PVEAuditor: unique(Object.values(groups).flatMap((levels) => levels.audit ?? [])),
    PVETemplateUser: ['VM.Audit', 'VM.Clone'],
  };
  const adminAll: string[] = [];
  for (const [category, levels] of Object.entries(groups)) {
    const admin = [...(levels.admin ?? []), ...(levels.user ?? []), ...(levels.audit ?? [])];
    roles[`PVE${category}Admin`] = unique(admin);
    adminAll.push(...admin);
    if ((levels.user ?? []).length > 0)
      roles[`PVE${category}User`] = unique([...(levels.user ?? []), ...(levels.audit ?? [])]);
  }
  roles.PVEAdmin = unique(adminAll.filter((priv) => priv !== 'Mapping.Modify'));
  return roles;
}

/** A role id a user may create (API2/Role.pm: not in the `PVE` namespace). */
export function isReservedRoleId(roleid: string): boolean {
  return /^pve/i.test(roleid);
}
