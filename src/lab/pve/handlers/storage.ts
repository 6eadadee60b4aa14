import { servedImageDigest } from '../served-image.js';
import { storageLockPath } from '../locks.js';
import type { StorageRecord, TaskAction, TaskRecord, VolumeRecord } from '../state.js';
import { splitVolid } from '../state.js';
import type { TaskFinisher } from '../tasks.js';
import type { ApiRequest, HandlerTable, LabContext } from './context.js';
import { fail, intParam, ok, paramError, requireString } from './context.js';
import {
  hasContent,
  linkedClonesOf,
  parseVolname,
  renderBytes,
  storageOf,
  storagePath,
  usedBytes,
  volumePath,
} from './volumes.js';
import { checkVolumeAccess, requirePrivs } from './permissions.js';
import { failAt, forkWorker, waitBriefly } from './worker.js';

export const storageHandlers: HandlerTable = {
  'GET /nodes/{node}/storage/{storage}/content': listContent,
  'DELETE /nodes/{node}/storage/{storage}/content/{volume}': deleteVolume,
  'POST /nodes/{node}/storage/{storage}/download-url': downloadUrl,
};

function listContent(lab: LabContext, req: ApiRequest) {
  const node = req.params.node ?? '';
  const storage = storageOf(lab, node, requireString(req.params, 'storage'));
  const content = req.params.content;
  const vmid = intParam(req.params, 'vmid');
  const items = Object.values(storage.volumes)
    .filter((volume) => listed(storage, volume))
    .filter((volume) => accessible(lab, req.user, node, `${storage.id}:${volume.volname}`))
    .filter((volume) => content === undefined || volume.vtype === content)
    .filter((volume) => vmid === undefined || volume.vmid === vmid)
    .map((volume) => ({
      volid: `${storage.id}:${volume.volname}`,
      content: volume.vtype,
      format: volume.format,
      size: volume.sizeBytes,
      used: volume.sizeBytes,
      ctime: volume.ctime,
      ...(volume.vmid !== undefined ? { vmid: volume.vmid } : {}),
      ...(volume.baseVolname !== undefined ? { parent: `${volume.baseVolname}@__base__` } : {}),
    }))
    .sort((a, b) => a.volid.localeCompare(b.volid));
  return ok(items);
}

/** A file whose name PVE cannot parse as a volume (e.g. `import/x.raw.xz`) is on disk but never listed. */
function listed(storage: StorageRecord, volume: VolumeRecord): boolean {
  try {
    parseVolname(storage, volume.volname);
    return true;
  } catch {
    return false;
  }
}

/**
 * Content.pm index runs check_volume_access on each volume and drops the ones it refuses (P.6.5):
 * ISOs, templates and imports need Datastore.Audit or AllocateSpace; a VM's disk needs
 * Datastore.Audit and VM.Config.Disk on its owner; Datastore.Allocate sees everything.
 */
function accessible(lab: LabContext, user: string, node: string, volid: string): boolean {
  try {
    checkVolumeAccess(lab, user, node, volid);
    return true;
  } catch {
    return false;
  }
}

interface VolumeDeleteAction extends TaskAction {
  kind: 'imgdel';
  node: string;
  storeid: string;
  volname: string;
}

/** Content.pm delete: the volume id may be given whole or relative to {storage}. */
async function deleteVolume(lab: LabContext, req: ApiRequest) {
  const node = req.params.node ?? '';
  const volume = requireString(req.params, 'volume');
  let storeid = req.params.storage;
  let volname = volume;
  if (volume.includes(':')) {
    const [sid, name = ''] = splitVolid(volume);
    if (storeid && sid !== storeid) paramError({ volume: `storage ID mismatch (${sid} != ${storeid})\n` });
    storeid = sid;
    volname = name;
  } else if (!storeid) {
    paramError({ volume: 'no storage specified - incomplete volume ID' });
  }
  const storage = storageOf(lab, node, storeid);
  const owner = parseVolname(storage, volname).vmid;
  // Declared `user: all`: the handler wants Datastore.Allocate (backups would take AllocateSpace +
  // VM.Backup, but the lab keeps no backups).
  requirePrivs(lab, req.user, `/storage/${storeid}`, ['Datastore.Allocate']);
  const upid = forkWorker(
    lab,
    { node, type: 'imgdel', id: `${owner !== undefined ? `${owner}@` : ''}${storeid}`, user: req.user },
    (worker) => {
      const lock = lab.locks.request({
        node,
        path: storageLockPath(storeid),
        mode: 'exclusive',
        at: worker.startAt,
        timeoutMs: lab.timing.ms(lab.timing.profile.seconds.storageLockTimeout),
        holdMs: lab.timing.ms(lab.timing.profile.seconds.volumeDelete) * worker.slow,
        holder: worker.task.upid,
      });
      if (!lock.ok) return failAt(worker, lock.failedAt, lock.message);
      worker.task.endsAt = lock.until;
      const action: VolumeDeleteAction = { kind: 'imgdel', node, storeid, volname };
      worker.task.action = action;
    },
  );
  return ok(await waitBriefly(lab, upid, intParam(req.params, 'delay')));
}

