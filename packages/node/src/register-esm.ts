// `node --import @tokenledger/node/register app.mjs` (the package's "import" condition).
import { startTokenLedger } from './sdk.ts';

startTokenLedger({ esmHook: true });
