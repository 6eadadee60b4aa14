#!/usr/bin/env bash
# Sets up a lab runner host for aggrik8s-twin (Debian/Ubuntu, run as root):
#   - for its trust tier (--tier production|preview), the `runner-<tier>` system user (no sudo, no login
#     shell, a 0700 home that holds the tier's twin state);
#   - talosctl, kubectl and helm from runner-setup/tools.json, checksum-verified, into /usr/local/bin;
#   - the GitHub Actions runner, pinned by version and sha256, in /opt/actions-runner-<tier>, registered
#     with the labels self-hosted,lab,proxmox,<tier> and run by systemd as `runner-<tier>`.
# One host may carry both tiers: each is its own user, folder, registration and service.
# Re-running changes nothing that is already right. --dry-run prints every action and changes nothing.
# The registration URL and token come from the environment only (RUNNER_URL, RUNNER_TOKEN): a token on
# a command line is visible to every user of the host in `ps`. See runner-setup/README.md.
set -euo pipefail

# Pinned runner release: the sha256 of its linux-x64 and linux-arm64 assets, as the release notes of
# https://github.com/actions/runner/releases/tag/v2.335.1 list them. Change version and checksums together.
RUNNER_VERSION="2.335.1"
RUNNER_SHA256_X64="4ef2f25285f0ae4477f1fe1e346db76d2f3ebf03824e2ddd1973a2819bf6c8cf"
RUNNER_SHA256_ARM64="6d1e85bfd1a506a8b17c1f1b9b57dba458ffed90898799aaa9f599520b0d9207"

BASE_LABELS="self-hosted,lab,proxmox"
# Set from --tier by set_tier.
RUNNER_LABELS=""
RUNNER_USER=""
SERVICE_NAME=""
tier=""
TOOLS=(talosctl kubectl helm)

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

dry_run=0
tools_only=0
ephemeral=0
prefix="/"
tools_file="${SCRIPT_DIR}/tools.json"
runner_name="$(hostname -s 2>/dev/null || hostname)"
registration_token=""
work_dir=""
staged_paths=()

usage() {
  cat <<'EOF'
Usage: RUNNER_URL=https://github.com/OWNER/REPO RUNNER_TOKEN=... setup-runner.sh [options]

Sets up this Debian/Ubuntu host as an aggrik8s-twin lab runner (run as root). Safe to run again.

Environment:
  RUNNER_URL     repository (or organisation) the runner registers with, e.g. https://github.com/acme/lab
  RUNNER_TOKEN   registration token (Settings > Actions > Runners > New self-hosted runner; valid 1 hour).
                 Read from the environment only and never printed. Not needed once registered.

Options:
  --tier TIER    production or preview (required, except with --tools-only): the runner's labels add the
                 tier, and it runs as its own user runner-TIER, so one tier never reads the other's state
  --dry-run      print every action, change nothing
  --tools-only   only install or update talosctl, kubectl and helm (after editing tools.json)
  --tools FILE   tool pins to use (default: tools.json beside this script)
  --name NAME    runner name (default: the host name)
  --ephemeral    register an ephemeral runner: it takes one job, then needs a new token
  --prefix DIR   install files under DIR instead of / (staging and tests); the user, packages,
                 registration and service are then left alone
  -h, --help     show this help
EOF
}

die() {
  echo "setup-runner: $*" >&2
  exit 1
}

say() { echo "==> $*"; }

# Runs a command that changes the host, or only prints it under --dry-run.
act() {
  local description="$1"
  shift
  if ((dry_run)); then
    echo "[dry-run] would ${description}"
  else
    say "${description}"
    "$@"
  fi
}

# Actions on the host itself (packages, users, registration, systemd) only happen without --prefix.
on_host() { [[ "${prefix}" == "/" ]]; }

skip_off_host() { echo "skip (--prefix ${prefix}): $*"; }

