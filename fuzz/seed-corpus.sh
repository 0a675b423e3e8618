#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ (not committed) with the starting inputs of each fuzz target: the small
# hand-written seeds in fuzz/seeds/<target>/, the upstream conformance manifests (found through
# ROLLOUTS_CONFORMANCE_DIR, default ../shared/conformance/argo beside the repository), the conditions,
# JSONPath expressions and durations those manifests use, and the protobuf bodies of the dev cluster's tests.
# Inputs already in a corpus stay; running it again only adds.
set -euo pipefail
fuzz_dir="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$fuzz_dir")"
conformance="${ROLLOUTS_CONFORMANCE_DIR:-$root/../shared/conformance/argo}"
corpus="$fuzz_dir/corpus"
targets=(manifest condition jsonpath duration request_body patch)

for target in "${targets[@]}"; do
  mkdir -p "$corpus/$target"
  cp "$fuzz_dir/seeds/$target/"* "$corpus/$target/"
done

# The dev cluster's protobuf fixtures, as request bodies (selector byte 2: protobuf).
for pb in "$root"/crates/devcluster/src/protobuf/testdata/*.pb; do
  { printf '\2'; cat "$pb"; } > "$corpus/request_body/pb-$(basename "$pb")"
done

if [ ! -d "$conformance" ]; then
  echo "note: no conformance corpus at $conformance (set ROLLOUTS_CONFORMANCE_DIR); hand-written seeds only" >&2
  exit 0
fi

# One file per value of a `key: value` line, the surrounding quotes removed: `values KEY_REGEX TARGET PREFIX`.
values() {
  local n=0 line
  while IFS= read -r line; do
    n=$((n + 1))
    printf '%s' "$line" > "$corpus/$2/$3-$n"
  done < <(grep -rhoE "^[[:space:]-]*($1):[[:space:]]*[^[:space:]].*$" "$conformance" --include='*.yaml' --include='*.yml' \
    | sed -E "s/^[[:space:]-]*[A-Za-z]+:[[:space:]]*//; s/[[:space:]]+$//; s/^'(.*)'$/\\1/; s/^\"(.*)\"$/\\1/" | sort -u)
}

count=0
while IFS= read -r -d '' file; do
  name="conf-$(printf '%s' "${file#"$conformance"/}" | tr '/' '_')"
  cp "$file" "$corpus/manifest/$name"
  case "$file" in
    *.json) selector='\0' ;;
    *) selector='\1' ;;
  esac
  { printf "$selector"; cat "$file"; } > "$corpus/request_body/$name"
  count=$((count + 1))
done < <(find "$conformance" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -size -256k -print0)

values 'successCondition|failureCondition' condition conf
values 'jsonPath|jsonpath' jsonpath conf
values 'interval|initialDelay|duration|timeout|scaleDownDelay|abortScaleDownDelay' duration conf

for target in "${targets[@]}"; do
  echo "$target: $(find "$corpus/$target" -type f | wc -l) inputs"
done
echo "from $count conformance files in $conformance"
