#!/usr/bin/env bash
# Regenerates package-lock.json from package.json (run after changing a pinned version).
# The registry these machines reach serves only the Linux packages of node-llama-cpp, so npm
# leaves its other optional platform packages (mac, win, riscv64) out of the lock, and `npm ci`
# then refuses the lock as incomplete. They are never installed (setup-oracle.sh passes
# --omit=optional), so they are recorded by name and version only.
set -euo pipefail
cd "$(dirname "$0")"
rm -f package-lock.json
npm install --package-lock-only --ignore-scripts --no-audit --no-fund --loglevel=error
node -e '
const fs = require("fs");
const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8"));
const nlc = lock.packages["node_modules/node-llama-cpp"];
for (const [name, version] of Object.entries(nlc.optionalDependencies || {})) {
  const key = "node_modules/" + name;
  if (!lock.packages[key]) lock.packages[key] = { version, optional: true };
}
fs.writeFileSync("package-lock.json", JSON.stringify(lock, null, 2) + "\n");
'
echo "relock: package-lock.json regenerated"
