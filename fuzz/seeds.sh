#!/usr/bin/env bash
# Fill fuzz/corpus/<target> (ignored by git) with the committed seeds and the project's own
# fixtures: `fuzz/seeds.sh`, then `RUSTC_BOOTSTRAP=1 cargo fuzz run <target>`.
set -euo pipefail
cd "$(dirname "$0")"
root=..
for t in contract_loader openapi_schema checkvist_timestamp xml pagination_links; do
  mkdir -p "corpus/$t"
  if [ -d "seeds/$t" ]; then cp seeds/$t/* "corpus/$t/"; fi
done
for d in "$root"/tests/fixtures/valid/* "$root"/tests/fixtures/malformed/*; do
  n=$(basename "$d")
  # contract_loader: a contract beside the mini OpenAPI document, and openapi NUL contract.
  cp "$d/contract.yaml" "corpus/contract_loader/$n.contract"
  { cat "$d/openapi.yaml"; printf '\0'; cat "$d/contract.yaml"; } > "corpus/contract_loader/$n.pair"
  cp "$d/openapi.yaml" "corpus/openapi_schema/$n.openapi"
done
