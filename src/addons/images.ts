/**
 * The container images our own workloads run, pinned by digest so every twin runs the same bytes.
 * One place, so an update touches one line.
 */

/** Serves the demo's and the mesh check's replies from a ConfigMap (CONTRACTS E: nginx 1.27.1). */
export const NGINX_IMAGE =
  'docker.io/library/nginx:1.27.1@sha256:135fbc7ed19c8f644ddf678e68292e678696908451dad7ee2fd4e0cf861f4b6f';

/** Cilium's json-mock, the demo's x-wing: it carries curl, so it is the client the checks exec into. */
export const CURL_CLIENT_IMAGE =
  'quay.io/cilium/json-mock:v1.3.8@sha256:5aad04835eda9025fe4561ad31be77fd55309af8158ca8663a72f6abb78c2603';
