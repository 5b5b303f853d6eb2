#!/usr/bin/env node
// The `tokenledger` command of the installed package: the built program in dist/ (`npm run build`).
import '../dist/cli/tokenledger.mjs';
