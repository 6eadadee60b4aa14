import type { TwinSpec } from '../spec/schema.js';

/** The Talos nocloud disk image a twin boots from, as Proxmox imports it. */
export interface TalosImage {
  /** Image Factory URL of the uncompressed qcow2: PVE decompresses only ISO content (CONTRACTS A.3). */
  url: string;
  /** Unique per version, schematic and arch, so twins on different images never share or clobber one. */
  fileName: string;
  /** The pinned sha256 (talos.imageSha256): PVE's download-url checks the download, or the file already there. */
  sha256?: string;
}

export function talosNocloudImage(talos: TwinSpec['talos']): TalosImage {
  const { version, schematic, arch, imageSha256 } = talos;
  return {
    url: `https://factory.talos.dev/image/${schematic}/${version}/nocloud-${arch}.qcow2`,
    fileName: `talos-${version}-${schematic.slice(0, 12)}-nocloud-${arch}.qcow2`,
    ...(imageSha256 === undefined ? {} : { sha256: imageSha256 }),
  };
}

/** download-url's parameters for the image: with a pinned digest, PVE checks it (PVE::Tools download_file_from_url). */
export function imageDownloadParams(image: TalosImage): Record<string, string> {
  return {
    content: 'import',
    filename: image.fileName,
    url: image.url,
    ...(image.sha256 === undefined ? {} : { checksum: image.sha256, 'checksum-algorithm': 'sha256' }),
  };
}

/** The volume id `import-from` takes once download-url has stored the file with content `import`. */
export function importVolumeId(storage: string, image: TalosImage): string {
  return `${storage}:import/${image.fileName}`;
}

/**
 * The installer image Talos installs and upgrades with; its schematic must match the boot image's (CONTRACTS
 * B.2). The nocloud one: plain `installer` is the metal platform's, and since Talos 1.10 the installer bakes
 * the platform into the kernel command line (LIFECYCLE F.1 "Image Factory installer image for nocloud").
 */
export function installerImage(talos: Pick<TwinSpec['talos'], 'schematic' | 'version'>): string {
  return `factory.talos.dev/nocloud-installer/${talos.schematic}:${talos.version}`;
}
