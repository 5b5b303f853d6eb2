// `node --require @tokenledger/node/register app.js` (the package's "require" condition).
import { startTokenLedger } from './sdk.ts';

startTokenLedger({ esmHook: false });
