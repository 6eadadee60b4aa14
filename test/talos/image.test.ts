import { describe, expect, it } from 'vitest';
import { imageDownloadParams, installerImage, talosNocloudImage } from '../../src/talos/image.js';

const schematic = '376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba';

describe('installerImage', () => {
  it('is the nocloud installer of the boot image’s schematic, not the metal one (LIFECYCLE F.1)', () => {
    expect(installerImage({ schematic, version: 'v1.12.11' })).toBe(
      `factory.talos.dev/nocloud-installer/${schematic}:v1.12.11`,
    );
  });

  it('shares its schematic and version with the boot image', () => {
    const talos = { schematic, version: 'v1.11.6', arch: 'amd64' as const };
    const image = talosNocloudImage({ ...talos, extensions: [] } as never);
    expect(image.url).toContain(`/${schematic}/v1.11.6/nocloud-`);
    expect(installerImage(talos)).toMatch(new RegExp(`/${schematic}:v1\\.11\\.6$`));
  });
});

describe('imageDownloadParams', () => {
  const talos = { schematic, version: 'v1.13.9', arch: 'amd64' as const, extensions: [] };

  it('asks PVE to check the pinned sha256 when the spec has one', () => {
    const sha = 'c'.repeat(64);
    const image = talosNocloudImage({ ...talos, imageSha256: sha } as never);
    expect(imageDownloadParams(image)).toEqual({
      content: 'import',
      filename: `talos-v1.13.9-${schematic.slice(0, 12)}-nocloud-amd64.qcow2`,
      url: `https://factory.talos.dev/image/${schematic}/v1.13.9/nocloud-amd64.qcow2`,
      checksum: sha,
      'checksum-algorithm': 'sha256',
    });
  });

  it('sends no checksum without a pin', () => {
    expect(imageDownloadParams(talosNocloudImage(talos as never))).not.toHaveProperty('checksum');
  });
});
