// Issue 10 end to end on Azure Blob (Azurite): see test/helpers/outcome.ts.
import { startAzurite } from '../harness/storage-azure.js';
import { useRealLitestream } from '../harness/storage-docker.js';
import { outcomeSuite } from '../helpers/outcome.js';

outcomeSuite({
  label: 'Azure Blob (Azurite)',
  mix: 'blazor-litestream-azure',
  target: 'azure',
  start: () => startAzurite(),
  prepare: (w, az) => useRealLitestream(w.host, { endpoint: az.endpoint.replace(/\/+$/, '') }),
  env: (az) => ({ AZURE_STORAGEACCOUNT: az.accountName, AZURE_ACCOUNT_KEY: az.accountKey, AZURE_CONTAINER: az.container }),
  secrets: (az) => [az.accountKey],
});
