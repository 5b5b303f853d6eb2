// Fails early with a clear message when npm scripts run under a Node older than the OTel SDK needs.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 15)) {
  console.error(`TokenLedger needs Node >= 22.15, got ${process.version}. Run 'npm ci' first: it installs Node 24 into node_modules/.bin.`);
  process.exit(1);
}
