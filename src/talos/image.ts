import type { TwinSpec } from '../spec/schema.js';

/** The Talos nocloud disk image a twin boots from, as Proxmox imports it. */
export interface TalosImage {
  /** Image Factory URL of the uncompressed qcow2: PVE decompresses only ISO content (CONTRACTS A.3). */
  url: string;
  /** Unique per version, schematic and arch, so twins on different images never share or clobber one. */
  fileName: string;
}

export function talosNocloudImage(talos: TwinSpec['talos']): TalosImage {
  const { version, schematic, arch } = talos;
  return {
    url: `https://factory.talos.dev/image/${schematic}/${version}/nocloud-${arch}.qcow2`,
    fileName: `talos-${version}-${schematic.slice(0, 12)}-nocloud-${arch}.qcow2`,
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
