#!/usr/bin/env node
// The `tokenledger-collector` command of the installed package: the built program in dist/ (`npm run build`).
import '../dist/cli/collector-main.mjs';
