#!/usr/bin/env bash
# Makes the release tag of a commit: v<version>, package.json's version at that commit, an annotated tag whose
# message is that version's CHANGELOG.md section, pushed to the remote. .github/workflows/release.yml runs it
# on each commit of main that CI passed; it works on the git repository of the current directory.
#
#   scripts/release-tag.sh [COMMIT [REMOTE]]     (defaults: HEAD, origin)
#
# package.json and CHANGELOG.md are read from COMMIT itself (git show), not from the working tree.
#   - CHANGELOG.md has no `## [<version>] - YYYY-MM-DD` heading, or its section is empty: refused, exit 1.
#   - The tag is on the remote at COMMIT: nothing to do, exit 0.
#   - The tag is on the remote at another commit: left where it is, exit 0. A release tag never moves; this is
#     every commit of main between two releases (the version is still the last release's). To release such a
#     commit, give it a new version and changelog section.
#   - The tag exists only here, at COMMIT: it is pushed. At another commit: refused, exit 1 (nothing was
#     published; a person decides whether that local tag goes).
#   - The tag is to be made but CHANGELOG.md still lists entries (list items) under `## [Unreleased]`: refused,
#     exit 1. Those changes are in COMMIT and the version's section does not name them; they go under it first.
#   - Otherwise the tag is made and pushed. A push that fails fails the run, unless the tag is on the remote
#     at COMMIT by then (another run made it).
# Nothing it prints comes from the environment or the remote's URL: the credentials git uses stay unseen.
set -euo pipefail

say() { echo "release-tag: $*"; }
refuse() {
  echo "release-tag: $*" >&2
  exit 1
}

[[ $# -le 2 ]] || refuse "usage: scripts/release-tag.sh [COMMIT [REMOTE]]"
commit_arg=${1:-HEAD}
remote=${2:-origin}

git rev-parse --git-dir >/dev/null 2>&1 || refuse "$(pwd) is not a git repository"
commit=$(git rev-parse -q --verify "${commit_arg}^{commit}") || refuse "no commit \"${commit_arg}\" in this repository"
short=${commit:0:12}

package_json=$(git show "${commit}:package.json" 2>/dev/null) || refuse "package.json is not in commit ${short}"
version=$(node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).version ?? ""' <<<"$package_json") ||
  refuse "package.json at ${short} is not valid JSON"
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] ||
  refuse "package.json's version \"${version}\" at ${short} is not a version X.Y.Z (npm version X.Y.Z --no-git-tag-version sets one)"
tag="v${version}"

# The version's section: the lines after its dated heading up to the next `## ` heading (or the link
# definitions `[x]: url` that end a Keep a Changelog file). The first line printed is the heading's date.
changelog=$(git show "${commit}:CHANGELOG.md" 2>/dev/null) || refuse "CHANGELOG.md is not in commit ${short}"
section=$(awk -v version="$version" '
  BEGIN { prefix = "## [" version "] - " }
  { sub(/\r$/, "") }
  !found {
    date = substr($0, length(prefix) + 1)
    if (substr($0, 1, length(prefix)) == prefix && date ~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$/) {
      found = 1
      print date
    }
    next
  }
  /^## / || /^\[[^]]*\]: / { exit }
  { print }
' <<<"$changelog")
[[ -n $section ]] ||
  refuse "CHANGELOG.md at ${short} has no heading \"## [${version}] - YYYY-MM-DD\" for package.json's version ${version}: move the Unreleased entries under that heading with the release's date (or set package.json's version to the one the changelog releases)"
date=${section%%$'\n'*}
body=""
[[ $section == *$'\n'* ]] && body=${section#*$'\n'}
body=$(sed -e '/[^[:space:]]/,$!d' <<<"$body")
[[ $body =~ [^[:space:]] ]] ||
  refuse "CHANGELOG.md at ${short}: the section \"## [${version}] - ${date}\" is empty: write what the release holds under it"

# Where the tag is on the remote: the commit an annotated tag peels to (its ^{} line), else a light tag's own.
remote_commit_of() {
  local listing
  listing=$(git ls-remote --tags "$remote" "refs/tags/${tag}" "refs/tags/${tag}^{}") ||
    refuse "cannot list the tags of the remote \"${remote}\" (git ls-remote failed)"
  awk -v tag="refs/tags/${tag}" '$2 == tag "^{}" { peeled = $1 } $2 == tag { own = $1 }
    END { print (peeled != "" ? peeled : own) }' <<<"$listing"
}

published=$(remote_commit_of)
if [[ -n $published ]]; then
  if [[ $published == "$commit" ]]; then
    say "${tag} exists on ${remote} at ${short}: nothing to do"
  else
    say "${tag} exists on ${remote} at ${published:0:12}, not at ${short}: left where it is (a release tag never moves); to release ${short}, give it a new version and changelog section (README \"Releases\")"
  fi
  exit 0
fi

if local_tag=$(git rev-parse -q --verify "refs/tags/${tag}^{commit}"); then
  [[ $local_tag == "$commit" ]] ||
    refuse "${tag} exists in this repository at ${local_tag:0:12}, not at ${short}, and not on ${remote}: nothing was published; delete that tag (git tag -d ${tag}) if it is not the release, and run again"
  say "${tag} exists here at ${short} but not on ${remote}: pushing it"
else
  unreleased=$(awk '
    { sub(/\r$/, "") }
    /^## / { inside = ($0 ~ /^## \[Unreleased\]/) ; next }
    inside && /^[-*+] / { print }
  ' <<<"$changelog")
  [[ -z $unreleased ]] ||
    refuse "CHANGELOG.md at ${short} lists changes under \"## [Unreleased]\" that ${short} holds and ${tag}'s section \"## [${version}] - ${date}\" does not name: if ${short} is release ${version}, move them under that heading; if an earlier commit was, make ${tag} there (scripts/release-tag.sh COMMIT, README \"Releases\")"
  # A tag needs a tagger; on a runner git has none configured, so the tag is GitHub Actions'.
  if [[ -z ${GIT_COMMITTER_EMAIL:-} ]] && ! git config user.email >/dev/null; then
    export GIT_COMMITTER_NAME='github-actions[bot]'
    export GIT_COMMITTER_EMAIL='41898282+github-actions[bot]@users.noreply.github.com'
  fi
  name=$(node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).name ?? ""' <<<"$package_json")
  # --cleanup=whitespace keeps the section's `### Added` lines, which the default would strip as comments.
  printf '%s\n\n%s\n' "${name:+$name }${tag} (${date})" "$body" |
    git tag -a --cleanup=whitespace -F - "$tag" "$commit"
  say "made ${tag} at ${short} with CHANGELOG.md's section \"## [${version}] - ${date}\""
fi

if ! git push --quiet "$remote" "refs/tags/${tag}"; then
  [[ $(remote_commit_of) == "$commit" ]] || refuse "pushing ${tag} to ${remote} failed"
  say "${tag} is on ${remote} at ${short} already (another run pushed it)"
  exit 0
fi
say "pushed ${tag} (${short}) to ${remote}"