function taskStorage(lab: LabContext, node: string, storeid: string): StorageRecord {
  const storage = lab.state.storage(node, storeid);
  if (!storage) throw new Error(`storage '${storeid}' does not exist`);
  return storage;
}

/** What imgdel and download tasks do when they end. */
export function storageFinishers(lab: LabContext): Record<string, TaskFinisher> {
  return {
    imgdel: {
      // vdisk_free under the storage lock.
      finish(task, out) {
        const action = task.action as VolumeDeleteAction;
        const storage = taskStorage(lab, action.node, action.storeid);
        const volume = storage.volumes[action.volname];
        if (volume && linkedClonesOf(storage, action.volname).length > 0) {
          throw new Error(`base volume '${action.volname}' is still in use by linked clones`);
        }
        if (!volume) {
          if (storage.type === 'lvmthin') {
            throw new Error(
              `lvremove 'pve/${action.volname}' error:   Failed to find logical volume "pve/${action.volname}"`,
            );
          }
          out.warn(`disk image '${volumePath(storage, action.volname)}' does not exist`);
        } else {
          delete storage.volumes[action.volname];
          if (storage.type === 'lvmthin')
            out.log(`  Logical volume "${action.volname}" successfully removed.`);
        }
        out.log(`Removed volume '${action.storeid}:${action.volname}'`);
      },
    },
    download: {
      // The downloaded file appears on the storage when the task ends.
      finish(task) {
        const action = task.action as DownloadAction;
        if (action.reused) return;
        const storage = taskStorage(lab, action.node, action.storeid);
        const checksums = action.checksum
          ? { [action.checksum.algorithm]: action.checksum.value.toLowerCase() }
          : undefined;
        storage.volumes[action.volname] = {
          volname: action.volname,
          vtype: action.vtype,
          format: action.format,
          sizeBytes: action.sizeBytes,
          ctime: Math.floor(task.endsAt / 1000),
          sourceUrl: action.url,
          ...(checksums ? { checksums } : {}),
        };
      },
    },
  };
}

interface DownloadAction extends TaskAction {
  kind: 'download';
  node: string;
  storeid: string;
  volname: string;
  vtype: VolumeRecord['vtype'];
  format: string;
  url: string;
  path: string;
  sizeBytes: number;
  checksum?: { algorithm: string; value: string };
  /** The file was there already with the right checksum: nothing to store. */
  reused: boolean;
}

const UPLOAD_IMPORT = /[a-zA-Z0-9\-.+=_]+\.(ova|qcow2|raw|vmdk)/;

