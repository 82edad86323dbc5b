// Issue 10 end to end on S3 (s3rver): see test/helpers/outcome.ts.
import { startS3 } from '../harness/storage-s3.js';
import { useRealLitestream } from '../harness/storage-docker.js';
import { outcomeSuite } from '../helpers/outcome.js';

outcomeSuite({
  label: 'S3 (s3rver)',
  mix: 'litestream-aws',
  target: 'aws',
  moved: true,
  start: () => startS3(),
  prepare: (w, s3) => useRealLitestream(w.host, { endpoint: s3.endpoint, region: s3.region }),
  env: (s3) => ({ AWS_S3_BUCKET: s3.bucket, AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey }),
  secrets: (s3) => [s3.credentials.secretAccessKey],
});
