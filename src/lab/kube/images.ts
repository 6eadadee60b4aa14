/**
 * The registry the lab's nodes pull from: the images the product's workloads and charts use. A reference
 * is normalised as containerd does it; a tag the table lacks, or a digest that is not the image's, fails
 * the way containerd fails a pull (the kubelet then shows ErrImagePull, later ImagePullBackOff).
 */

export interface KnownImage {
  repository: string;
  tag: string;
  /** Only for images whose digest the lab knows; the others are pulled by tag alone. */
  digest?: string;
}

export interface ImageReference {
  repository: string;
  tag?: string;
  digest?: string;
  /** What containerd resolves: `repo@digest` when a digest is given (the tag is then ignored), else `repo:tag`. */
  canonical: string;
}

export type ImagePull =
  | { ok: true; reference: ImageReference }
  | {
      ok: false;
      /** The container's waiting reason. */
      reason: 'ErrImagePull' | 'InvalidImageName';
      /** The kubelet's message for it (the CRI error, as it shows in the pod's status). */
      message: string;
    };

const versions = (prefix: string, minor: string, last: number): string[] =>
  Array.from({ length: last + 1 }, (_, patch) => `${prefix}${minor}.${patch}`);

const images = (repository: string, tags: string[]): KnownImage[] => tags.map((tag) => ({ repository, tag }));

export const KNOWN_IMAGES: readonly KnownImage[] = [
  {
    repository: 'docker.io/library/nginx',
    tag: '1.27.1',
    digest: 'sha256:135fbc7ed19c8f644ddf678e68292e678696908451dad7ee2fd4e0cf861f4b6f',
  },
  {
    repository: 'quay.io/cilium/json-mock',
    tag: 'v1.3.8',
    digest: 'sha256:5aad04835eda9025fe4561ad31be77fd55309af8158ca8663a72f6abb78c2603',
  },
  ...images('docker.io/rook/ceph', [...versions('v', '1.17', 9), ...versions('v', '1.18', 8)]),
  ...images('quay.io/ceph/ceph', ['v19.2.3']),
  ...images('quay.io/cilium/clustermesh-apiserver', [...versions('v', '1.19', 6), 'v1.20.0']),
  ...images('quay.io/cilium/cilium', [...versions('v', '1.19', 6), 'v1.20.0']),
  ...images('quay.io/cilium/operator-generic', [...versions('v', '1.19', 6), 'v1.20.0']),
  ...images('quay.io/cilium/tetragon', ['v1.5.0']),
  // Talos v1.11's CoreDNS (constants.go DefaultCoreDNSVersion).
  ...images('registry.k8s.io/coredns/coredns', ['v1.12.4']),
  // Rook's CSI driver (the rook-ceph chart's csi.* images).
  ...images('quay.io/cephcsi/cephcsi', ['v3.14.2', 'v3.15.0']),
  ...images('registry.k8s.io/sig-storage/csi-node-driver-registrar', ['v2.13.0']),
  ...images('registry.k8s.io/sig-storage/csi-provisioner', ['v5.2.0']),
  ...images('registry.k8s.io/sig-storage/csi-resizer', ['v1.13.2']),
  ...images('registry.k8s.io/sig-storage/csi-attacher', ['v4.8.1']),
  ...images('registry.k8s.io/sig-storage/csi-snapshotter', ['v8.2.1']),
];

// docker/distribution's reference grammar, reduced to what image references in manifests use.
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN =
  '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?';
const REFERENCE = new RegExp(
  `^(?:(${DOMAIN})/)?(${COMPONENT}(?:/${COMPONENT})*)(?::([\\w][\\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$`,
);

/** `nginx` -> docker.io/library/nginx:latest, as containerd's ParseDockerRef does; undefined when it does not parse. */
export function normalizeImage(ref: string): ImageReference | undefined {
  const firstSlash = ref.indexOf('/');
  const first = firstSlash < 0 ? '' : ref.slice(0, firstSlash);
  const hasDomain = first.includes('.') || first.includes(':') || first === 'localhost';
  const match = REFERENCE.exec(hasDomain ? ref : `docker.io/${ref}`);
  if (!match) return undefined;
  const [, domain = 'docker.io', path = '', tag, digest] = match;
  const repository = `${domain}/${domain === 'docker.io' && !path.includes('/') ? `library/${path}` : path}`;
  if (digest) return { repository, ...(tag ? { tag } : {}), digest, canonical: `${repository}@${digest}` };
  const resolvedTag = tag ?? 'latest';
  return { repository, tag: resolvedTag, canonical: `${repository}:${resolvedTag}` };
}

/** Pulls `ref` from the lab's registry. */
export function resolveImage(ref: string): ImagePull {
  const reference = normalizeImage(ref);
  if (!reference) {
    return {
      ok: false,
      reason: 'InvalidImageName',
      message: `Failed to apply default image tag "${ref}": couldn't parse image name "${ref}": invalid reference format`,
    };
  }
  const known = KNOWN_IMAGES.filter((image) => image.repository === reference.repository);
  const found = reference.digest
    ? known.some((image) => image.digest === reference.digest)
    : known.some((image) => image.tag === reference.tag);
  if (found) return { ok: true, reference };
  return { ok: false, reason: 'ErrImagePull', message: pullFailure(reference, known.length > 0) };
}

/** containerd's error for a reference the registry cannot resolve, as the CRI hands it to the kubelet. */
function pullFailure(reference: ImageReference, repositoryExists: boolean): string {
  const { canonical, repository } = reference;
  const prefix = `failed to pull and unpack image "${canonical}": failed to resolve reference "${canonical}"`;
  if (repositoryExists || !['docker.io', 'quay.io'].includes(repository.split('/')[0] ?? '')) {
    return `rpc error: code = NotFound desc = ${prefix}: ${canonical}: not found`;
  }
  if (repository.startsWith('docker.io/')) {
    return `rpc error: code = Unknown desc = ${prefix}: pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed`;
  }
  const path = repository.slice('quay.io/'.length);
  const manifest = reference.digest ?? reference.tag ?? 'latest';
  return `rpc error: code = Unknown desc = ${prefix}: unexpected status from HEAD request to https://quay.io/v2/${path}/manifests/${manifest}: 401 UNAUTHORIZED`;
}
