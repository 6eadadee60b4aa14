import { splitList } from '../property-string.js';
import type { ApiRequest, HandlerTable, LabContext } from './context.js';
import { ok } from './context.js';
import { may } from './permissions.js';

/** pve-manager Cluster.pm get_options over the lab's datacenter.cfg. */
export const datacenterHandlers: HandlerTable = {
  'GET /cluster/options': clusterOptions,
};

/** The datacenter.cfg the PVE installer writes ("keyboard: <layout>", en-us for a US install). */
const DATACENTER_CFG: Record<string, string> = { keyboard: 'en-us' };

/** PVE::DataCenterConfig's default MAC prefix, Proxmox's IEEE OUI (the lab's NICs use it too). */
const PROXMOX_OUI = 'BC:24:11';

/**
 * parse_datacenter_config: the file's keys, plus `description` (the file's comment lines, always
 * set, '' when there are none) and `mac_prefix` (always set, to the OUI by default).
 */
function datacenterConfig(): Record<string, string> {
  return { ...DATACENTER_CFG, description: '', mac_prefix: PROXMOX_OUI };
}

/**
 * GET /cluster/options (P.7): declared `user: all`, so the Sys.Audit check on / only decides how
 * much is returned: everything, or only `console` and `tag-style` when set (the lab's file sets
 * neither). `allowed-tags` is always added for the caller.
 */
function clusterOptions(lab: LabContext, req: ApiRequest) {
  const config = datacenterConfig();
  const visible = may(lab, req.user, '/', ['Sys.Audit'])
    ? config
    : Object.fromEntries(Object.entries(config).filter(([key]) => key === 'console' || key === 'tag-style'));
  return ok({ ...visible, 'allowed-tags': allowedTags(lab, req.user) });
}

/**
 * GuestHelpers::get_allowed_tags with datacenter.cfg's defaults (no `user-tag-access`, so
 * user-allow=free and no user-allow-list; no `registered-tags`): the tags in the current config
 * section of every VM the caller has VM.Audit on (on /vms/<vmid>, pool members included), or of
 * every VM for a caller with Sys.Modify on /. Sorted, each once.
 */
function allowedTags(lab: LabContext, user: string): string[] {
  const privileged = may(lab, user, '/', ['Sys.Modify']);
  const tags = new Set<string>();
  for (const vm of lab.state.vms()) {
    if (!vm.config.tags) continue;
    if (!privileged && !may(lab, user, `/vms/${vm.vmid}`, ['VM.Audit'])) continue;
    for (const tag of splitList(vm.config.tags)) tags.add(tag);
  }
  return [...tags].sort();
}
