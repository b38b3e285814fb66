#!/usr/bin/env bash
# Rebuild src/flashpoint/web/static/vendor/ from pinned npm packages.
#
# The dashboard must work with no CDN and no internet, so its third-party files are committed;
# this script is how they were made and how to update them. It needs npm and the npm registry,
# installs into a throwaway directory, and copies only the distributable files and licences.
# Bump a version below, run `scripts/vendor_web_assets.sh`, check the dashboard, commit.
set -euo pipefail

LEAFLET=1.9.4
MARKERCLUSTER=1.5.3
WORLD_ATLAS=2.0.2            # Natural Earth 1:50m country outlines as TopoJSON
TOPOJSON_CLIENT=3.1.0
SWAGGER_UI=5.35.0            # offline /docs

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/src/flashpoint/web/static/vendor"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts --save-exact \
    "leaflet@$LEAFLET" "leaflet.markercluster@$MARKERCLUSTER" "world-atlas@$WORLD_ATLAS" \
    "topojson-client@$TOPOJSON_CLIENT" "swagger-ui-dist@$SWAGGER_UI" >/dev/null
M="$WORK/node_modules"

rm -rf "$DEST"
mkdir -p "$DEST"/{leaflet/images,markercluster,world-atlas,topojson-client,swagger-ui}
cp "$M/leaflet/dist/leaflet.js" "$M/leaflet/dist/leaflet.css" "$M/leaflet/LICENSE" "$DEST/leaflet/"
cp "$M"/leaflet/dist/images/*.png "$DEST/leaflet/images/"
cp "$M/leaflet.markercluster/dist/leaflet.markercluster.js" \
   "$M/leaflet.markercluster/dist/MarkerCluster.css" \
   "$M/leaflet.markercluster/dist/MarkerCluster.Default.css" \
   "$M/leaflet.markercluster/MIT-LICENCE.txt" "$DEST/markercluster/"
cp "$M/world-atlas/countries-50m.json" "$M/world-atlas/LICENSE" "$DEST/world-atlas/"
cp "$M/topojson-client/dist/topojson-client.min.js" "$M/topojson-client/LICENSE" \
   "$DEST/topojson-client/"
cp "$M/swagger-ui-dist/swagger-ui-bundle.js" "$M/swagger-ui-dist/swagger-ui.css" \
   "$M/swagger-ui-dist/LICENSE" "$DEST/swagger-ui/"
# The bundle points at a source map that is not shipped; drop the reference so browsers
# do not request a missing file.
sed -i '/^\/\/# sourceMappingURL=/d' "$DEST/swagger-ui/swagger-ui-bundle.js" "$DEST/swagger-ui/swagger-ui.css"

{
    echo "# Written by scripts/vendor_web_assets.sh; do not edit."
    for pkg in leaflet leaflet.markercluster world-atlas topojson-client swagger-ui-dist; do
        node -e 'const p=require(process.argv[1]);console.log(p.name+"@"+p.version+" "+p.license)' \
            "$M/$pkg/package.json"
    done
    echo
    (cd "$DEST" && find . -type f ! -name VERSIONS | LC_ALL=C sort | xargs sha256sum)
} > "$DEST/VERSIONS"
du -sh "$DEST"
