#!/usr/bin/env node
// S3-compatible test server: @20minutes/s3rver (a maintained fork of s3rver that checks AWS
// Signature V4, so a wrong secret key gets SignatureDoesNotMatch as on AWS), started by
// test/harness/storage-s3.ts in its own process. Configured through the environment:
//   S3_DIR                 data directory (FilesystemStore: DIR/<bucket>/<key>._S3rver_object)
//   S3_ACCESS_KEY_ID       the only access key accepted (the built-in S3RVER key is revoked)
//   S3_SECRET_ACCESS_KEY   its secret
//   S3_BUCKETS             comma-separated buckets created at start
//   S3_LOG=1               log requests (default silent)
// Listens on 127.0.0.1, port 0 (the kernel picks a free one), and prints
// `S3RVER_LISTENING <port>` once it accepts connections.
'use strict';

const fs = require('fs');
const path = require('path');
const S3rver = require('@20minutes/s3rver');
const AWSAccount = require('@20minutes/s3rver/lib/models/account');
const FilesystemStore = require('@20minutes/s3rver/lib/stores/filesystem');
const S3Object = require('@20minutes/s3rver/lib/models/object');

const OBJECT_SUFFIX = '._S3rver_object';

// Fix: s3rver's listObjects (3.7.1 and the fork alike) prunes every directory below a common
// prefix before it has seen an object there, so a key two or more levels below the prefix is
// neither listed nor rolled up into CommonPrefixes. Litestream 0.3 lists generations with
// prefix `<path>/generations/` and delimiter `/` while its objects live at
// `<path>/generations/<gen>/snapshots/<n>.snapshot.lz4`, so with the original code
// `litestream snapshots`/`generations`/`restore` find nothing ("no matching backups found").
// Same contract as the original (sorted keys, startAfter, prefix, delimiter, maxKeys).
FilesystemStore.prototype.listObjects = async function listObjects(bucket, options) {
  const { delimiter = '', startAfter = '', prefix = '', maxKeys = Infinity } = options;
  const bucketPath = this.getBucketPath(bucket);
  const all = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      const rel = path.relative(bucketPath, p).split(path.sep).join('/');
      if (e.isDirectory()) {
        const relDir = rel + '/';
        if (relDir.startsWith(prefix) || prefix.startsWith(relDir)) walk(p);
      } else if (e.name.endsWith(OBJECT_SUFFIX)) {
        all.push(FilesystemStore.decodeKeyPath(rel.slice(0, -OBJECT_SUFFIX.length)));
      }
    }
  };
  walk(bucketPath);
  all.sort();

  const commonPrefixes = new Set();
  const keys = [];
  let isTruncated = false;
  for (const key of all) {
    if (key <= startAfter || !key.startsWith(prefix)) continue;
    if (delimiter) {
      const idx = key.indexOf(delimiter, prefix.length);
      if (idx !== -1) {
        commonPrefixes.add(key.slice(0, idx + delimiter.length));
        continue;
      }
    }
    if (keys.length < maxKeys) keys.push(key);
    else {
      isTruncated = true;
      break;
    }
  }
  const metadata = await Promise.all(
    keys.map((key) =>
      this.getMetadata(bucket, key).catch((err) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      }),
    ),
  );
  return {
    objects: keys.map((key, i) => [key, metadata[i]]).filter(([, m]) => m !== undefined).map(([key, m]) => new S3Object(bucket, key, null, m)),
    commonPrefixes: [...commonPrefixes].sort(),
    isTruncated,
  };
};

const { S3_DIR, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY } = process.env;
if (!S3_DIR || !S3_ACCESS_KEY_ID || !S3_SECRET_ACCESS_KEY) {
  process.stderr.write('s3rver-main: S3_DIR, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY are required\n');
  process.exit(2);
}
AWSAccount.DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
AWSAccount.DUMMY_ACCOUNT.createKeyPair(S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY);

const buckets = (process.env.S3_BUCKETS || '').split(',').filter(Boolean);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  directory: S3_DIR,
  silent: process.env.S3_LOG !== '1',
  vhostBuckets: false,
  configureBuckets: buckets.map((name) => ({ name })),
});
server.run().then(
  (addr) => process.stdout.write(`S3RVER_LISTENING ${addr.port}\n`),
  (err) => {
    process.stderr.write(`s3rver-main: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  },
);
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 1000).unref();
  });
}
