// Issue 10 end to end on SFTP (an OpenSSH password account): see test/helpers/outcome.ts.
import { startSftp } from '../harness/storage-sftp.js';
import { useRealLitestream } from '../harness/storage-docker.js';
import { outcomeSuite } from '../helpers/outcome.js';

outcomeSuite({
  label: 'SFTP (OpenSSH)',
  mix: 'jamstack-litestream-sftp',
  target: 'sftp',
  replicaPath: 'LitestreamViteTest.sqlite',
  start: () => startSftp({ dirs: ['MyApp.sqlite', 'LitestreamViteTest.sqlite'] }),
  prepare: (w) => useRealLitestream(w.host),
  env: (sftp) => ({ SFTP_USERNAME: sftp.user, SFTP_PASSWORD: sftp.password, SFTP_HOST: '127.0.0.1', SFTP_PORT: String(sftp.port) }),
  secrets: (sftp) => [sftp.password, encodeURIComponent(sftp.password)],
});