/** pve-storage Status.pm download_url with PVE::Tools::download_file_from_url's rules. */
function downloadUrl(lab: LabContext, req: ApiRequest) {
  const node = req.params.node ?? '';
  const storeid = requireString(req.params, 'storage');
  const storage = storageOf(lab, node, storeid);
  const root = storagePath(storage);
  if (!root) fail(`can't upload to storage type '${storage.type}', not a file based storage!`);
  const content = requireString(req.params, 'content') as 'iso' | 'vztmpl' | 'import';
  if (!hasContent(storage, content))
    fail(`storage '${storeid}' is not configured for content-type '${content}'`);
  const filename = requireString(req.params, 'filename').replace(/[^a-zA-Z0-9_.-]/g, '_');
  const format = uploadFormat(content, filename);
  const url = requireString(req.params, 'url');
  const algorithm = req.params['checksum-algorithm'];
  const checksum = req.params.checksum;
  const volname = `${content}/${filename}`;
  const path = volumePath(storage, volname);
  return ok(
    forkWorker(lab, { node, type: 'download', id: filename, user: req.user }, (worker) => {
      const { task } = worker;
      const say = (at: number, text: string) => task.log.push({ at, text });
      let at = worker.startAt;
      const finish = (
        action: Omit<DownloadAction, 'kind' | 'node' | 'storeid' | 'volname' | 'url' | 'path'>,
      ) => {
        task.endsAt = at;
        task.action = { kind: 'download', node, storeid, volname, url, path, ...action } as DownloadAction;
      };
      if (req.params.compression && content !== 'iso')
        return failAt(worker, at, `decompression not supported for ${content}`);
      say(at, `downloading ${url} to ${path}`);
      const existing = storage.volumes[volname];
      const sizeBytes = lab.timing.profile.downloadedImageBytes;
      const wanted = checksum && algorithm ? { algorithm, value: checksum } : undefined;
      if (existing) {
        if (!wanted) return failAt(worker, at, `refusing to override existing file '${path}'`);
        at += lab.timing.transferMs(existing.sizeBytes, 'checksum') * worker.slow;
        const got = knownChecksum(existing, wanted.algorithm);
        if (got !== wanted.value.toLowerCase()) {
          say(at, 'calculating checksum of existing file...');
          return failAt(worker, at, `checksum mismatch: got '${got}' != expect '${wanted.value}', aborting`);
        }
        say(at, 'calculating checksum of existing file...OK, got correct file already, no need to download');
        return finish({ vtype: content, format, sizeBytes: existing.sizeBytes, reused: true });
      }
      at += lab.timing.ms(lab.timing.profile.seconds.downloadSetup) * worker.slow;
      const transferMs = lab.timing.transferMs(sizeBytes, 'download') * worker.slow;
      logWget(task, at, transferMs, url, `${path}.tmp.${task.pid}`, sizeBytes);
      at += transferMs;
      if (usedBytes(storage) + sizeBytes > storage.totalBytes) {
        // Approximation: wget's own ENOSPC wording was not read in the source.
        return failAt(worker, at, `download failed: wget: ${path}.tmp.${task.pid}: No space left on device`);
      }
      if (wanted) {
        at += lab.timing.transferMs(sizeBytes, 'checksum') * worker.slow;
        const got = servedImageDigest(url, wanted.algorithm);
        if (got !== wanted.value.toLowerCase()) {
          // download_file_from_url: the saved file is removed, the task fails with both digests.
          say(at, 'calculating checksum...');
          return failAt(worker, at, `checksum mismatch: got '${got}' != expect '${wanted.value}'`);
        }
        say(at, 'calculating checksum...OK, checksum verified');
      }
      say(at, `download of '${url}' to '${path}' finished`);
      finish({ vtype: content, format, sizeBytes, reused: false, ...(wanted ? { checksum: wanted } : {}) });
    }),
  );
}

/** The extension rules of download_url, with its parameter errors. */
function uploadFormat(content: 'iso' | 'vztmpl' | 'import', filename: string): string {
  if (content === 'iso') {
    if (!/[^/]+\.(?:iso|img)$/i.test(filename)) paramError({ filename: 'wrong file extension' });
    return 'iso';
  }
  if (content === 'vztmpl') {
    const match = /[^/]+\.tar\.(gz|xz|zst|bz2)$/i.exec(filename);
    if (!match) paramError({ filename: 'wrong file extension' });
    return `t${(match[1] ?? 'gz').toLowerCase()}`;
  }
  // Status.pm matches SAFE_CHAR_CLASS_RE+ UPLOAD_IMPORT_EXT_RE_1 without anchors: `x.raw.xz` passes here.
  const match = UPLOAD_IMPORT.exec(filename);
  if (!match) paramError({ filename: 'invalid filename or wrong extension' });
  return match[1] ?? 'raw';
}

/** The checksum of the lab's copy of a file: that of the bytes served at its source URL (served-image.ts). */
function knownChecksum(volume: VolumeRecord, algorithm: string): string {
  return servedImageDigest(volume.sourceUrl ?? volume.volname, algorithm);
}

function logWget(
  task: TaskRecord,
  at: number,
  durationMs: number,
  url: string,
  tmp: string,
  bytes: number,
): void {
  const host = /^https?:\/\/([^/:]+)/.exec(url)?.[1] ?? url;
  const lines = [
    `--${new Date(at).toISOString().replace('T', ' ').slice(0, 19)}--  ${url}`,
    `Resolving ${host} (${host})... 192.0.2.10`,
    `Connecting to ${host} (${host})|192.0.2.10|:443... connected.`,
    'HTTP request sent, awaiting response... 200 OK',
    `Length: ${bytes} (${renderBytes(bytes)}) [application/octet-stream]`,
    `Saving to: '${tmp}'`,
  ];
  for (const text of lines) task.log.push({ at, text });
  for (const percent of [25, 50, 75, 100]) {
    task.log.push({
      at: at + (durationMs * percent) / 100,
      text: `${renderBytes((bytes * percent) / 100)} ${percent}%`,
    });
  }
  task.log.push({ at: at + durationMs, text: `'${tmp}' saved [${bytes}/${bytes}]` });
}
