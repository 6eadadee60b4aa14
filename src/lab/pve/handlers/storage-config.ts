import { createHash } from 'node:crypto';
import { splitList } from '../property-string.js';
import type { StorageRecord } from '../state.js';
import type { ApiRequest, HandlerTable, LabContext } from './context.js';
import { boolParam, fail, ok, paramError, requireString } from './context.js';
import { may } from './permissions.js';
import { storagePath, usedBytes } from './volumes.js';

/**
 * pve-storage API2/Storage/Config.pm (the cluster-wide storage.cfg) and Status.pm index (each
 * storage's state on one node). The lab keeps storages per node; their configuration is one.
 */
export const storageConfigHandlers: HandlerTable = {
  'GET /storage': listStorageConfig,
  'GET /storage/{storage}': readStorageConfig,
  'GET /nodes/{node}/storage': listNodeStorages,
};

/** The volume group and thin pool the PVE installer creates for local-lvm (the lab's lvmthin volumes live there). */
const LVM_THIN = { vgname: 'pve', thinpool: 'data' };

/** Plugin plugindata `format`: the formats a type supports and its default (LvmThin has none: raw only). */
const FORMATS: Record<StorageRecord['type'], { valid: string[]; default: string }> = {
  dir: { valid: ['qcow2', 'raw', 'subvol', 'vmdk'], default: 'raw' },
  lvmthin: { valid: ['raw'], default: 'raw' },
};

/** Only listed with Datastore.Audit or Datastore.AllocateSpace on /storage/<id> (P.6.5). */
const LIST_PRIVS = ['Datastore.Audit', 'Datastore.AllocateSpace'];

interface StorageSection {
  storage: string;
  type: StorageRecord['type'];
  content: string;
  /** Type-specific keys in the order the installer writes them. */
  options: Record<string, string>;
}

/**
 * storage.cfg as the lab's nodes define it: one section per storage id, with `nodes` when the
 * storage exists on only some nodes (never for `local`, which parse_config keeps on every node).
 */
function storageSections(lab: LabContext): StorageSection[] {
  const names = lab.state.nodeNames();
  const byId = new Map<string, { storage: StorageRecord; nodes: string[] }>();
  for (const name of names) {
    for (const storage of Object.values(lab.state.node(name)?.storages ?? {})) {
      const entry = byId.get(storage.id) ?? { storage, nodes: [] };
      entry.nodes.push(name);
      byId.set(storage.id, entry);
    }
  }
  return [...byId.values()]
    .sort((a, b) => a.storage.id.localeCompare(b.storage.id))
    .map(({ storage, nodes }) => {
      const restricted = storage.id !== 'local' && nodes.length < names.length;
      const location: Record<string, string> =
        storage.type === 'dir'
          ? { path: storagePath(storage) ?? '' }
          : { thinpool: LVM_THIN.thinpool, vgname: LVM_THIN.vgname };
      return {
        storage: storage.id,
        type: storage.type,
        // content_hash_to_string: an empty content set is 'none'.
        content: storage.content.join(',') || 'none',
        options: { ...location, ...(restricted ? { nodes: nodes.join(',') } : {}) },
      };
    });
}

/** The file's text in SectionConfig's layout; its SHA-1 is the `digest` every entry carries. */
function storageCfgDigest(sections: StorageSection[]): string {
  const text = sections
    .map((section) =>
      [
        `${section.type}: ${section.storage}`,
        ...Object.entries(section.options).map(([key, value]) => `\t${key} ${value}`),
        `\tcontent ${section.content}`,
      ].join('\n'),
    )
    .join('\n\n');
  return createHash('sha1').update(`${text}\n`).digest('hex');
}

/** Config.pm $api_storage_config: the section's keys plus `storage` and the file's digest. */
function apiStorageConfig(section: StorageSection, digest: string) {
  return {
    storage: section.storage,
    type: section.type,
    ...section.options,
    content: section.content,
    digest,
  };
}

function listStorageConfig(lab: LabContext, req: ApiRequest) {
  const sections = storageSections(lab);
  const digest = storageCfgDigest(sections);
  return ok(
    sections
      .filter((section) => may(lab, req.user, `/storage/${section.storage}`, LIST_PRIVS, true))
      .filter((section) => req.params.type === undefined || section.type === req.params.type)
      .map((section) => apiStorageConfig(section, digest)),
  );
}

/** Declared Datastore.Allocate on /storage/{storage}; storage_config dies for an unknown id. */
function readStorageConfig(lab: LabContext, req: ApiRequest) {
  const storeid = requireString(req.params, 'storage');
  const sections = storageSections(lab);
  const section = sections.find((candidate) => candidate.storage === storeid);
  if (!section) fail(`storage '${storeid}' does not exist`);
  return ok(apiStorageConfig(section, storageCfgDigest(sections)));
}

/**
 * storage_info for one storage on `node`: zeros for a storage not enabled there (a `nodes`
 * restriction), the usage and `active` for one that is.
 */
function storageInfo(lab: LabContext, node: string, section: StorageSection, withFormats: boolean) {
  const storage = lab.state.storage(node, section.storage);
  const base = {
    storage: section.storage,
    type: section.type,
    content: section.content,
    shared: 0,
    total: 0,
    used: 0,
    avail: 0,
    active: 0,
    enabled: storage ? 1 : 0,
  };
  if (!storage) return base;
  const total = storage.totalBytes;
  const used = usedBytes(storage);
  return {
    ...base,
    ...(withFormats ? formatInfo(storage.type) : {}),
    total,
    used,
    avail: Math.max(0, total - used),
    active: 1,
    ...(total > 0 ? { used_fraction: used / total } : {}),
  };
}

/** `format=1`: `formats`, and the deprecated `format` tuple [valid formats, default] beside it. */
function formatInfo(type: StorageRecord['type']) {
  const { valid, default: fallback } = FORMATS[type];
  return {
    formats: { supported: valid, default: fallback },
    format: [Object.fromEntries(valid.map((format) => [format, 1])), fallback],
  };
}

/**
 * Status.pm index. `content` keeps storages enabled on the node that allow one of the types;
 * `storage` must name one of those (else a parameter error); `enabled` only drops storages
 * disabled in storage.cfg (the lab disables none); `target` other than the node keeps only shared
 * storages (the lab has none).
 */
function listNodeStorages(lab: LabContext, req: ApiRequest) {
  const node = req.params.node ?? '';
  const { content, storage, target } = req.params;
  const wanted = content === undefined ? undefined : splitList(content);
  const withFormats = boolParam(req.params, 'format');
  const infos = storageSections(lab)
    .filter((section) => {
      if (wanted === undefined) return true;
      const enabledHere = lab.state.storage(node, section.storage) !== undefined;
      return enabledHere && wanted.some((type) => section.content.split(',').includes(type));
    })
    .map((section) => storageInfo(lab, node, section, withFormats));
  if (storage !== undefined && !infos.some((info) => info.storage === storage))
    paramError({ storage: 'No such storage.' });
  if (target !== undefined && target !== node && target !== 'localhost') return ok([]);
  return ok(
    infos
      .filter((info) => may(lab, req.user, `/storage/${info.storage}`, LIST_PRIVS, true))
      .filter((info) => storage === undefined || info.storage === storage),
  );
}