parse_args() {
  while (($# > 0)); do
    case "$1" in
      --dry-run) dry_run=1 ;;
      --tools-only) tools_only=1 ;;
      --ephemeral) ephemeral=1 ;;
      --tools)
        (($# > 1)) || die "--tools needs a file: --tools runner-setup/tools.json"
        tools_file="$2"
        shift
        ;;
      --tier)
        (($# > 1)) || die "--tier needs a value: --tier production or --tier preview"
        tier="$2"
        shift
        ;;
      --name)
        (($# > 1)) || die "--name needs a value: --name lab-runner-1"
        runner_name="$2"
        shift
        ;;
      --prefix)
        (($# > 1)) || die "--prefix needs a directory: --prefix /tmp/runner-root"
        prefix="$2"
        shift
        ;;
      -h | --help)
        usage
        exit 0
        ;;
      --token* | --url*)
        die "${1%%=*}: the registration URL and token are read from RUNNER_URL and RUNNER_TOKEN only (a command line is visible in ps)"
        ;;
      *) die "unknown option ${1%%=*} (see --help)" ;;
    esac
    shift
  done
  [[ "${prefix}" == /* ]] || die "--prefix ${prefix} is not an absolute path: write it as /path/to/dir"
  prefix="${prefix%/}"
  prefix="${prefix:-/}"
  [[ "${runner_name}" =~ ^[A-Za-z0-9._-]{1,64}$ ]] ||
    die "--name ${runner_name} is not a valid runner name: use letters, digits, '.', '_' and '-' (at most 64)"
  set_tier
}

# Production and previews never share a runner user, folder or registration (twin.yml's trust tiers).
set_tier() {
  if [[ -z "${tier}" ]] && ((tools_only)); then return 0; fi
  case "${tier}" in
    production | preview) ;;
    "") die "--tier is required: --tier production (the production twin's jobs) or --tier preview (pull requests)" ;;
    *) die "--tier ${tier:0:60} is not a tier: use production or preview" ;;
  esac
  RUNNER_LABELS="${BASE_LABELS},${tier}"
  RUNNER_USER="runner-${tier}"
  SERVICE_NAME="actions-runner-lab-${tier}"
}

path_in_prefix() {
  if on_host; then echo "$1"; else echo "${prefix}$1"; fi
}

detect_arch() {
  case "$(uname -m)" in
    x86_64 | amd64)
      tool_arch="amd64"
      runner_arch="x64"
      runner_sha256="${RUNNER_SHA256_X64}"
      ;;
    aarch64 | arm64)
      tool_arch="arm64"
      runner_arch="arm64"
      runner_sha256="${RUNNER_SHA256_ARM64}"
      ;;
    *) die "CPU architecture $(uname -m) is not supported: use an amd64 or arm64 host" ;;
  esac
}

set_paths() {
  bin_dir="$(path_in_prefix /usr/local/bin)"
  runner_dir="$(path_in_prefix "/opt/actions-runner-${tier}")"
  state_dir="$(path_in_prefix /var/lib/aggrik8s-twin-runner)"
  unit_file="$(path_in_prefix "/etc/systemd/system/${SERVICE_NAME}.service")"
}

runner_registered() { [[ -f "${runner_dir}/.runner" ]]; }

# Refuses before anything changes, so a missing token never leaves a half set-up host.
check_preconditions() {
  if ((!dry_run)) && on_host && ((EUID != 0)); then
    die "run as root (sudo -E keeps RUNNER_URL and RUNNER_TOKEN): the script creates a user, a service and files in /usr/local/bin"
  fi
  if ((!dry_run)) && ! on_host; then
    mkdir -p "${prefix}" || die "cannot create --prefix ${prefix}"
  fi
  [[ -f "${tools_file}" ]] || die "tool pins ${tools_file} not found: pass --tools FILE or restore runner-setup/tools.json"
  ((tools_only)) && return 0
  if runner_registered; then
    return 0
  fi
  [[ -n "${RUNNER_URL:-}" ]] ||
    die "RUNNER_URL is not set: export RUNNER_URL=https://github.com/OWNER/REPO (the repository the runner serves)"
  [[ "${RUNNER_URL}" =~ ^https://[^[:space:]]+$ ]] ||
    die "RUNNER_URL ${RUNNER_URL} is not an https URL: write it as https://github.com/OWNER/REPO"
  [[ -n "${RUNNER_TOKEN:-}" ]] ||
    die "RUNNER_TOKEN is not set: export RUNNER_TOKEN=<registration token> from Settings > Actions > Runners > New self-hosted runner (it is valid for one hour)"
  # Kept in a plain shell variable from here on, so no child process but config.sh ever sees it.
  registration_token="${RUNNER_TOKEN}"
  unset RUNNER_TOKEN
}

cleanup() {
  local path
  for path in "${staged_paths[@]}"; do
    rm -rf -- "${path}"
  done
  if [[ -n "${work_dir}" ]]; then rm -rf -- "${work_dir}"; fi
}

make_work_dir() {
  if [[ -z "${work_dir}" ]]; then
    work_dir="$(mktemp -d "${TMPDIR:-/tmp}/setup-runner.XXXXXX")"
  fi
}

ensure_packages() {
  local missing=() command package
  for command in curl jq tar sha256sum; do
    if ! command -v "${command}" >/dev/null 2>&1; then
      case "${command}" in
        sha256sum) package="coreutils" ;;
        *) package="${command}" ;;
      esac
      missing+=("${package}")
    fi
  done
  if ((${#missing[@]} == 0)); then
    echo "packages: curl, jq, tar and sha256sum are present"
    return 0
  fi
  if ! on_host; then
    ((dry_run)) && {
      skip_off_host "install ${missing[*]}"
      return 0
    }
    die "missing ${missing[*]}: install them (apt-get install -y ${missing[*]}) or run without --prefix"
  fi
  [[ -f /etc/debian_version ]] || die "this host is not Debian/Ubuntu: install ${missing[*]} yourself, then run again"
  act "install ${missing[*]} ca-certificates with apt-get" apt_install "${missing[@]}" ca-certificates
}

apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

ensure_user() {
  if ! on_host; then
    skip_off_host "create the system user ${RUNNER_USER}"
    return 0
  fi
  if id -u "${RUNNER_USER}" >/dev/null 2>&1; then
    echo "user ${RUNNER_USER} exists"
    if id -nG "${RUNNER_USER}" | tr ' ' '\n' | grep -qxE 'sudo|admin|wheel|root|docker'; then
      echo "WARNING: ${RUNNER_USER} is in a privileged group ($(id -nG "${RUNNER_USER}")): jobs would run with it." >&2
      echo "         Remove it, e.g. gpasswd -d ${RUNNER_USER} sudo" >&2
    fi
    if [[ "$(stat -c %a "/home/${RUNNER_USER}")" != "700" ]]; then
      act "make /home/${RUNNER_USER} private (0700)" chmod 0700 "/home/${RUNNER_USER}"
    fi
    return 0
  fi
  act "create the system user ${RUNNER_USER} (home /home/${RUNNER_USER}, no login shell, no sudo)" \
    useradd --system --user-group --create-home --home-dir "/home/${RUNNER_USER}" \
    --shell /usr/sbin/nologin "${RUNNER_USER}"
  # The home holds the tier's twin state (~/.aggrik8s-twin/state): no other user may enter it.
  act "make /home/${RUNNER_USER} private (0700)" chmod 0700 "/home/${RUNNER_USER}"
}

# Reads one field of tools.json; fails naming the field when it is missing.
tool_field() {
  local tool="$1" field="$2" value
  value="$(jq -r --arg tool "${tool}" --arg asset "linux-${tool_arch}" --arg field "${field}" \
    '.[$tool].assets[$asset][$field] // empty' "${tools_file}")" ||
    die "${tools_file} is not valid JSON: fix it (jq . ${tools_file} shows where)"
  echo "${value}"
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# The stamp records which asset a binary came from, so an archived tool (helm) is recognised too.
tool_is_current() {
  local tool="$1" asset_sha="$2" recorded_asset recorded_binary
  local stamp="${state_dir}/${tool}.sha256"
  [[ -x "${bin_dir}/${tool}" && -f "${stamp}" ]] || return 1
  read -r recorded_asset recorded_binary <"${stamp}" || return 1
  [[ "${recorded_asset}" == "${asset_sha}" && "${recorded_binary}" == "$(sha256_of "${bin_dir}/${tool}")" ]]
}

download() {
  local url="$1" file="$2"
  curl --fail --silent --show-error --location --proto '=https,file' --tlsv1.2 \
    --retry 3 --output "${file}" "${url}" || die "download of ${url} failed"
}

verify_sha256() {
  local file="$1" expected="$2" what="$3" actual
  actual="$(sha256_of "${file}")"
  [[ "${actual}" == "${expected}" ]] ||
    die "checksum mismatch for ${what}: expected ${expected}, got ${actual}. Nothing was installed; check the pin in ${tools_file} against the upstream release"
}

install_tools() {
  if ! command -v jq >/dev/null 2>&1; then
    ((dry_run)) || die "jq is needed to read ${tools_file}"
    echo "[dry-run] would read ${tools_file} once jq is installed (talosctl, kubectl, helm for linux-${tool_arch})"
    return 0
  fi
  local tool version url sha archive_path pending=()
  for tool in "${TOOLS[@]}"; do
    version="$(jq -r --arg tool "${tool}" '.[$tool].version // empty' "${tools_file}")"
    url="$(tool_field "${tool}" url)"
    sha="$(tool_field "${tool}" sha256)"
    [[ -n "${version}" ]] || die "${tools_file}: .${tool}.version is missing: add the release, e.g. \"v1.13.7\""
    [[ "${url}" =~ ^(https|file):// ]] ||
      die "${tools_file}: .${tool}.assets[\"linux-${tool_arch}\"].url is missing or not https://: add the download URL"
    [[ "${sha}" =~ ^[0-9a-f]{64}$ ]] ||
      die "${tools_file}: .${tool}.assets[\"linux-${tool_arch}\"].sha256 is missing or not 64 lower-case hex digits"
    if tool_is_current "${tool}" "${sha}"; then
      echo "${tool} ${version} is installed at ${bin_dir}/${tool}"
    else
      pending+=("${tool}")
    fi
  done
  ((${#pending[@]} > 0)) || return 0

  # Every download is verified before the first binary is replaced: a bad pin installs nothing.
  for tool in "${pending[@]}"; do
    version="$(jq -r --arg tool "${tool}" '.[$tool].version' "${tools_file}")"
    url="$(tool_field "${tool}" url)"
    sha="$(tool_field "${tool}" sha256)"
    archive_path="$(tool_field "${tool}" archivePath)"
    act "download ${tool} ${version} from ${url} and verify sha256 ${sha}" \
      fetch_tool "${tool}" "${version}" "${url}" "${sha}" "${archive_path}"
  done
  for tool in "${pending[@]}"; do
    sha="$(tool_field "${tool}" sha256)"
    act "install ${tool} into ${bin_dir}/${tool} (mode 0755)" place_tool "${tool}" "${sha}"
  done
}

fetch_tool() {
  local tool="$1" version="$2" url="$3" sha="$4" archive_path="$5" download_file
  make_work_dir
  download_file="${work_dir}/${tool}.download"
  download "${url}" "${download_file}"
  verify_sha256 "${download_file}" "${sha}" "${tool} ${version} (linux-${tool_arch}) from ${url}"
  if [[ -z "${archive_path}" ]]; then
    mv "${download_file}" "${work_dir}/${tool}"
    return 0
  fi
  mkdir -p "${work_dir}/${tool}.extract"
  tar -xzf "${download_file}" -C "${work_dir}/${tool}.extract" -- "${archive_path}" ||
    die "${tool}: ${archive_path} is not in the archive from ${url}: fix archivePath in ${tools_file}"
  mv "${work_dir}/${tool}.extract/${archive_path}" "${work_dir}/${tool}"
}

place_tool() {
  local tool="$1" asset_sha="$2"
  local staged="${bin_dir}/.${tool}.new"
  mkdir -p "${bin_dir}" "${state_dir}"
  staged_paths+=("${staged}")
  install -m 0755 "${work_dir}/${tool}" "${staged}"
  mv -f "${staged}" "${bin_dir}/${tool}"
  echo "${asset_sha} $(sha256_of "${bin_dir}/${tool}")" >"${state_dir}/${tool}.sha256"
}

install_runner() {
  local version_file="${runner_dir}/.aggrik8s-runner-version"
  if [[ -x "${runner_dir}/config.sh" ]]; then
    if [[ -f "${version_file}" && "$(cat "${version_file}")" == "${RUNNER_VERSION}" ]]; then
      echo "actions runner ${RUNNER_VERSION} is installed in ${runner_dir}"
    else
      echo "an actions runner is installed in ${runner_dir}; it updates itself, so it is left as it is"
    fi
    return 0
  fi
  local asset="actions-runner-linux-${runner_arch}-${RUNNER_VERSION}.tar.gz"
  local url="https://github.com/actions/runner/releases/download/v${RUNNER_VERSION}/${asset}"
  act "download the actions runner ${RUNNER_VERSION} from ${url} and verify sha256 ${runner_sha256}" \
    fetch_runner "${url}" "${asset}"
  act "unpack the runner into ${runner_dir}, owned by ${RUNNER_USER}" place_runner "${asset}"
}

fetch_runner() {
  local url="$1" asset="$2"
  make_work_dir
  download "${url}" "${work_dir}/${asset}"
  verify_sha256 "${work_dir}/${asset}" "${runner_sha256}" "the actions runner ${RUNNER_VERSION} (${asset})"
}

place_runner() {
  local asset="$1" staged="${runner_dir}.new"
  rm -rf -- "${staged}"
  staged_paths+=("${staged}")
  mkdir -p "${staged}"
  tar -xzf "${work_dir}/${asset}" -C "${staged}"
  echo "${RUNNER_VERSION}" >"${staged}/.aggrik8s-runner-version"
  if on_host; then
    # The runner's own script installs the .NET runtime libraries (libicu and friends) with apt.
    "${staged}/bin/installdependencies.sh"
    chown -R "${RUNNER_USER}:${RUNNER_USER}" "${staged}"
  fi
  mv "${staged}" "${runner_dir}"
}

register_runner() {
  local options="--labels ${RUNNER_LABELS} --name ${runner_name}"
  ((ephemeral)) && options+=" --ephemeral"
  if runner_registered; then
    echo "the runner is registered (${runner_dir}/.runner); to move it, run config.sh remove as ${RUNNER_USER} first"
    return 0
  fi
  local description="register the runner with ${RUNNER_URL} (${options}; token from RUNNER_TOKEN, not shown)"
  if ! on_host; then
    skip_off_host "${description}"
    return 0
  fi
  act "${description}" configure_runner
}

configure_runner() {
  local extra=()
  ((ephemeral)) && extra+=(--ephemeral)
  # config.sh reads the token from ACTIONS_RUNNER_INPUT_TOKEN, so it never appears in an argument list.
  (cd "${runner_dir}" &&
    ACTIONS_RUNNER_INPUT_TOKEN="${registration_token}" runuser -u "${RUNNER_USER}" -- ./config.sh \
      --unattended --url "${RUNNER_URL}" --name "${runner_name}" --labels "${RUNNER_LABELS}" \
      --work _work --replace "${extra[@]}")
}

unit_text() {
  local restart="always"
  # An ephemeral runner deregisters after its job; restarting it would only fail.
  ((ephemeral)) && restart="no"
  cat <<EOF
# Written by aggrik8s-twin runner-setup/setup-runner.sh; re-run the script instead of editing.
[Unit]
Description=GitHub Actions runner for aggrik8s-twin (labels ${RUNNER_LABELS})
After=network-online.target
Wants=network-online.target

[Service]
User=${RUNNER_USER}
Group=${RUNNER_USER}
WorkingDirectory=/opt/actions-runner
ExecStart=/opt/actions-runner/run.sh
Restart=${restart}
RestartSec=5
KillMode=process
KillSignal=SIGTERM
TimeoutStopSec=5min
NoNewPrivileges=yes
PrivateTmp=yes
ProtectSystem=full

[Install]
WantedBy=multi-user.target
EOF
}

install_service() {
  local wanted changed=0
  wanted="$(unit_text)"
  if [[ -f "${unit_file}" && "$(cat "${unit_file}")" == "${wanted}" ]]; then
    echo "service unit ${unit_file} is up to date"
  else
    act "write the service unit ${unit_file}" write_file "${unit_file}" "${wanted}"
    changed=1
  fi
  if ! on_host; then
    skip_off_host "enable and start ${SERVICE_NAME}.service"
    return 0
  fi
  if ((changed)); then
    act "reload systemd" systemctl daemon-reload
  fi
  if systemctl is-enabled --quiet "${SERVICE_NAME}.service" 2>/dev/null &&
    systemctl is-active --quiet "${SERVICE_NAME}.service" 2>/dev/null && ((!changed)); then
    echo "service ${SERVICE_NAME} is enabled and running"
    return 0
  fi
  act "enable and (re)start ${SERVICE_NAME}.service" restart_service
}

restart_service() {
  systemctl enable "${SERVICE_NAME}.service"
  systemctl restart "${SERVICE_NAME}.service"
}

write_file() {
  local file="$1" content="$2" staged="${1}.new"
  mkdir -p "$(dirname "${file}")"
  staged_paths+=("${staged}")
  printf '%s\n' "${content}" >"${staged}"
  chmod 0644 "${staged}"
  mv -f "${staged}" "${file}"
}

main() {
  parse_args "$@"
  detect_arch
  set_paths
  check_preconditions
  trap cleanup EXIT
  ((dry_run)) && echo "dry run: nothing is changed"
  ensure_packages
  install_tools
  if ((tools_only)); then
    finish "talosctl, kubectl and helm match ${tools_file}"
    return 0
  fi
  ensure_user
  install_runner
  register_runner
  install_service
  finish "the runner serves jobs with runs-on: [${RUNNER_LABELS//,/, }]"
}

finish() {
  if ((dry_run)); then
    echo "dry run done: nothing was changed"
  else
    echo "done: $*"
  fi
}

main "$@"
