// What the three storage servers (storage-s3.ts, storage-azure.ts, storage-sftp.ts) have in common.

/** Everything Litestream needs to reach one replica. */
export interface ReplicaTarget {
  /** The replica URL in the shape the mix compose files build it (s3://BUCKET/PATH, abs://ACCOUNT@CONTAINER/PATH, sftp://USER:PASS@HOST:PORT/PATH). */
  url: string;
  /** The litestream.yml replica entry: `url` plus what an emulator needs (S3 and Azure: `endpoint`). */
  config: Record<string, unknown>;
  /** The environment the compose file gives the sidecar (S3: LITESTREAM_ACCESS_KEY_ID/SECRET; Azure: LITESTREAM_AZURE_ACCOUNT_KEY; SFTP: none). */
  env: Record<string, string>;
}

export interface StorageServer<Override> {
  kind: 's3' | 'abs' | 'sftp';
  host: '127.0.0.1';
  port: number;
  /** PID of the server process (SFTP: the sshd listener). */
  pid: number;
  /** Temp dir holding the server's data; removed by stop(). */
  dir: string;
  /** A replica at `path` (e.g. 'MyApp.sqlite'); override any value to make a wrong one (wrong key, missing bucket, closed port...). */
  target(path: string, override?: Override): ReplicaTarget;
  /** Object keys (SFTP: file paths relative to the account's root) under prefix, sorted. */
  list(prefix?: string): Promise<string[]>;
  /** Deletes every object (file) under prefix; returns how many. E.g. remove('MyApp.sqlite/') deletes a replica. */
  remove(prefix: string): Promise<number>;
  /** Stops the server by PID and removes dir. Idempotent. */
  stop(): Promise<void>;
}
